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
//
// A write to many connections goes CHUNK connections at a time, with a turn
// of the event loop between chunks. Each write is one system call, ~12 us on
// this 2-core machine whatever its size (loopback TCP, measured with a bare
// Node and a bare Python writer alike), so a write to 1,000 viewers takes
// 12-15 ms: done in one go, it kept the replication stream unread for that
// long, and a message that arrived meanwhile waited for the next write. Now
// the stream is read between chunks and a message that arrives is written
// to the connections this write has not reached yet (their outboxes are
// still queued). Measured with bench:realtime's one job and 1,000 viewers:
// commit to the server p95 from ~30 to ~11 ms.

/** The longest pause between two writes (a write to 1,000 connections or more). */
export const MAX_WINDOW_MS = Number(process.env.REALTIME_FLUSH_WINDOW_MS ?? 20);
/** Pause after a write, per connection written. */
const PAUSE_PER_CONNECTION_MS = 0.02;
/** Connections written before the event loop reads its sockets again (~1.5 ms on a 2-core machine). */
const CHUNK = 100;

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
	/** The outboxes of the write under way, written from `next` on. */
	private batch: Outbox[] = [];
	private next = 0;
	private joined = new JoinedFrames();
	/** A write is under way (between chunks). */
	private writing = false;
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
		this.schedule();
	}

	/** The next write, for outboxes waiting: at once, or when the pause after the last write ends. */
	private schedule(): void {
		if (this.timer || this.writing || !this.waiting.length) return;
		const wait = this.notBefore - performance.now();
		this.timer = wait > 0 ? { kind: 'timeout', handle: setTimeout(this.flush, wait) } : { kind: 'immediate', handle: setImmediate(this.flush) };
	}

	/** Writes the next chunk of the write under way (starting one with what waits), and schedules the rest. */
	private readonly flush = (): void => {
		this.timer = null;
		this.writeChunk(CHUNK);
		// The write's next chunk, or (for those sent more during it, once written) the next write.
		if (this.writing) this.timer = { kind: 'immediate', handle: setImmediate(this.flush) };
		else this.schedule();
	};

	/** Writes up to `most` outboxes of the write under way, or of a new one; ends the write when all are written. */
	private writeChunk(most: number): void {
		if (!this.writing) {
			this.writing = true;
			this.batch = this.waiting;
			this.waiting = [];
			this.next = 0;
			this.joined = new JoinedFrames();
		}
		const end = Math.min(this.batch.length, this.next + most);
		for (; this.next < end; this.next++) {
			const outbox = this.batch[this.next];
			outbox.queued = false;
			outbox.flush(this.joined);
		}
		if (this.next < this.batch.length) return;
		this.writing = false;
		this.notBefore = performance.now() + Math.min(this.maxWindowMs, this.batch.length * PAUSE_PER_CONNECTION_MS);
		this.batch = [];
	}

	/** Writes everything now (the server is stopping). */
	drain(): void {
		if (this.timer?.kind === 'timeout') clearTimeout(this.timer.handle);
		else if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
		this.timer = null;
		while (this.writing || this.waiting.length) this.writeChunk(Infinity);
	}
}
