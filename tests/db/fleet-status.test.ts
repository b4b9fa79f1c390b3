// /status's one RPC (supabase/migrations/20261209500400_fleet_status_per_tool.sql):
// per compute class and per tool, live workers, slots busy and free, jobs
// waiting, the oldest wait and the runs finished in the last hour; for
// signed-in users only, and naming no team or job. Driven through the
// worker RPCs with a registered worker that has no process behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anon, asUser, attempt, createUser, openTestDatabase, proteinInput, withActor, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
});
afterAll(async () => {
	await db?.close();
});

describe('fleet_status', () => {
	it('gives each class and each of its tools their workers, slots, waiting jobs, oldest wait and last hour\'s runs', async () => {
		const { rows: w } = await db.pool.query(
			`insert into public.workers (compute_class, host, concurrency, tools) values ('cpu', 'status-test', 3, '{protein-properties}') returning id`
		);
		const workerId = w[0].id;
		const user = await createUser(db.pool);
		const ids = await withActor(db.pool, asUser(user), async (c) => {
			const out: string[] = [];
			for (let i = 0; i < 5; i++) out.push((await c.query(`select id from public.submit_job('protein-properties', $1, $2)`, [`job ${i}`, proteinInput(1)])).rows[0].id);
			return out;
		});
		const { rows: dispatched } = await db.pool.query('select job_id from worker.worker_dispatch(100)');
		expect(dispatched).toHaveLength(3);
		await db.pool.query('select * from worker.worker_claim_jobs($1, $2)', [workerId, dispatched.map((r) => r.job_id)]);
		const done = dispatched[0].job_id;
		await db.pool.query('select * from worker.worker_finish_jobs($1, $2)', [
			workerId,
			JSON.stringify([{ job_id: done, attempt: 1, status: 'completed', result: { table: { rows: [] } } }])
		]);

		const rows = await withActor(db.pool, asUser(user), async (c) => (await c.query('select * from public.fleet_status()')).rows);
		const cpu = rows.find((r) => r.compute_class === 'cpu');
		expect(cpu).toMatchObject({ workers_online: 1, slots_total: 3, slots_busy: 2, slots_free: 1, queue_depth: 2, finished_last_hour: 1 });
		const protein = cpu.tools.find((t: { tool_id: string }) => t.tool_id === 'protein-properties');
		expect(protein).toMatchObject({ name: 'Protein properties', workers_live: 1, slots_total: 3, slots_busy: 2, slots_free: 1, jobs_waiting: 2, finished_last_hour: 1 });
		// The oldest waiting job's age, as the database sees it a moment later.
		const { rows: age } = await db.pool.query(
			`select extract(epoch from now() - min(created_at))::float8 as s from public.jobs where status in ('pending', 'queued', 'retry')`
		);
		expect(protein.oldest_wait_seconds).toBeGreaterThan(0);
		expect(protein.oldest_wait_seconds).toBeLessThanOrEqual(age[0].s);
		expect(cpu.oldest_wait_seconds).toBe(protein.oldest_wait_seconds);
		// A tool the worker does not run: no worker, no slot.
		expect(cpu.tools.find((t: { tool_id: string }) => t.tool_id === 'molecule-properties')).toMatchObject({ workers_live: 0, slots_total: 0, slots_free: 0 });
		// Counts only: no team, job or person anywhere in the answer.
		const text = JSON.stringify(rows);
		for (const secret of [user.teamId, user.id, ...ids]) expect(text).not.toContain(secret);
	});

	it('is not for anonymous visitors', async () => {
		const { error } = await withActor(db.pool, anon, (c) => attempt(c, 'select * from public.fleet_status()'));
		expect(error?.code).toBe('42501');
	});
});

describe('dead workers', () => {
	it('are marked gone, come back when heard from again, and are pruned past the retention period with their jobs\' history kept', async () => {
		await db.pool.query('update private.fleet_policy set stale_after_seconds = 15, gone_retention_seconds = 3600');
		const host = (name: string) => db.pool.query(`select id, gone_at, stopped_at from public.workers where host = $1`, [name]);
		await db.pool.query(
			`insert into public.workers (compute_class, host, concurrency, last_seen_at, stopped_at) values
			   ('cpu', 'dead-recently', 1, now() - interval '1 minute', null),
			   ('cpu', 'alive', 1, now(), null),
			   ('cpu', 'dead-long-ago', 1, now() - interval '2 hours', null),
			   ('cpu', 'signed-off-long-ago', 1, now() - interval '2 hours', now() - interval '2 hours'),
			   ('cpu', 'signed-off-recently', 1, now() - interval '5 minutes', now() - interval '5 minutes')`
		);
		const [longAgo] = (await host('signed-off-long-ago')).rows;
		// A finished job that ran on a worker about to be pruned.
		const user = await createUser(db.pool);
		const jobId = await withActor(db.pool, asUser(user), async (c) => (await c.query(`select id from public.submit_job('protein-properties', 'old run', $1)`, [proteinInput(1)])).rows[0].id);
		await db.pool.query(`update public.jobs set status = 'cancelled' where id = $1`, [jobId]);
		await db.pool.query(`update public.jobs set worker_id = $2 where id = $1`, [jobId, longAgo.id]);

		const first = await db.pool.query('select * from worker.worker_prune(100)');
		expect(first.rows[0].marked_gone).toBeGreaterThanOrEqual(2);
		expect((await host('dead-recently')).rows[0].gone_at).not.toBeNull();
		expect((await host('alive')).rows[0].gone_at).toBeNull();
		// Signed off or gone (gone_at: when it went quiet) for two hours, past the hour of retention: pruned in the same sweep.
		expect((await host('signed-off-long-ago')).rows).toEqual([]);
		expect((await host('dead-long-ago')).rows).toEqual([]);
		expect((await host('signed-off-recently')).rows).toHaveLength(1);
		expect((await host('dead-recently')).rows).toHaveLength(1);
		// Heard from again: not gone.
		const [recent] = (await host('dead-recently')).rows;
		await db.pool.query('select * from worker.worker_heartbeat($1, $2)', [recent.id, []]);
		expect((await host('dead-recently')).rows[0].gone_at).toBeNull();
		// The pruned worker's job keeps its history.
		const { rows: job } = await db.pool.query('select status, worker_id from public.jobs where id = $1', [jobId]);
		expect(job).toEqual([{ status: 'cancelled', worker_id: null }]);
	});
});
