// Broadcast from the database (realtime.send, realtime.broadcast_changes)
// through the real supabase-js client: delivery to the private topic's
// readers only, the wire format (binary frames with the message id on vsn
// 2.0.0, JSON on 1.0.0), no delivery of rolled-back or refused sends, the
// re-check of readers after an access change (`access_changed`) and after a
// new access token, and the daily partitions of realtime.messages (delivery
// from each, old ones dropped; the clock moved on: tests/db). Every wait has a
// deadline; "never receives" is shown by a later message arriving first.
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMessageJanitor } from '../../supabase/local/realtime/database-broadcast.ts';
import { PrivateChannels } from '../../supabase/local/realtime/private-channels.ts';
import { Inbox } from '../helpers/inbox.ts';
import { userToken } from '../helpers/rest.ts';
import { adminPool, stackInfo } from '../helpers/stack.ts';

type Message = { type: string; event: string; payload: Record<string, unknown>; meta?: { id?: string } };
type Status = { status: string; at: number };

const clients: SupabaseClient[] = [];
let admin: pg.Pool;
const prefix = `rt-db-${randomUUID().slice(0, 8)}`;
const grants = `rt_db_grants_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
const items = `rt_db_items_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
const alice = randomUUID();
const bob = randomUUID();
const carol = randomUUID();

/** A client joined to a private (or public) topic, collecting broadcasts and channel states. */
async function listen(topic: string, opts: { user?: string; private?: boolean; vsn?: string } = {}) {
	const state = { token: opts.user ? userToken(opts.user) : stackInfo().anonKey };
	const c = createClient(stackInfo().apiUrl, stackInfo().anonKey, { accessToken: async () => state.token, realtime: opts.vsn ? { vsn: opts.vsn } : {} });
	clients.push(c);
	await c.realtime.setAuth(state.token);
	const inbox = new Inbox<Message>();
	const statuses = new Inbox<Status>();
	const channel: RealtimeChannel = c.channel(topic, { config: { private: opts.private ?? true } }).on('broadcast', { event: '*' }, (m) => inbox.push(m as Message));
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`joining ${topic} timed out`)), 8_000);
		channel.subscribe((status, error) => {
			statuses.push({ status, at: Date.now() });
			if (status === 'SUBSCRIBED') {
				clearTimeout(timer);
				resolve();
			} else if (status === 'CHANNEL_ERROR' && !statuses.items.some((s) => s.status === 'SUBSCRIBED')) {
				clearTimeout(timer);
				reject(error ?? new Error(status));
			}
		});
	});
	return {
		inbox,
		statuses,
		channel,
		async setToken(next: string) {
			state.token = next;
			await c.realtime.setAuth(next);
		}
	};
}

const grant = (topic: string, user: string) => admin.query(`insert into public.${grants} (topic, user_id) values ($1, $2)`, [topic, user]);
const send = (topic: string, event: string, payload: object, isPrivate = true) =>
	admin.query('select realtime.send($1::jsonb, $2, $3, $4)', [JSON.stringify(payload), event, topic, isPrivate]);

beforeAll(async () => {
	admin = adminPool(3);
	// Private topics `<prefix>-...` are readable by the users granted them in a table.
	await admin.query(`
		create table public.${grants} (topic text not null, user_id uuid not null);
		grant select on public.${grants} to authenticated;
		create policy "${prefix} granted users can read" on realtime.messages for select to authenticated
			using (exists (select from public.${grants} g where g.topic = (select realtime.topic()) and g.user_id = (select auth.uid())));
		create table public.${items} (id integer primary key, body text not null);
		create function public.${items}_broadcast() returns trigger language plpgsql security definer set search_path = '' as $$
		begin
			perform realtime.broadcast_changes('${prefix}-items', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
			return null;
		end;
		$$;
		create trigger ${items}_broadcast after insert or update or delete on public.${items}
			for each row execute function public.${items}_broadcast();
	`);
});

afterEach(async () => {
	for (const c of clients.splice(0)) await c.removeAllChannels();
});

afterAll(async () => {
	await admin.query(`
		drop policy if exists "${prefix} granted users can read" on realtime.messages;
		drop table if exists public.${grants};
		drop table if exists public.${items};
		drop function if exists public.${items}_broadcast();
	`);
	await admin.end();
});

