// A lean Realtime client for the benchmarks that need a thousand viewers in
// one process: one websocket speaking Phoenix vsn 2.0.0 as realtime-js does
// (the same join, with the access token, and the same binary broadcast
// frames), reading frames straight off the TCP socket (RFC 6455: an
// upgrade, then unmasked frames from the server, masked ones to it), without
// realtime-js's or ws's per-message work. What is measured is then the
// server, not a thousand clients sharing the machine's two cores with it.
// The wire format itself is pinned by the stack tests with the real
// supabase-js.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * A binary broadcast frame (kind 4) as offsets into the bytes received: a viewer gets a thousand a
 * second, and a Buffer view per part was a measurable share of the bench's CPU. Valid only during
 * the onBroadcast call.
 */
export interface Broadcast {
	data: Buffer;
	/** The event name: data[eventStart, eventEnd). */
	eventStart: number;
	eventEnd: number;
	/** The payload's JSON: data[payloadStart, payloadEnd). */
	payloadStart: number;
	payloadEnd: number;
}

export interface ViewerOptions {
	/** ws://host:port/realtime/v1/websocket?apikey=...&vsn=2.0.0 */
	url: string;
	topic: string;
	accessToken: string;
	onBroadcast(message: Broadcast): void;
	/** Called when the server closes the channel (phx_close) or the socket goes. */
	onClose?(): void;
}

const HEARTBEAT_MS = 25_000;
/** Where every viewer's socket reads: data is parsed as soon as it is read, on the one thread. */
const READ_BUFFER = Buffer.alloc(256 * 1024);

/** A masked client frame (text). */
function clientFrame(text: string): Buffer {
	const payload = Buffer.from(text, 'utf8');
	const length = payload.length;
	const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
	const frame = Buffer.alloc(headerLength + 4 + length);
	frame[0] = 0x81;
	if (length < 126) frame[1] = 0x80 | length;
	else if (length < 65_536) {
		frame[1] = 0x80 | 126;
		frame.writeUInt16BE(length, 2);
	} else {
		frame[1] = 0x80 | 127;
		frame.writeBigUInt64BE(BigInt(length), 2);
	}
	const mask = randomBytes(4);
	mask.copy(frame, headerLength);
	for (let i = 0; i < length; i++) frame[headerLength + 4 + i] = payload[i] ^ mask[i & 3];
	return frame;
}

export class PhoenixViewer {
	private readonly socket: net.Socket;
	private readonly options: ViewerOptions;
	private readonly topic: string;
	private ref = 0;
	private heartbeat: NodeJS.Timeout | null = null;
	/** Bytes received and not yet parsed into frames. */
	private pending: Buffer | null = null;
	private upgraded = false;
	private onText: (text: string) => void = () => {};
	private readonly broadcast: Broadcast = { data: Buffer.alloc(0), eventStart: 0, eventEnd: 0, payloadStart: 0, payloadEnd: 0 };
	closed = false;

	private constructor(options: ViewerOptions) {
		this.options = options;
		this.topic = `realtime:${options.topic}`;
		const url = new URL(options.url);
		// Bytes are read into one buffer shared by every viewer (net's `onread`): no Buffer per read and
		// no stream machinery, which were most of the bench's own CPU per delivery.
		this.socket = net.connect({
			port: Number(url.port),
			host: url.hostname,
			onread: { buffer: READ_BUFFER, callback: (n: number, buffer: Uint8Array) => (this.receive(buffer as Buffer, n), true) }
		});
		this.socket.setNoDelay(true);
		this.socket.on('connect', () => {
			const key = randomBytes(16).toString('base64');
			this.socket.write(
				`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
					`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`
			);
		});
		this.socket.on('close', () => this.gone());
		this.socket.on('error', () => this.gone());
	}

	/** Connects and joins the private topic; rejects when the join is refused. */
	static join(options: ViewerOptions): Promise<PhoenixViewer> {
		const viewer = new PhoenixViewer(options);
		return new Promise((resolve, reject) => {
			viewer.socket.once('error', (error) => reject(error));
			viewer.onText = (text) => {
				const [, , topic, name, payload] = JSON.parse(text) as [string | null, string | null, string, string, { status?: string; response?: { reason?: string } }];
				if (topic !== viewer.topic) return;
				if (name === 'phx_reply' && payload.status === 'ok') resolve(viewer);
				else if (name === 'phx_reply') reject(new Error(`join refused: ${payload.response?.reason ?? JSON.stringify(payload)}`));
				else if (name === 'phx_close') viewer.gone();
			};
			viewer.whenUpgraded = () => {
				viewer.send('1', viewer.topic, 'phx_join', {
					config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: true },
					access_token: options.accessToken
				});
				viewer.heartbeat = setInterval(() => viewer.send(null, 'phoenix', 'heartbeat', {}), HEARTBEAT_MS);
				viewer.heartbeat.unref();
			};
		});
	}

	private whenUpgraded: () => void = () => {};

	/** Takes the `length` bytes read into `chunk` (the shared read buffer: what is kept past this call is copied). */
	private receive(chunk: Buffer, length: number): void {
		let data = this.pending ? Buffer.concat([this.pending, chunk.subarray(0, length)]) : chunk.subarray(0, length);
		this.pending = null;
		if (!this.upgraded) {
			const end = data.indexOf('\r\n\r\n');
			if (end < 0) {
				this.pending = Buffer.from(data);
				return;
			}
			if (!data.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) {
				this.socket.destroy(new Error(`upgrade refused: ${data.toString('latin1', 0, end)}`));
				return;
			}
			this.upgraded = true;
			data = data.subarray(end + 4);
			this.whenUpgraded();
		}
		let offset = 0;
		while (data.length - offset >= 2) {
			const opcode = data[offset] & 0x0f;
			let length = data[offset + 1] & 0x7f;
			let start = offset + 2;
			if (length === 126) {
				if (data.length - offset < 4) break;
				length = data.readUInt16BE(offset + 2);
				start = offset + 4;
			} else if (length === 127) {
				if (data.length - offset < 10) break;
				length = Number(data.readBigUInt64BE(offset + 2));
				start = offset + 10;
			}
			if (data.length < start + length) break;
			offset = start + length;
			if (opcode === 0x2 && data[start] === 4) {
				// Kind 4: topic, event and meta lengths, encoding, then topic, event, meta, payload.
				const broadcast = this.broadcast;
				broadcast.data = data;
				broadcast.eventStart = start + 5 + data[start + 1];
				broadcast.eventEnd = broadcast.eventStart + data[start + 2];
				broadcast.payloadStart = broadcast.eventEnd + data[start + 3];
				broadcast.payloadEnd = offset;
				this.options.onBroadcast(broadcast);
			} else if (opcode === 0x1) {
				this.onText(data.toString('utf8', start, offset));
			} else if (opcode === 0x8) {
				this.gone();
				this.socket.destroy();
				return;
			}
			// Pings (0x9) never come from this server unasked; pongs and continuations are not used.
		}
		if (offset < data.length) this.pending = Buffer.from(data.subarray(offset));
	}

	private send(joinRef: string | null, topic: string, event: string, payload: unknown): void {
		if (!this.closed) this.socket.write(clientFrame(JSON.stringify([joinRef, String(++this.ref), topic, event, payload])));
	}

	private gone(): void {
		if (this.closed) return;
		this.closed = true;
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.options.onClose?.();
	}

	close(): void {
		this.gone();
		this.socket.destroy();
	}
}
