// Broadcast (self, ack, binary, REST), Presence across clients, and private
// channels authorized by RLS on realtime.messages, through the real
// supabase-js client. Every wait has a deadline; "not received" is shown by a
// later message arriving first on the same socket.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userToken } from '../helpers/rest.ts';
import { adminPool, stackInfo } from '../helpers/stack.ts';
import { Inbox } from '../helpers/inbox.ts';
import { subscribe } from '../helpers/realtime.ts';

type Message = { event: string; payload: unknown; type: string };


const clients: SupabaseClient[] = [];
let admin: pg.Pool;
const prefix = `rt-bp-${randomUUID().slice(0, 8)}`;
const alice = randomUUID();
const bob = randomUUID();

async function client(token?: string, vsn?: string): Promise<SupabaseClient> {
	const value = token ?? stackInfo().anonKey;
	const c = createClient(stackInfo().apiUrl, stackInfo().anonKey, { accessToken: async () => value, realtime: vsn ? { vsn } : {} });
	clients.push(c);
	await c.realtime.setAuth(value);
	return c;
}

/** A subscribed channel on `topic` collecting every broadcast. */
async function room(topic: string, opts: { token?: string; self?: boolean; ack?: boolean; private?: boolean; vsn?: string } = {}) {
	const c = await client(opts.token, opts.vsn);
	const inbox = new Inbox<Message>();
	const channel = c
		.channel(topic, { config: { broadcast: { self: opts.self ?? false, ack: opts.ack ?? false }, private: opts.private ?? false } })
		.on('broadcast', { event: '*' }, (m) => inbox.push(m as Message));
	await subscribe(channel);
	return { channel, inbox, client: c };
}

beforeAll(async () => {
	admin = adminPool();
	// Private rooms: `<prefix>-room-<uid>` is readable and writable by that user only.
	await admin.query(`
		create policy "${prefix} users can read their room" on realtime.messages for select to authenticated
			using (realtime.topic() = '${prefix}-room-' || (select auth.uid())::text);
		create policy "${prefix} users can write to their room" on realtime.messages for insert to authenticated
			with check (realtime.topic() = '${prefix}-room-' || (select auth.uid())::text);
	`);
});

afterEach(async () => {
	for (const c of clients.splice(0)) await c.removeAllChannels();
});

afterAll(async () => {
	await admin.query(`
		drop policy if exists "${prefix} users can read their room" on realtime.messages;
		drop policy if exists "${prefix} users can write to their room" on realtime.messages;
	`);
	await admin.end();
});

describe('broadcast', () => {
	it('reaches other subscribers but not the sender without self', async () => {
		const topic = `${prefix}-plain`;
		const a = await room(topic);
		const b = await room(topic);
		expect(await a.channel.send({ type: 'broadcast', event: 'hello', payload: { from: 'a' } })).toBe('ok');
		const got = await b.inbox.next((m) => m.event === 'hello', 'a’s message at b');
		expect(got.payload).toEqual({ from: 'a' });
		await b.channel.send({ type: 'broadcast', event: 'reply', payload: { from: 'b' } });
		await a.inbox.next((m) => m.event === 'reply', 'b’s reply at a');
		expect(a.inbox.items.some((m) => m.event === 'hello')).toBe(false);
	});

	it('echoes to the sender with self and acknowledges with ack', async () => {
		const a = await room(`${prefix}-self`, { self: true, ack: true });
		expect(await a.channel.send({ type: 'broadcast', event: 'echo', payload: { n: 1 } })).toBe('ok');
		const got = await a.inbox.next((m) => m.event === 'echo', 'own message');
		expect(got.payload).toEqual({ n: 1 });
	});

	it('carries binary payloads between vsn 2.0.0 clients and JSON ones to vsn 1.0.0 clients', async () => {
		const topic = `${prefix}-binary`;
		const sender = await room(topic);
		const v2 = await room(topic);
		const v1 = await room(topic, { vsn: '1.0.0' });
		await sender.channel.send({ type: 'broadcast', event: 'bytes', payload: new Uint8Array([1, 2, 3]).buffer });
		const bytes = await v2.inbox.next((m) => m.event === 'bytes', 'binary payload');
		expect([...new Uint8Array(bytes.payload as ArrayBuffer)]).toEqual([1, 2, 3]);
		await sender.channel.send({ type: 'broadcast', event: 'json', payload: { ok: true } });
		const json = await v1.inbox.next((m) => m.event === 'json', 'JSON payload over vsn 1.0.0');
		expect(json.payload).toEqual({ ok: true });
	});

	it('accepts REST broadcasts (httpSend and POST /api/broadcast)', async () => {
		const topic = `${prefix}-rest`;
		const listener = await room(topic);
		const sender = await client();
		const result = await sender.channel(topic).httpSend('via-http', { n: 1 });
		expect(result).toEqual({ success: true });
		await listener.inbox.next((m) => m.event === 'via-http', 'httpSend message');

		const res = await fetch(`${stackInfo().apiUrl}/realtime/v1/api/broadcast`, {
			method: 'POST',
			headers: { apikey: stackInfo().anonKey, 'content-type': 'application/json' },
			body: JSON.stringify({ messages: [{ topic, event: 'via-batch', payload: { n: 2 } }] })
		});
		expect(res.status).toBe(202);
		const got = await listener.inbox.next((m) => m.event === 'via-batch', 'batch message');
		expect(got.payload).toEqual({ n: 2 });
	});
});

