// What the server writes to its websockets, batched. Every frame for a client
// goes through its connection's outbox, already encoded as a websocket frame
// (a broadcast is encoded once and the same bytes go to every receiver), and
// one Flusher writes the outboxes: at once (on the next turn of the event
// loop) while the server is quiet, and, after a write to many connections,
// no sooner than WINDOW_MS later. Under load each socket then gets the frames
// of several messages in one system call: 1,000 viewers of a job getting 200
// updates a second would otherwise cost 200,000 writes a second, which is
// where the time went (measured with `npm run bench:realtime`). A client
// sees the same frames in the same order, up to WINDOW_MS later when busy.

/** Waiting between two big writes; small ones (replies, a broadcast to a few people) never wait. */
export const WINDOW_MS = Number(process.env.REALTIME_FLUSH_WINDOW_MS ?? 10);
/** A write to at least this many connections is big. */
const BIG_WRITE = 64;

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
	flush(): void;
}

export class Flusher {
	private waiting: Outbox[] = [];
	private scheduled = false;
	/** The earliest time (performance.now()) of the next write. */
	private notBefore = 0;
	private timer: { kind: 'timeout'; handle: NodeJS.Timeout } | { kind: 'immediate'; handle: NodeJS.Immediate } | null = null;
	private readonly windowMs: number;

	constructor(windowMs = WINDOW_MS) {
		this.windowMs = windowMs;
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
		for (const outbox of batch) {
			outbox.queued = false;
			outbox.flush();
		}
		this.notBefore = batch.length >= BIG_WRITE ? performance.now() + this.windowMs : 0;
	};

	/** Writes everything now (the server is stopping). */
	drain(): void {
		if (this.timer?.kind === 'timeout') clearTimeout(this.timer.handle);
		else if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
		this.flush();
	}
}