describe('realtime.send', () => {
	it('reaches the readers of the private topic with the message id, on vsn 2.0.0 and 1.0.0', async () => {
		const topic = `${prefix}-send`;
		await grant(topic, alice);
		const v2 = await listen(topic, { user: alice });
		const v1 = await listen(topic, { user: alice, vsn: '1.0.0' });
		await send(topic, 'hello', { n: 1 });
		for (const listener of [v2, v1]) {
			const got = await listener.inbox.next((m) => m.event === 'hello', 'the message from the database');
			expect(got.type).toBe('broadcast');
			expect(got.payload).toMatchObject({ n: 1, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
			// The message's id travels as its meta too, as Supabase sends it.
			expect(got.meta).toEqual({ id: got.payload.id });
		}
		const { rows } = await admin.query('select payload, private, extension from realtime.messages where topic = $1', [topic]);
		expect(rows).toEqual([{ payload: { n: 1, id: expect.any(String) }, private: true, extension: 'broadcast' }]);
	});

	it('keeps private and public topics of one name apart', async () => {
		const topic = `${prefix}-apart`;
		await grant(topic, alice);
		const privateRoom = await listen(topic, { user: alice });
		const publicRoom = await listen(topic, { private: false });
		await send(topic, 'secret', {});
		await send(topic, 'open', {}, false);
		await publicRoom.inbox.next((m) => m.event === 'open', 'the public message');
		await send(topic, 'secret-2', {});
		await privateRoom.inbox.next((m) => m.event === 'secret-2', 'the second private message');
		expect(publicRoom.inbox.items.map((m) => m.event)).toEqual(['open']);
		expect(privateRoom.inbox.items.map((m) => m.event)).toEqual(['secret', 'secret-2']);
	});

	it('refuses the join to whom the policies give no read, and to anonymous visitors', async () => {
		const topic = `${prefix}-refused`;
		await grant(topic, alice);
		for (const user of [bob, undefined]) {
			await expect(listen(topic, { user })).rejects.toThrow(`Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`);
		}
	});

	it('never delivers a rolled-back send, and turns a refused one into a warning without failing the caller', async () => {
		const topic = `${prefix}-lost`;
		await grant(topic, alice);
		const listener = await listen(topic, { user: alice });
		const client = await admin.connect();
		const warnings: string[] = [];
		client.on('notice', (n) => warnings.push(n.message ?? ''));
		try {
			await client.query('begin');
			await client.query(`select realtime.send('{}', 'rolled-back', $1)`, [topic]);
			await client.query('rollback');
			// As a signed-in user: realtime.send runs as its caller, and no policy lets users insert here.
			await client.query('begin');
			await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: alice, role: 'authenticated' })]);
			await client.query(`select realtime.send('{}', 'refused', $1)`, [topic]);
			await client.query('commit');
		} finally {
			client.release();
		}
		expect(warnings.some((w) => w.startsWith('WarnSendingBroadcastMessage: new row violates row-level security policy'))).toBe(true);
		await send(topic, 'marker', {});
		await listener.inbox.next((m) => m.event === 'marker', 'the marker');
		expect(listener.inbox.items.map((m) => m.event)).toEqual(['marker']);
	});
});

describe('realtime.broadcast_changes', () => {
	it('sends each row change from a trigger as {old_record, record, operation, table, schema}', async () => {
		const topic = `${prefix}-items`;
		await grant(topic, alice);
		const listener = await listen(topic, { user: alice });
		await admin.query(`insert into public.${items} (id, body) values (1, 'first')`);
		await admin.query(`update public.${items} set body = 'second' where id = 1`);
		await admin.query(`delete from public.${items} where id = 1`);
		const del = await listener.inbox.next((m) => m.event === 'DELETE', 'the delete');
		const [insert, update] = listener.inbox.items;
		expect(insert).toMatchObject({ event: 'INSERT', payload: { operation: 'INSERT', table: items, schema: 'public', record: { id: 1, body: 'first' }, old_record: null } });
		expect(update).toMatchObject({ event: 'UPDATE', payload: { operation: 'UPDATE', record: { id: 1, body: 'second' }, old_record: { id: 1, body: 'first' } } });
		expect(del).toMatchObject({ event: 'DELETE', payload: { operation: 'DELETE', record: null, old_record: { id: 1, body: 'second' } } });
	});

	it('refuses statement-level use and unknown operations', async () => {
		const call = (operation: string, level: string) =>
			admin.query(`select realtime.broadcast_changes('t', 'e', $1, 'x', 'public', null::record, null::record, $2)`, [operation, level]).then(
				() => null,
				(e: Error) => e.message
			);
		expect(await call('INSERT', 'STATEMENT')).toBe('Failed to process the row: function can only be triggered for each row, not for each statement');
		expect(await call('TRUNCATE', 'ROW')).toBe('Failed to process the row: Unexpected operation type: TRUNCATE');
	});
});

