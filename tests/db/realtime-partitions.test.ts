// realtime.messages is partitioned by day, as on Supabase: the partitions from
// yesterday to three days ahead exist, those older than 72 hours are dropped,
// and every partition, those created later included, is in the publication
// the Realtime server reads. Here the clock is moved on (a database of this
// file's own), as the janitor of a long-running stack would meet the days;
// and a database bootstrapped before messages were partitioned is converted
// on its next start, keeping the policies migrations put on the table.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../supabase/local/config.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { stackInfo } from '../helpers/stack.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(2);
});

afterAll(async () => {
	await db?.close();
});

const DAY = 86_400_000;
const name = (at: number) => `messages_${new Date(at).toISOString().slice(0, 10).replaceAll('-', '_')}`;

async function partitions(): Promise<string[]> {
	const { rows } = await db.pool.query<{ name: string }>(
		`select c.relname as name from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
		  where i.inhparent = 'realtime.messages'::regclass order by 1`
	);
	return rows.map((r) => r.name);
}

async function published(): Promise<string[]> {
	const { rows } = await db.pool.query<{ name: string }>(
		`select tablename as name from pg_catalog.pg_publication_tables
		  where pubname = 'supabase_realtime_messages_publication' and schemaname = 'realtime' order by 1`
	);
	return rows.map((r) => r.name);
}

async function maintain(at: number): Promise<Array<{ partition: string; action: string }>> {
	const { rows } = await db.pool.query('select partition, action from realtime.local_maintain_messages($1)', [new Date(at).toISOString()]);
	return rows;
}

describe('daily partitions of realtime.messages', () => {
	it('roll over with the days: created ahead, dropped after three days, each one published', async () => {
		const now = Date.now();
		// Bootstrap made them for today's neighbourhood; maintaining again today changes nothing.
		expect(await partitions()).toEqual(expect.arrayContaining([-1, 0, 1, 2, 3].map((d) => name(now + d * DAY))));
		expect(await maintain(now)).toEqual([]);

		// Ten days later: five new ones; every partition older than 72 hours is gone.
		const later = now + 10 * DAY;
		const changes = await maintain(later);
		expect(changes.filter((c) => c.action === 'created').map((c) => c.partition)).toEqual([-1, 0, 1, 2, 3].map((d) => name(later + d * DAY)));
		expect(changes.filter((c) => c.action === 'dropped').map((c) => c.partition).sort()).toEqual(
			[-1, 0, 1, 2, 3].map((d) => name(now + d * DAY)).sort()
		);
		const expected = [-1, 0, 1, 2, 3].map((d) => name(later + d * DAY));
		expect(await partitions()).toEqual(expected);
		// The publication names the partitioned table, so partitions made later publish their inserts too.
		expect(await published()).toEqual(expected);

		// A message of a day that has no partition any more is lost with a warning, never an error for the writer.
		const client = await db.pool.connect();
		try {
			const warnings: string[] = [];
			client.on('notice', (n) => warnings.push(n.message ?? ''));
			await client.query(`select realtime.send('{}', 'lost', 'room')`);
			expect(warnings.some((w) => /WarnSendingBroadcastMessage: no partition of relation "messages" found for row/.test(w))).toBe(true);
			// Its own day's partition takes a message of that day.
			await client.query(
				`insert into realtime.messages (topic, extension, payload, event, private, inserted_at) values ('room', 'broadcast', '{}', 'later', true, $1::timestamptz at time zone 'utc')`,
				[new Date(later).toISOString()]
			);
			const { rows } = await client.query(`select tableoid::regclass::text as partition from realtime.messages where topic = 'room'`);
			expect(rows).toEqual([{ partition: `realtime.${name(later)}` }]);
		} finally {
			client.release();
		}

		// A partition whose whole day is not yet 72 hours old stays: three days and a bit later, the day before `later` is kept.
		const after = await maintain(later + 3 * DAY + 60_000);
		expect(after.filter((c) => c.action === 'dropped').map((c) => c.partition)).toEqual([name(later - DAY)]);
		expect(await partitions()).toContain(name(later));
	});
});

describe('a database bootstrapped before realtime.messages was partitioned', () => {
	it('gets the partitioned table on the next bootstrap, with the same policies and publication', async () => {
		const name = `test_unpartitioned_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
		const admin = new pg.Client({ connectionString: stackInfo().databaseUrl });
		await admin.connect();
		await admin.query(`create database ${name}`);
		const url = new URL(stackInfo().databaseUrl);
		url.pathname = `/${name}`;
		const client = new pg.Client({ connectionString: url.toString() });
		try {
			await client.connect();
			// The table as bootstrap.sql made it before, with a policy a migration added and a message in it.
			await client.query(`
				create schema realtime;
				create table realtime.messages (
					topic text not null, extension text not null, payload jsonb, event text, private boolean default false,
					updated_at timestamp not null default now(), inserted_at timestamp not null default now(),
					id uuid not null default gen_random_uuid(), constraint messages_pkey primary key (id, inserted_at));
				create index messages_inserted_at_idx on realtime.messages (inserted_at);
				alter table realtime.messages enable row level security;
				create policy "Readers of a room can follow it" on realtime.messages for select to public
					using (extension = 'broadcast' and topic like 'room:%');
				create publication supabase_realtime_messages_publication for table realtime.messages with (publish = 'insert');
				insert into realtime.messages (topic, extension, payload, event) values ('room:1', 'broadcast', '{}', 'old');
			`);
			const bootstrapSql = readFileSync(path.join(projectRoot, 'supabase/local/bootstrap.sql'), 'utf8');
			const bootstrap = async () => {
				// Roles are shared by the cluster: one bootstrap at a time, as the stack runs it.
				await client.query('select pg_advisory_lock(hashtext($1))', ['foldwork.bootstrap']);
				try {
					await client.query(bootstrapSql);
				} finally {
					await client.query('select pg_advisory_unlock(hashtext($1))', ['foldwork.bootstrap']);
				}
			};
			await bootstrap();
			const { rows: table } = await client.query(`select relkind, relrowsecurity from pg_catalog.pg_class where oid = 'realtime.messages'::regclass`);
			expect(table).toEqual([{ relkind: 'p', relrowsecurity: true }]);
			const { rows: policies } = await client.query(
				`select policyname, permissive, roles::text[] as roles, cmd, qual from pg_catalog.pg_policies where schemaname = 'realtime' and tablename = 'messages'`
			);
			expect(policies).toEqual([
				{
					policyname: 'Readers of a room can follow it',
					permissive: 'PERMISSIVE',
					roles: ['public'],
					cmd: 'SELECT',
					qual: "((extension = 'broadcast'::text) AND (topic ~~ 'room:%'::text))"
				}
			]);
			const { rows: publicationTables } = await client.query(
				`select count(*)::int as n from pg_catalog.pg_publication_tables where pubname = 'supabase_realtime_messages_publication' and tablename like 'messages_%'`
			);
			expect(publicationTables[0].n).toBe(5);
			await client.query(`select realtime.send('{}', 'new', 'room:1')`);
			const { rows: messages } = await client.query(`select event from realtime.messages order by event`);
			expect(messages).toEqual([{ event: 'new' }]);
			// Idempotent: the next start changes nothing.
			await bootstrap();
			expect((await client.query(`select count(*)::int as n from pg_catalog.pg_policies where schemaname = 'realtime'`)).rows[0].n).toBe(1);
		} finally {
			await client.end().catch(() => {});
			await admin.query(`drop database if exists ${name} with (force)`);
			await admin.end();
		}
	});
});
