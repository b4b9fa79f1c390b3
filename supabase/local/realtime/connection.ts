// One websocket client: decodes its frames, answers heartbeats, and routes
// pushes to its channels. Pushes to one topic are handled one after another
// (a join finishes before the next push to that topic is looked at).
// Everything sent to the client goes through its outbox (./outbox.ts), in
// order, written to the socket as ready-made websocket frames; `ws` still
// reads the client's frames and answers pings and close.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { Channel, type ChannelConnection, type Hub } from './channel.ts';
import { JoinedFrames, websocketFrame, type Outbox } from './outbox.ts';
import { decodeFrame, encodeMessage, type Incoming, type PhoenixMessage, type Vsn } from './protocol.ts';

/** A client that stops reading gets cut off rather than buffering without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export class Connection implements ChannelConnection, Outbox {
	readonly vsn: Vsn;
	readonly token: string | null;
	queued = false;
	private readonly ws: WebSocket;
	/** The TCP socket under `ws` (its private field: ws has no public way to write a frame built elsewhere). */
	private readonly socket: Socket;
	/** Websocket frames waiting for the flusher. */
	private outbox: Buffer[] = [];
	private readonly hub: Hub;
	private readonly channels = new Map<string, Channel>();
	private readonly queues = new Map<string, Promise<void>>();
	private closed = false;
	/** Last time the client sent anything (ms): idle sockets are closed like Phoenix's timeout. */
	lastSeen = Date.now();

	constructor(ws: WebSocket, vsn: Vsn, token: string | null, hub: Hub) {
		this.ws = ws;
		this.vsn = vsn;
		this.token = token;
		this.hub = hub;
		this.socket = (ws as unknown as { _socket: Socket })._socket;
		ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
		ws.on('close', () => this.dispose());
		ws.on('error', () => this.dispose());
	}

	get channelCount(): number {
		return this.channels.size;
	}

	send(message: PhoenixMessage): void {
		this.sendFrame(encodeMessage(this.vsn, message));
	}

	/** Sends a Phoenix frame: text for a string, binary for a buffer. */
	sendFrame(frame: string | Buffer): void {
		this.sendEncoded(websocketFrame(frame));
	}

	/** Sends a websocket frame already encoded (./outbox.ts: websocketFrame), e.g. shared by every receiver of a broadcast. */
	sendEncoded(frame: Buffer): void {
		if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
		this.outbox.push(frame);
		this.hub.flusher.add(this);
	}

	flush(joined: JoinedFrames): void {
		const frames = this.outbox;
		this.outbox = [];
		if (frames.length === 0 || this.closed || this.ws.readyState !== this.ws.OPEN) return;
		if (this.socket.writableLength > MAX_BUFFERED_BYTES) {
			this.hub.log('websocket: client is not reading; closing it');
			this.terminate();
			return;
		}
		// One system call for all of them.
		this.socket.write(frames.length === 1 ? frames[0] : joined.of(frames));
	}

	forget(channel: Channel): void {
		if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
	}

	private receive(data: Buffer | Buffer[] | ArrayBuffer, isBinary: boolean): void {
		this.lastSeen = Date.now();
		const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
		let incoming: Incoming;
		try {
			incoming = decodeFrame(buffer, isBinary, this.vsn);
		} catch (error) {
			this.hub.log(`websocket: dropped a frame that is not a Phoenix message: ${error instanceof Error ? error.message : error}`);
			return;
		}
		if (incoming.kind === 'message' && incoming.message.topic === 'phoenix' && incoming.message.event === 'heartbeat') {
			this.send({ joinRef: null, ref: incoming.message.ref, topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } });
			return;
		}
		const topic = incoming.kind === 'message' ? incoming.message.topic : incoming.push.topic;
		const previous = this.queues.get(topic) ?? Promise.resolve();
		const next = previous
			.then(() => this.dispatch(incoming))
			.catch((error) => this.hub.log(`channel ${topic}: ${error instanceof Error ? (error.stack ?? error.message) : error}`));
		this.queues.set(topic, next);
		void next.then(() => {
			if (this.queues.get(topic) === next) this.queues.delete(topic);
		});
	}

	private async dispatch(incoming: Incoming): Promise<void> {
		if (this.closed) return;
		if (incoming.kind === 'binary-broadcast') {
			const channel = this.channels.get(incoming.push.topic);
			if (channel && channel.joinRef === incoming.push.joinRef) await channel.handleBinaryBroadcast(incoming.push);
			return;
		}
		const message = incoming.message;
		if (message.event === 'phx_join') {
			// A second join of a topic replaces the first channel, as in Phoenix.
			this.channels.get(message.topic)?.close();
			if (!message.topic.startsWith('realtime:')) {
				this.send({ joinRef: message.joinRef, ref: message.ref, topic: message.topic, event: 'phx_reply', payload: { status: 'error', response: { reason: 'unmatched topic' } } });
				return;
			}
			const channel = new Channel(this, this.hub, message.topic, message.joinRef);
			this.channels.set(message.topic, channel);
			await channel.join(message);
			return;
		}
		const channel = this.channels.get(message.topic);
		if (!channel || (message.joinRef !== null && channel.joinRef !== message.joinRef)) {
			this.send({ joinRef: message.joinRef, ref: message.ref, topic: message.topic, event: 'phx_reply', payload: { status: 'error', response: { reason: 'unmatched topic' } } });
			return;
		}
		await channel.handle(message);
	}

	/** Closes the socket; its channels are cleaned up when it is gone. */
	close(code = 1001, reason = 'server shutting down'): void {
		this.flush(new JoinedFrames());
		try {
			this.ws.close(code, reason);
		} catch {
			this.ws.terminate();
		}
		this.dispose();
	}

	terminate(): void {
		this.ws.terminate();
		this.dispose();
	}

	private dispose(): void {
		if (this.closed) return;
		this.closed = true;
		for (const channel of [...this.channels.values()]) channel.close();
		this.channels.clear();
		this.queues.clear();
	}
}