describe('access changes', () => {
	it('closes the channels of readers who lost access within a second of an access_changed message, before anything after it', async () => {
		const topic = `${prefix}-revoke`;
		await grant(topic, alice);
		await grant(topic, carol);
		const kept = await listen(topic, { user: alice });
		const revoked = await listen(topic, { user: carol });
		const client = await admin.connect();
		let committedAt = 0;
		try {
			await client.query('begin');
			await client.query(`delete from public.${grants} where topic = $1 and user_id = $2`, [topic, carol]);
			await client.query(`select realtime.send('{}', 'access_changed', $1)`, [topic]);
			await client.query('commit');
			committedAt = Date.now();
		} finally {
			client.release();
		}
		await send(topic, 'after', {});
		const closed = await revoked.statuses.next((s) => s.status === 'CLOSED', 'the revoked channel closing', 2_000);
		expect(closed.at - committedAt).toBeLessThan(1_000);
		await kept.inbox.next((m) => m.event === 'after', 'the message after the change, at the reader who kept access');
		expect(revoked.inbox.items.map((m) => m.event)).not.toContain('after');
		expect(kept.statuses.items.map((s) => s.status)).toEqual(['SUBSCRIBED']);
	});

	it('checks every private channel of the user an access_changed message names', async () => {
		const topics = [`${prefix}-user-1`, `${prefix}-user-2`];
		for (const topic of topics) await grant(topic, carol);
		const listeners = [await listen(topics[0], { user: carol }), await listen(topics[1], { user: carol })];
		await admin.query(`delete from public.${grants} where topic = $1 and user_id = $2`, [topics[1], carol]);
		// Sent to a topic nobody reads: only the named user's channels are checked.
		await send(`${prefix}-nobody`, 'access_changed', { user_id: carol });
		await listeners[1].statuses.next((s) => s.status === 'CLOSED', 'the channel whose access went', 2_000);
		await send(topics[0], 'still', {});
		await listeners[0].inbox.next((m) => m.event === 'still', 'a message on the topic still granted');
		expect(listeners[0].statuses.items.map((s) => s.status)).toEqual(['SUBSCRIBED']);
	});

	it('checks the read access again when the client sends a new access token', async () => {
		const topic = `${prefix}-token`;
		await grant(topic, alice);
		const listener = await listen(topic, { user: alice });
		await admin.query(`delete from public.${grants} where topic = $1`, [topic]);
		// No access_changed: the change is seen at the next token.
		await send(topic, 'before-token', {});
		await listener.inbox.next((m) => m.event === 'before-token', 'the message sent before the new token');
		await listener.setToken(userToken(alice, { iat: Math.floor(Date.now() / 1000) + 1 }));
		await listener.statuses.next((s) => s.status === 'CLOSED', 'the channel closing after the new token');
	});
});

