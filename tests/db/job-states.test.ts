// The job state machine of DESIGN.md, enforced by a trigger: every legal
// transition works and records an event, every other one is refused with a
// message naming both states, terminal states are final, and the lifecycle
// timestamps come from the database.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempt, createUser, driveJob, inRolledBackTransaction, openTestDatabase, pathTo, type TestDatabase, type TestUser } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const statuses = ['pending', 'queued', 'processing', 'retry', 'completed', 'failed', 'cancelled', 'timeout'];
const terminal = ['completed', 'failed', 'cancelled', 'timeout'];
// DESIGN.md's diagram (plus retry -> cancelled: a user can stop a job waiting to run again).
const legal = new Set([
	'pending>queued',
	'pending>cancelled',
	'queued>processing',
	'queued>cancelled',
	'processing>completed',
	'processing>failed',
	'processing>timeout',
	'processing>retry',
	'processing>cancelled',
	'retry>queued',
	'retry>processing',
	'retry>cancelled'
]);

let db: TestDatabase;
let user: TestUser;

beforeAll(async () => {
	db = await openTestDatabase(2);
	user = await createUser(db.pool);
});
afterAll(async () => {
	await db?.close();
});

async function newJob(client: pg.PoolClient | pg.Pool): Promise<string> {
	const { rows } = await client.query(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input) values ($1, 'protein-properties', $2, 'job', $3) returning id`,
		[user.teamId, user.id, { sequences: [{ id: 'a', sequence: 'MKV' }] }]
	);
	return rows[0].id;
}

describe('job state machine', () => {
	it('allows exactly the transitions of the diagram and names both states when refusing', async () => {
		let refused = 0;
		let allowed = 0;
		await inRolledBackTransaction(db.pool, async (client) => {
			for (const from of statuses) {
				for (const to of statuses) {
					if (from === to) continue;
					const jobId = await newJob(client);
					await driveJob(client, jobId, from);
					const { error } = await attempt(
						client,
						`update public.jobs set status = $2::public.job_status, error_message = coalesce(error_message, 'boom') where id = $1`,
						[jobId, to]
					);
					const { rows } = await client.query('select status from public.jobs where id = $1', [jobId]);
					if (legal.has(`${from}>${to}`)) {
						expect(error, `${from} -> ${to}`).toBeNull();
						expect(rows[0].status).toBe(to);
						allowed++;
					} else {
						expect(error?.code, `${from} -> ${to}`).toBe('23514');
						const message = terminal.includes(from)
							? `job status cannot change from ${from} to ${to}: ${from} is final`
							: `job status cannot change from ${from} to ${to}`;
						expect(error?.message).toBe(message);
						expect(rows[0].status).toBe(from);
						refused++;
					}
				}
			}
		});
		expect(allowed).toBe(legal.size);
		expect(refused).toBe(statuses.length * (statuses.length - 1) - legal.size);
	});

	it('creates jobs as pending only', async () => {
		for (const status of statuses.filter((s) => s !== 'pending')) {
			await expect(
				db.pool.query(
					`insert into public.jobs (team_id, tool_id, submitted_by, name, input, status) values ($1, 'protein-properties', $2, 'j', '{"sequences":[{}]}', $3)`,
					[user.teamId, user.id, status]
				)
			).rejects.toThrow(`a new job starts as pending, not ${status}`);
		}
	});

	it('records every status change in the timeline, with messages', async () => {
		const jobId = await newJob(db.pool);
		await db.pool.query(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
		await db.pool.query(`update public.jobs set status = 'processing', progress = 10, progress_message = 'Aligning 1 of 3' where id = $1`, [jobId]);
		await db.pool.query(`update public.jobs set progress = 50 where id = $1`, [jobId]);
		await db.pool.query(`update public.jobs set status = 'failed', error_message = 'line 3: ''J'' is not an amino acid' where id = $1`, [jobId]);
		const { rows } = await db.pool.query('select from_status, to_status, message from public.job_events where job_id = $1 order by id', [jobId]);
		expect(rows).toEqual([
			{ from_status: null, to_status: 'pending', message: 'Submitted' },
			{ from_status: 'pending', to_status: 'queued', message: null },
			{ from_status: 'queued', to_status: 'processing', message: 'Aligning 1 of 3' },
			{ from_status: 'processing', to_status: 'failed', message: "line 3: 'J' is not an amino acid" }
		]);
	});

	it('sets queued_at, started_at, finished_at and updated_at itself, and ignores writes to them', async () => {
		const jobId = await newJob(db.pool);
		const at = async () => (await db.pool.query('select queued_at, started_at, finished_at, updated_at, created_at, attempt from public.jobs where id = $1', [jobId])).rows[0];
		const created = await at();
		expect([created.queued_at, created.started_at, created.finished_at]).toEqual([null, null, null]);
		await db.pool.query(`update public.jobs set queued_at = '2000-01-01', started_at = '2000-01-01', finished_at = '2000-01-01' where id = $1`, [jobId]);
		expect(await at()).toMatchObject({ queued_at: null, started_at: null, finished_at: null });
		await db.pool.query(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
		const queued = await at();
		expect(queued.queued_at).toBeInstanceOf(Date);
		await db.pool.query(`update public.jobs set status = 'processing' where id = $1`, [jobId]);
		await db.pool.query(`update public.jobs set status = 'retry' where id = $1`, [jobId]);
		await db.pool.query(`update public.jobs set status = 'processing' where id = $1`, [jobId]);
		await db.pool.query(`update public.jobs set status = 'completed', result = '{"rows":[]}' where id = $1`, [jobId]);
		const done = await at();
		expect(done.finished_at.getTime()).toBeGreaterThanOrEqual(done.started_at.getTime());
		expect(done.started_at.getTime()).toBeGreaterThanOrEqual(queued.queued_at.getTime());
		expect(done.attempt).toBe(2);
		expect(done.updated_at.getTime()).toBeGreaterThanOrEqual(done.finished_at.getTime());
		expect(done.created_at).toEqual(created.created_at);
	});

	it('keeps finished jobs final: only name and visibility change', async () => {
		for (const status of terminal) {
			const jobId = await newJob(db.pool);
			await driveJob(db.pool, jobId, status);
			await db.pool.query(`update public.jobs set status = $2::public.job_status where id = $1`, [jobId, status]); // a retried write: no-op
			await db.pool.query(`update public.jobs set name = 'renamed', visibility = 'public' where id = $1`, [jobId]);
			for (const change of [`result = '{"late":true}'`, 'progress = 3', `error_message = 'late'`, `progress_message = 'late'`, 'heartbeat_at = now()']) {
				await expect(db.pool.query(`update public.jobs set ${change} where id = $1`, [jobId]), `${status}: ${change}`).rejects.toThrow(
					`job is ${status} and that is final: only its name and visibility can change`
				);
			}
		}
	});

	it('refuses changes to what was submitted', async () => {
		const jobId = await newJob(db.pool);
		const other = await createUser(db.pool);
		for (const [change, field] of [
			[`input = '{"sequences":[{"id":"b"}]}'`, 'input'],
			[`settings = '{"x":1}'`, 'settings'],
			['credits_charged = 5', 'credits_charged'],
			[`tool_id = 'sequence-tools'`, 'tool_id'],
			[`team_id = '${other.teamId}'`, 'team_id'],
			[`submitted_by = '${other.id}'`, 'submitted_by']
		]) {
			await expect(db.pool.query(`update public.jobs set ${change} where id = $1`, [jobId])).rejects.toThrow(`job ${field} cannot change`);
		}
	});

	it('requires a failed job to say what was wrong, and explains a timeout itself', async () => {
		const jobId = await newJob(db.pool);
		await driveJob(db.pool, jobId, 'processing');
		await expect(db.pool.query(`update public.jobs set status = 'failed' where id = $1`, [jobId])).rejects.toThrow('a failed job needs an error_message');
		await db.pool.query(`update public.jobs set status = 'timeout' where id = $1`, [jobId]);
		const { rows } = await db.pool.query('select error_message, error_code from public.jobs where id = $1', [jobId]);
		expect(rows[0]).toEqual({ error_message: "The run took longer than the tool's time limit of 300 seconds", error_code: 'timeout' });
	});

	it('notifies the worker fleet of new and cancelled jobs on commit', async () => {
		const listener = new pg.Client({ connectionString: db.url });
		await listener.connect();
		try {
			const heard: string[] = [];
			listener.on('notification', (n) => heard.push(`${n.channel}:${n.payload}`));
			await listener.query('listen foldwork_job_pending; listen foldwork_job_cancel');
			const jobId = await newJob(db.pool);
			await db.pool.query(`update public.jobs set status = 'cancelled' where id = $1`, [jobId]);
			await waitFor('both notifications', () => heard.length >= 2, 5000);
			expect(heard).toEqual([`foldwork_job_pending:${jobId}`, `foldwork_job_cancel:${jobId}`]);
		} finally {
			await listener.end();
		}
	});

	it('lets the service role drive jobs but not rewrite the timeline', async () => {
		const jobId = await newJob(db.pool);
		const client = await db.pool.connect();
		try {
			await client.query('begin');
			await client.query(`select set_config('role', 'service_role', true)`);
			await client.query(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
			const { error } = await attempt(client, `delete from public.job_events where job_id = $1`, [jobId]);
			expect(error?.message).toMatch(/permission denied for table job_events/);
			const bad = await attempt(client, `update public.jobs set status = 'completed' where id = $1`, [jobId]);
			expect(bad.error?.message).toBe('job status cannot change from queued to completed');
			await client.query('commit');
		} finally {
			client.release();
		}
		expect(Object.keys(pathTo)).toEqual(expect.arrayContaining(statuses));
	});
});

