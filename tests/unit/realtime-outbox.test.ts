// The local Realtime server writes websocket frames it encodes itself
// (supabase/local/realtime/outbox.ts), batched per connection. Read back
// here by a real `ws` client: text and binary frames of every length class
// of RFC 6455 (7-bit, 16-bit and 64-bit lengths) arrive whole and in order,
// and a batch of frames shared by many connections is joined once.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { Flusher, JoinedFrames, websocketFrame, type Outbox } from '../../supabase/local/realtime/outbox.ts';

const servers: WebSocketServer[] = [];

afterEach(async () => {
	for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server whose first connection gets `frames` written to its socket as given; resolves with what a ws client read. */
async function readBack(frames: Buffer[], expected: number): Promise<Array<{ data: Buffer; binary: boolean }>> {
	const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
	servers.push(server);
	await new Promise((r) => server.once('listening', r));
	server.on('connection', (ws) => {
		const socket = (ws as unknown as { _socket: Socket })._socket;
		for (const f of frames) socket.write(f);
	});
	const client = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
	const got: Array<{ data: Buffer; binary: boolean }> = [];
	await new Promise<void>((resolve, reject) => {
		client.on('error', reject);
		client.on('message', (data: Buffer, binary: boolean) => {
			got.push({ data, binary });
			if (got.length === expected) resolve();
		});
	});
	client.close();
	return got;
}

describe('websocket frames written by the local Realtime server', () => {
	it('arrive whole and in order, text and binary, at every length class', async () => {
		const sizes = [0, 1, 125, 126, 65_535, 65_536, 200_000];
		const payloads = sizes.flatMap((n, i) => [Buffer.alloc(n, 97 + (i % 26)).toString('latin1'), Buffer.alloc(n, i)]);
		const frames = payloads.map((p) => websocketFrame(p));
		// Two frames joined in one write, as a flush does.
		const got = await readBack([Buffer.concat(frames.slice(0, 2)), ...frames.slice(2)], payloads.length);
		expect(got.map((m) => [m.binary, m.data.length])).toEqual(payloads.map((p) => [typeof p !== 'string', typeof p === 'string' ? Buffer.byteLength(p) : p.length]));
		for (const [i, p] of payloads.entries()) expect(got[i].data.equals(typeof p === 'string' ? Buffer.from(p) : p)).toBe(true);
	});

	it('keep multi-byte text intact', async () => {
		const text = '["1",null,"realtime:team:x","broadcast",{"name":"Épreuve — 測試 🧪"}]';
		const [got] = await readBack([websocketFrame(text)], 1);
		expect(got.data.toString('utf8')).toBe(text);
	});
});

describe('the flusher', () => {
	it('writes every waiting outbox once, joining a sequence of frames shared by many only once', async () => {
		const [a, b, c] = [websocketFrame('a'), websocketFrame('b'), websocketFrame('c')];
		const joins: Buffer[] = [];
		const outboxes = [[a, b], [a, b], [a, c], [c]].map((frames) => {
			const outbox: Outbox & { written: Buffer[] } = {
				queued: false,
				written: [],
				flush(joined: JoinedFrames) {
					const buffer = frames.length === 1 ? frames[0] : joined.of(frames);
					joins.push(buffer);
					outbox.written.push(buffer);
				}
			};
			return outbox;
		});
		const flusher = new Flusher(0);
		for (const o of outboxes) {
			flusher.add(o);
			flusher.add(o); // queued already: once
		}
		await new Promise((r) => setImmediate(r));
		expect(outboxes.map((o) => o.written.length)).toEqual([1, 1, 1, 1]);
		expect(outboxes[0].written[0]).toBe(outboxes[1].written[0]);
		expect(outboxes[0].written[0].equals(Buffer.concat([a, b]))).toBe(true);
		expect(outboxes[2].written[0].equals(Buffer.concat([a, c]))).toBe(true);
		expect(outboxes[3].written[0]).toBe(c);
		expect(outboxes.every((o) => !o.queued)).toBe(true);
	});

	it('writes many connections a chunk at a time, and a frame sent meanwhile goes out with the connections not yet reached', async () => {
		const [first, second] = [websocketFrame('first'), websocketFrame('second')];
		const outboxes = Array.from({ length: 250 }, () => {
			const outbox: Outbox & { frames: Buffer[]; writes: Buffer[][] } = {
				queued: false,
				frames: [],
				writes: [],
				flush() {
					outbox.writes.push(outbox.frames);
					outbox.frames = [];
				}
			};
			return outbox;
		});
		const send = (flusher: Flusher, outbox: (typeof outboxes)[number], frame: Buffer) => {
			outbox.frames.push(frame);
			flusher.add(outbox);
		};
		const flusher = new Flusher(5);
		for (const o of outboxes) send(flusher, o, first);
		// One turn of the event loop: the first chunk is written, the rest wait for the next turns.
		await new Promise((r) => setImmediate(r));
		const reached = outboxes.filter((o) => o.writes.length > 0).length;
		expect(reached).toBeGreaterThan(0);
		expect(reached).toBeLessThan(outboxes.length);
		const [early, late] = [outboxes[0], outboxes[outboxes.length - 1]];
		send(flusher, early, second);
		send(flusher, late, second);
		// The early one's second write comes after the pause that follows this write, so the late one's write is done by then.
		await vi.waitFor(() => expect(early.writes.length).toBe(2), { timeout: 2_000, interval: 1 });
		// Not reached yet: both frames in its one write. Reached already: the second in a write of its own, after the pause.
		expect(late.writes).toEqual([[first, second]]);
		expect(early.writes).toEqual([[first], [second]]);
		expect(outboxes.every((o) => o.writes.length >= 1 && !o.queued)).toBe(true);
	});
});