describe('the re-check after an access change', () => {
	it('waits until the change\'s transaction is visible, so it never sees the access as it was', async () => {
		const topic = `${prefix}-visible`;
		await grant(topic, carol);
		// Logical decoding hands over a commit before its writer is visible to new snapshots: here the writer has not committed yet.
		const writer = await admin.connect();
		const checkerPool = new pg.Pool({ connectionString: stackInfo().databaseUrl, max: 1 });
		try {
			await writer.query('begin');
			const { rows } = await writer.query<{ xid: string }>(
				`delete from public.${grants} where topic = $1 and user_id = $2 returning pg_catalog.txid_current()::text as xid`,
				[topic, carol]
			);
			const xid = Number(BigInt(rows[0].xid) % 2n ** 32n);
			const checks = new PrivateChannels(checkerPool, (message) => {
				throw new Error(message);
			});
			let settled = false;
			const verdict = checks.readPolicies(topic, { sub: carol, role: 'authenticated' }, xid).finally(() => (settled = true));
			const deadline = Date.now() + 5_000;
			while (!(await admin.query(`select from pg_catalog.pg_stat_activity where datname = current_database() and wait_event = 'PgSleep' and query like '%local_await_writer%'`)).rowCount) {
				if (Date.now() > deadline) throw new Error('the check never waited');
			}
			expect(settled).toBe(false);
			await writer.query('commit');
			expect(await verdict).toEqual({ broadcast: false, presence: false });
		} finally {
			await writer.query('rollback').catch(() => {});
			writer.release();
			await checkerPool.end();
		}
	});
});

describe('daily partitions', () => {
	// The partitions of realtime.messages, by name.
	const partitions = async () =>
		(
			await admin.query<{ name: string }>(
				`select c.relname as name from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
				  where i.inhparent = 'realtime.messages'::regclass order by 1`
			)
		).rows.map((r) => r.name);
	const dayName = (offsetDays: number) => {
		const d = new Date(Date.now() + offsetDays * 86_400_000);
		return `messages_${d.toISOString().slice(0, 10).replaceAll('-', '_')}`;
	};

	it('exist from yesterday to three days ahead, and a message in a later day\'s partition is delivered like today\'s', async () => {
		expect(await partitions()).toEqual(expect.arrayContaining([-1, 0, 1, 2, 3].map(dayName)));
		const topic = `${prefix}-tomorrow`;
		await grant(topic, alice);
		const listener = await listen(topic, { user: alice });
		// Written as if it were tomorrow (UTC): it lands in tomorrow's partition, which the publication covers too.
		await admin.query(
			`insert into realtime.messages (topic, extension, payload, event, private, inserted_at)
			 values ($1, 'broadcast', '{"day":"tomorrow"}', 'tomorrow', true, (now() at time zone 'utc') + interval '1 day')`,
			[topic]
		);
		await send(topic, 'today', { day: 'today' });
		await listener.inbox.next((m) => m.event === 'today', 'today\'s message');
		expect(listener.inbox.items.map((m) => [m.event, m.payload.day])).toEqual([
			['tomorrow', 'tomorrow'],
			['today', 'today']
		]);
		const { rows } = await admin.query(`select tableoid::regclass::text as partition, event from realtime.messages where topic = $1 order by event`, [topic]);
		expect(rows).toEqual([
			{ partition: `realtime.${dayName(0)}`, event: 'today' },
			{ partition: `realtime.${dayName(1)}`, event: 'tomorrow' }
		]);
	});

	it('older than three days are dropped by the janitor, with their messages', async () => {
		// A partition left from five days ago (a stack that was stopped meanwhile), with a message in it.
		const old = dayName(-5);
		const day = old.slice('messages_'.length).replaceAll('_', '-');
		await admin.query(`create table realtime.${old} partition of realtime.messages for values from ('${day}') to ('${day}'::date + 1)`);
		await admin.query(`insert into realtime.messages (topic, extension, payload, event, private, inserted_at) values ($1, 'broadcast', '{}', 'old', true, $2::date + time '12:00')`, [
			`${prefix}-old`,
			day
		]);
		const pool = new pg.Pool({ connectionString: stackInfo().databaseUrl, max: 1 });
		const stop = startMessageJanitor(pool, (message) => {
			throw new Error(message);
		});
		try {
			const deadline = Date.now() + 5_000;
			while ((await partitions()).includes(old)) {
				if (Date.now() > deadline) throw new Error(`${old} is still there`);
			}
		} finally {
			stop();
			await pool.end();
			await admin.query(`drop table if exists realtime.${old}`);
		}
		expect(await partitions()).toEqual(expect.arrayContaining([-1, 0, 1, 2, 3].map(dayName)));
		expect((await admin.query(`select from realtime.messages where topic = $1`, [`${prefix}-old`])).rowCount).toBe(0);
	});
});
