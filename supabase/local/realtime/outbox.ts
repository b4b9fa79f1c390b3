// What the server writes to its websockets, batched. Every frame for a client
// goes through its connection's outbox, already encoded as a websocket frame
// (a broadcast is encoded once and the same bytes go to every receiver), and
// one Flusher writes the outboxes: at once (on the next turn of the event
// loop) while the server is quiet, and after a write to many connections no
// sooner than a pause that grows with how many it wrote (20 us each, at most
// MAX_WINDOW_MS). Under load each socket then gets the frames of several
// messages in one system call: 1,000 viewers of a job getting 200 updates a
// second would otherwise cost 200,000 writes a second, which is where the
// time went (`npm run bench:realtime`). Connections whose waiting frames are
// the same (a topic's viewers) share one buffer of them. A client sees the
// same frames in the same order, later by at most the pause when busy.

/** The longest pause between two writes (a write to 1,000 connections or more). */
export const MAX_WINDOW_MS = Number(process.env.REALTIME_FLUSH_WINDOW_MS ?? 20);
/** Pause after a write, per connection written. */
const PAUSE_PER_CONNECTION_MS = 0.02;

/** An unmasked websocket frame (FIN set): text for strings, binary for buffers (RFC 6455, section 5.2). */
export function websocketFrame(data: string | Buffer): Buffer {
	const text = typeof data === 'string';
	const length = text ? Buffer.byteLength(data, 'utf8') : data.length;
	const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
	const frame = Buffer.allocUnsafe(headerLength + length);
	frame[0] = 0x80 | (text ? 0x01 : 0x02);
	if (length < 126) frame[1] = length;
	else if (length < 65_536) {
		frame[1] = 126;
		frame.writeUInt16BE(length, 2);
	} else {
		frame[1] = 127;
		frame.writeBigUInt64BE(BigInt(length), 2);
	}
	if (text) frame.write(data, headerLength, 'utf8');
	else data.copy(frame, headerLength);
	return frame;
}

/** A connection's side of the flusher. */
export interface Outbox {
	/** Set by the flusher while the outbox waits to be written. */
	queued: boolean;
	/** Writes what waits; called by the flusher only. */
	flush(joined: JoinedFrames): void;
}

/**
 * The frames of several outboxes joined into one buffer, made once per flush
 * for each sequence of frames: a topic's viewers all wait for the same frames.
 */
export class JoinedFrames {
	private readonly byFirst = new Map<Buffer, Array<{ frames: Buffer[]; joined: Buffer }>>();

	of(frames: Buffer[]): Buffer {
		let entries = this.byFirst.get(frames[0]);
		if (!entries) this.byFirst.set(frames[0], (entries = []));
		for (const entry of entries) {
			if (entry.frames.length === frames.length && entry.frames.every((f, i) => f === frames[i])) return entry.joined;
		}
		const joined = Buffer.concat(frames);
		entries.push({ frames, joined });
		return joined;
	}
}

export class Flusher {
	private waiting: Outbox[] = [];
	private scheduled = false;
	/** The earliest time (performance.now()) of the next write. */
	private notBefore = 0;
	private timer: { kind: 'timeout'; handle: NodeJS.Timeout } | { kind: 'immediate'; handle: NodeJS.Immediate } | null = null;
	private readonly maxWindowMs: number;

	constructor(maxWindowMs = MAX_WINDOW_MS) {
		this.maxWindowMs = maxWindowMs;
	}

	/** Queues an outbox that just received its first frame. */
	add(outbox: Outbox): void {
		if (outbox.queued) return;
		outbox.queued = true;
		this.waiting.push(outbox);
		if (this.scheduled) return;
		this.scheduled = true;
		const wait = this.notBefore - performance.now();
		this.timer = wait > 0 ? { kind: 'timeout', handle: setTimeout(this.flush, wait) } : { kind: 'immediate', handle: setImmediate(this.flush) };
	}

	private readonly flush = (): void => {
		this.scheduled = false;
		this.timer = null;
		const batch = this.waiting;
		this.waiting = [];
		const joined = new JoinedFrames();
		for (const outbox of batch) {
			outbox.queued = false;
			outbox.flush(joined);
		}
		this.notBefore = performance.now() + Math.min(this.maxWindowMs, batch.length * PAUSE_PER_CONNECTION_MS);
	};

	/** Writes everything now (the server is stopping). */
	drain(): void {
		if (this.timer?.kind === 'timeout') clearTimeout(this.timer.handle);
		else if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
		this.flush();
	}
}
