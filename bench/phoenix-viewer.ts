// A lean Realtime client for the benchmarks that need a thousand viewers in
// one process: one websocket speaking Phoenix vsn 2.0.0 as realtime-js does
// (the same join, with the access token, and the same binary broadcast
// frames), without realtime-js's per-message work, so that what is measured
// is the server, not a thousand supabase-js clients sharing two cores. The
// wire format itself is pinned by the stack tests with the real supabase-js.
import WebSocket from 'ws';

/** The parts of a binary broadcast frame (kind 4) a viewer needs. */
export interface Broadcast {
	event: string;
	/** The payload's JSON bytes. */
	payload: Buffer;
}

export interface ViewerOptions {
	url: string;
	topic: string;
	accessToken: string;
	onBroadcast(message: Broadcast): void;
	/** Called when the server closes the channel (phx_close) or the socket goes. */
	onClose?(): void;
}

const HEARTBEAT_MS = 25_000;

export class PhoenixViewer {
	private readonly ws: WebSocket;
	private readonly options: ViewerOptions;
	private ref = 0;
	private heartbeat: NodeJS.Timeout | null = null;
	closed = false;

	private constructor(options: ViewerOptions) {
		this.options = options;
		this.ws = new WebSocket(options.url, { perMessageDeflate: false });
	}

	/** Connects and joins the private topic; rejects when the join is refused. */
	static join(options: ViewerOptions): Promise<PhoenixViewer> {
		const viewer = new PhoenixViewer(options);
		return new Promise((resolve, reject) => {
			const topic = `realtime:${options.topic}`;
			viewer.ws.on('error', () => reject(new Error(`websocket to ${options.url} failed`)));
			viewer.ws.on('open', () => {
				viewer.send('1', topic, 'phx_join', {
					config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: true },
					access_token: options.accessToken
				});
				viewer.heartbeat = setInterval(() => viewer.send(null, 'phoenix', 'heartbeat', {}), HEARTBEAT_MS);
				viewer.heartbeat.unref();
			});
			viewer.ws.on('close', () => viewer.gone());
			viewer.ws.on('message', (data: Buffer, isBinary: boolean) => {
				if (isBinary) {
					const frame = data;
					if (frame[0] !== 4) return;
					const [topicLength, eventLength, metaLength] = [frame[1], frame[2], frame[3]];
					const eventStart = 5 + topicLength;
					options.onBroadcast({
						event: frame.toString('utf8', eventStart, eventStart + eventLength),
						payload: frame.subarray(eventStart + eventLength + metaLength)
					});
					return;
				}
				const [, , messageTopic, name, payload] = JSON.parse(data.toString('utf8')) as [string | null, string | null, string, string, { status?: string; response?: { reason?: string } }];
				if (messageTopic !== topic) return;
				if (name === 'phx_reply' && payload.status === 'ok') resolve(viewer);
				else if (name === 'phx_reply') reject(new Error(`join refused: ${payload.response?.reason ?? JSON.stringify(payload)}`));
				else if (name === 'phx_close') viewer.gone();
			});
		});
	}

	private send(joinRef: string | null, topic: string, event: string, payload: unknown): void {
		if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify([joinRef, String(++this.ref), topic, event, payload]));
	}

	private gone(): void {
		if (this.closed) return;
		this.closed = true;
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.options.onClose?.();
	}

	close(): void {
		this.gone();
		this.ws.close();
	}
}
