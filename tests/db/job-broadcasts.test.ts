// A job's messages, timeline events and end-of-job notifications are
// written once per statement (20261210000200, 20261210000300): a statement
// that moves many jobs, as the fleet's dispatch, claim and finish do, must
// still give each job exactly the messages, the event and the notification
// that one job alone gets, with the contents the topics promise; changes a
// viewer cannot see send nothing; and a message that cannot be written never
// fails the job's own write.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, openTestDatabase, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
let user: TestUser;

beforeAll(async () => {
	db = await openTestDatabase(3);
	user = await createUser(db.pool);
});
afterAll(async () => {
	await db?.close();
});

interface Message {
	id: string;
	topic: string;
	event: string;
	payload: Record<string, unknown>;
	private: boolean;
}

async function insertJobs(client: pg.PoolClient, count: number): Promise<string[]> {
	const { rows } = await client.query<{ id: string }>(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input)
		 select $1, 'protein-properties', $2, 'job ' || i, '{"sequences":[{"id":"P1","sequence":"MKV"}]}' from generate_series(1, $3) i
		 returning id`,
		[user.teamId, user.id, count]
	);
	return rows.map((r) => r.id);
}

/** The messages on these jobs' topics and the team's, in the order they were written. */
async function messagesOn(client: pg.PoolClient, ids: string[]): Promise<Message[]> {
	const topics = [...ids.map((id) => `job:${id}`), `team:${user.teamId}`];
	const { rows } = await client.query<Message>(
		`select id, topic, event, payload, private from realtime.messages where topic = any ($1) order by ctid`,
		[topics]
	);
	return rows;
}

function count(messages: Message[], topic: string, event: string): number {
	return messages.filter((m) => m.topic === topic && m.event === event).length;
}

describe('job broadcasts and events, one statement for many jobs', () => {
	it('gives each job of a multi-row insert and update its own messages and event', async () => {
		const client = await db.pool.connect();
		try {
			await client.query('begin');
			const ids = await insertJobs(client, 3);
			const team = `team:${user.teamId}`;
			let messages = await messagesOn(client, ids);
			expect(count(messages, team, 'job_added')).toBe(3);
			// A new job's topic has no one on it yet (its id did not exist): its "Submitted" event is not sent.
			for (const id of ids) expect(count(messages, `job:${id}`, 'event_added')).toBe(0);
			expect(messages.every((m) => m.private)).toBe(true);
			const added = messages.filter((m) => m.event === 'job_added').map((m) => (m.payload.job as { id: string }).id);
			expect(added.sort()).toEqual([...ids].sort());

			// One UPDATE moves all three, described by the caller as the dispatcher does.
			await client.query(`select set_config('foldwork.status_message', 'Queued for a cpu worker', true)`);
			await client.query(`update public.jobs set status = 'queued' where id = any ($1)`, [ids]);
			await client.query(`select set_config('foldwork.status_message', '', true)`);
			messages = await messagesOn(client, ids);
			for (const id of ids) {
				const onJob = messages.filter((m) => m.topic === `job:${id}`);
				expect(onJob.map((m) => m.event)).toEqual(['job_updated', 'event_added']);
				// What an outsider with the link may see: private.job_json's shape, no submitter.
				const { rows } = await client.query('select private.job_json($1, false, false) as job', [id]);
				expect(onJob[0].payload).toEqual({ job: rows[0].job, id: onJob[0].id });
				// The timeline's message is the team's; outsiders get none for this step.
				expect(onJob[1].payload.event).toMatchObject({ from_status: 'pending', to_status: 'queued', message: null });
			}
			expect(count(messages, team, 'job_updated')).toBe(3);
			const listed = messages.find((m) => m.topic === team && m.event === 'job_updated')?.payload.job as Record<string, unknown>;
			expect(listed).toMatchObject({ status: 'queued', submitted_by: user.id });
			expect(listed).not.toHaveProperty('input');
			const { rows: events } = await client.query(
				`select job_id, from_status, to_status, message from public.job_events where job_id = any ($1) order by id`,
				[ids]
			);
			expect(events.filter((e) => e.to_status === 'queued' && e.message === 'Queued for a cpu worker')).toHaveLength(3);
			expect(events.filter((e) => e.to_status === 'pending').every((e) => e.message === 'Submitted')).toBe(true);

			// A heartbeat changes nothing a viewer sees: nothing is sent.
			const before = messages.length;
			await client.query(`update public.jobs set heartbeat_at = now() where id = any ($1)`, [ids]);
			expect((await messagesOn(client, ids)).length).toBe(before);

			// Progress: both topics hear of it; the timeline does not (no status change).
			await client.query(`update public.jobs set progress = 50, progress_message = 'half' where id = $1`, [ids[0]]);
			messages = (await messagesOn(client, ids)).slice(before);
			expect(messages.map((m) => `${m.topic === team ? 'team' : 'job'} ${m.event}`).sort()).toEqual(['job job_updated', 'team job_updated']);
		} finally {
			await client.query('rollback');
			client.release();
		}
	});

	it("notifies each ended job's submitter once, on their own topic, as they asked", async () => {
		const client = await db.pool.connect();
		try {
			await client.query('begin');
			await client.query(`insert into public.notification_preferences (user_id, kind, delivery) values ($1, 'job_timeout', 'off')`, [user.id]);
			const ids = await insertJobs(client, 3);
			await client.query(`update public.jobs set status = 'queued' where id = any ($1)`, [ids]);
			await client.query(`update public.jobs set status = 'processing' where id = any ($1)`, [ids]);
			// One finishing statement, as the worker records outcomes.
			await client.query(
				`update public.jobs set status = (array['completed', 'failed', 'timeout']::public.job_status[])[array_position($1::uuid[], id)],
				   error_message = case when id <> $1[1] then 'the input could not be parsed' end
				 where id = any ($1)`,
				[ids]
			);
			const { rows: notes } = await client.query(`select id, kind, title, body, link from public.notifications where user_id = $1 order by kind`, [user.id]);
			expect(notes).toEqual([
				{ id: expect.any(String), kind: 'job_completed', title: 'Job "job 1" completed', body: null, link: `/app/tools/protein-properties?jobId=${ids[0]}` },
				{ id: expect.any(String), kind: 'job_failed', title: 'Job "job 2" failed', body: 'the input could not be parsed', link: `/app/tools/protein-properties?jobId=${ids[1]}` }
			]);
			const { rows: sent } = await client.query(`select payload from realtime.messages where topic = $1 and event = 'notification_added'`, [`user:${user.id}`]);
			expect(sent.map((m) => m.payload.notification.id).sort()).toEqual(notes.map((n) => n.id).sort());
			const { rows: recipients } = await client.query('select count(*)::int as n from private.notification_recipients where user_id = $1', [user.id]);
			expect(recipients[0].n).toBe(1);
		} finally {
			await client.query('rollback');
			client.release();
		}
	});

	it('tells the fleet of every job submitted and cancelled in one statement', async () => {
		const listener = new pg.Client({ connectionString: db.url });
		await listener.connect();
		const heard: Array<[string, string]> = [];
		listener.on('notification', (n) => heard.push([n.channel, n.payload ?? '']));
		await listener.query('listen foldwork_job_pending');
		await listener.query('listen foldwork_job_cancel');
		const client = await db.pool.connect();
		try {
			await client.query('begin');
			const ids = await insertJobs(client, 2);
			await client.query(`update public.jobs set status = 'cancelled' where id = any ($1)`, [ids]);
			await client.query('commit');
			const expected = [...ids.map((id) => ['foldwork_job_pending', id]), ...ids.map((id) => ['foldwork_job_cancel', id])];
			await expect.poll(() => heard.length).toBe(expected.length);
			expect([...heard].sort()).toEqual(expected.sort());
		} finally {
			client.release();
			await listener.end();
		}
	});

	it('never fails a job\'s write when its messages cannot be written', async () => {
		const client = await db.pool.connect();
		const warnings: string[] = [];
		const onNotice = (n: { message?: string }) => warnings.push(n.message ?? '');
		client.on('notice', onNotice);
		try {
			await client.query('begin');
			// No partition for the messages to go to: each insert into realtime.messages fails.
			const { rows: parts } = await client.query<{ name: string }>(
				`select c.relname as name from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
				  where i.inhparent = 'realtime.messages'::regclass`
			);
			for (const { name } of parts) await client.query(`alter table realtime.messages detach partition realtime.${pg.escapeIdentifier(name)}`);
			const ids = await insertJobs(client, 2);
			await client.query(`update public.jobs set status = 'queued' where id = any ($1)`, [ids]);
			const { rows } = await client.query(`select count(*)::int as n from public.job_events where job_id = any ($1)`, [ids]);
			expect(rows[0].n).toBe(4);
			expect(warnings.some((w) => w.startsWith('WarnSendingBroadcastMessage'))).toBe(true);
		} finally {
			client.off('notice', onNotice);
			await client.query('rollback');
			client.release();
		}
	});
});