describe('presence', () => {
	it('syncs, joins and leaves across two clients', async () => {
		const topic = `${prefix}-presence`;
		const joinsAtA = new Inbox<{ key: string; newPresences: Array<Record<string, unknown>> }>();
		const leavesAtA = new Inbox<{ key: string; leftPresences: Array<Record<string, unknown>> }>();
		const ca = await client();
		const a = ca
			.channel(topic, { config: { presence: { key: 'alice' } } })
			.on('presence', { event: 'join' }, (p) => joinsAtA.push(p as never))
			.on('presence', { event: 'leave' }, (p) => leavesAtA.push(p as never));
		await subscribe(a);
		expect(await a.track({ name: 'Alice' })).toBe('ok');
		await joinsAtA.next((j) => j.key === 'alice', 'own join');

		const cb = await client();
		const syncs = new Inbox<Record<string, unknown>>();
		const leavesAtB = new Inbox<{ key: string }>();
		const b = cb.channel(topic, { config: { presence: { key: 'bob' } } });
		b.on('presence', { event: 'sync' }, () => syncs.push(b.presenceState()));
		b.on('presence', { event: 'leave' }, (p) => leavesAtB.push(p as never));
		await subscribe(b);
		const state = await syncs.next((s) => 'alice' in s, 'presence state with alice at b');
		expect((state.alice as Array<Record<string, unknown>>)[0]).toMatchObject({ name: 'Alice' });

		expect(await b.track({ name: 'Bob' })).toBe('ok');
		const bobJoin = await joinsAtA.next((j) => j.key === 'bob', 'bob’s join at a');
		expect(bobJoin.newPresences[0]).toMatchObject({ name: 'Bob' });

		expect(await b.untrack()).toBe('ok');
		await leavesAtA.next((l) => l.key === 'bob', 'bob’s untrack at a');

		// Alice leaving the channel (or disconnecting) is announced too.
		await ca.removeChannel(a);
		await leavesAtB.next((l) => l.key === 'alice', 'alice’s leave at b');
		expect(Object.keys(b.presenceState())).toEqual([]);
	});
});

describe('private channels', () => {
	it('lets a user join and use the room the realtime.messages policies give them', async () => {
		const topic = `${prefix}-room-${alice}`;
		const listener = await room(topic, { token: userToken(alice), private: true, self: true });
		await listener.channel.send({ type: 'broadcast', event: 'mine', payload: {} });
		await listener.inbox.next((m) => m.event === 'mine', 'own broadcast in the private room');
	});

	it('refuses the join for another user and for anon', async () => {
		const topic = `${prefix}-room-${alice}`;
		for (const token of [userToken(bob), undefined]) {
			const c = await client(token);
			const error = await new Promise<Error | undefined>((resolve) =>
				c.channel(topic, { config: { private: true } }).subscribe((status, e) => status !== 'SUBSCRIBED' && resolve(e))
			);
			expect(error?.message).toContain(`Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`);
		}
	});

	it('keeps a public channel of the same name separate', async () => {
		const topic = `${prefix}-room-${alice}`;
		const privateRoom = await room(topic, { token: userToken(alice), private: true });
		const publicRoom = await room(topic);
		const sender = await room(topic, { token: userToken(alice), private: true });
		await sender.channel.send({ type: 'broadcast', event: 'secret', payload: {} });
		await privateRoom.inbox.next((m) => m.event === 'secret', 'private message in the private room');
		const publicSender = await room(topic);
		await publicSender.channel.send({ type: 'broadcast', event: 'open', payload: {} });
		await publicRoom.inbox.next((m) => m.event === 'open', 'public message');
		expect(publicRoom.inbox.items.some((m) => m.event === 'secret')).toBe(false);
	});
});
