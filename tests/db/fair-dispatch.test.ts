// Fair share in dispatch (supabase/migrations/20261209500100_fair_dispatch.sql),
// from the side of a team that floods the queue: the slots of a class go to
// each team's next job in turn (weighted by the team's weight), never to one
// team's backlog in arrival order; a team never holds more than its running
// limit; and the job page's queue place follows that order. Driven through
// the worker RPCs with a registered worker that has no process behind it,
// so every slot turnover is a step of the test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createUser, openTestDatabase, proteinInput, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
});
afterAll(async () => {
	await db?.close();
});

/** A live CPU worker with `slots` slots, alone in the fleet. */
async function soleWorker(slots: number): Promise<string> {
	await db.pool.query(`update public.workers set stopped_at = now() where stopped_at is null`);
	const { rows } = await db.pool.query(
		`insert into public.workers (compute_class, host, concurrency, tools) values ('cpu', 'fair-test', $1, null) returning id`,
		[slots]
	);
	return rows[0].id;
}

async function submitMany(user: TestUser, count: number): Promise<string[]> {
	return withActor(db.pool, asUser(user), async (c) => {
		const ids: string[] = [];
		for (let i = 0; i < count; i++) ids.push((await c.query(`select id from public.submit_job('protein-properties', $1, $2)`, [`job ${i}`, proteinInput(1)])).rows[0].id);
		return ids;
	});
}

/** One dispatch and the claim of everything it queued: the ids started, in order. */
async function dispatchAndStart(workerId: string): Promise<string[]> {
	await db.pool.query('update public.workers set last_seen_at = now() where id = $1', [workerId]);
	const { rows } = await db.pool.query('select job_id, tool_id from worker.worker_dispatch(100)');
	for (const r of rows) expect(r.tool_id).toBe('protein-properties');
	const ids = rows.map((r) => r.job_id as string);
	if (ids.length) await db.pool.query('select * from worker.worker_claim_jobs($1, $2)', [workerId, ids]);
	return ids;
}

/** Finishes the oldest `count` running jobs of the worker: `count` slots turn over. */
async function finish(workerId: string, count: number): Promise<void> {
	const { rows } = await db.pool.query(
		`select id, attempt from public.jobs where worker_id = $1 and status = 'processing' order by started_at, id limit $2`,
		[workerId, count]
	);
	const outcomes = rows.map((r) => ({ job_id: r.id, attempt: r.attempt, status: 'completed', result: { table: { rows: [] } } }));
	await db.pool.query('select * from worker.worker_finish_jobs($1, $2)', [workerId, JSON.stringify(outcomes)]);
}

async function teamOf(jobIds: string[]): Promise<string[]> {
	const { rows } = await db.pool.query('select id, team_id from public.jobs where id = any ($1)', [jobIds]);
	const team = new Map(rows.map((r) => [r.id, r.team_id]));
	return jobIds.map((id) => team.get(id));
}

// Each test starts with an empty queue.
afterEach(async () => {
	await db.pool.query(`update public.jobs set status = 'cancelled' where status in ('pending', 'queued', 'processing', 'retry')`);
});

describe('fair dispatch', () => {
	it("starts another team's job at the first slot that frees, however many jobs a flooding team queued first", async () => {
		const worker = await soleWorker(4);
		const flooder = await createUser(db.pool);
		const victim = await createUser(db.pool);
		await submitMany(flooder, 200);
		const startedFirst = await dispatchAndStart(worker);
		expect(startedFirst).toHaveLength(4);
		const [victimJob] = await submitMany(victim, 1);
		// No slot is free: nothing starts, the victim's job included.
		expect(await dispatchAndStart(worker)).toEqual([]);
		// Its queue place says it is next, ahead of the flooder's 196 waiting jobs.
		const [insight] = await withActor(db.pool, asUser(victim), async (c) => (await c.query('select * from public.job_queue_insight($1)', [[victimJob]])).rows);
		expect(insight).toMatchObject({ queue_position: 1, jobs_ahead: 0, reason: 'all_slots_busy' });
		// The flooder's own next job is second; its places follow on from there.
		const places = await withActor(db.pool, asUser(flooder), async (c) => (await c.query('select queue_position from public.job_queue_insight() order by queue_position')).rows);
		expect(places.map((r) => r.queue_position)).toEqual(Array.from({ length: 196 }, (_, i) => i + 2));
		// Before any run ended there is nothing to estimate a start from.
		expect(insight.eta_seconds).toBeNull();
		// One slot turns over: it goes to the victim.
		await finish(worker, 1);
		// With a finished run to go by, the victim's page can say when it should start (place 1 of 4 slots: one run's median).
		const [estimated] = await withActor(db.pool, asUser(victim), async (c) => (await c.query('select * from public.job_queue_insight($1)', [[victimJob]])).rows);
		const { rows: median } = await db.pool.query(
			`select percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at)) as s from public.jobs where status = 'completed'`
		);
		expect(estimated.eta_seconds).toBe(Math.round(median[0].s));
		expect(await dispatchAndStart(worker)).toEqual([victimJob]);
	});

	it('gives 10 flooding teams equal shares of the started jobs, whatever order they submitted in', async () => {
		const worker = await soleWorker(5);
		const teams = await Promise.all(Array.from({ length: 10 }, () => createUser(db.pool)));
		for (const team of teams) await submitMany(team, 30);
		const started: string[] = [];
		while (started.length < 100) {
			started.push(...(await dispatchAndStart(worker)));
			await finish(worker, 5);
		}
		const counts = new Map<string, number>();
		for (const team of await teamOf(started.slice(0, 100))) counts.set(team, (counts.get(team) ?? 0) + 1);
		expect(counts.size).toBe(10);
		for (const [, n] of counts) expect(n).toBeGreaterThanOrEqual(9);
	});

	it("gives a team of weight 2 twice the slots of a team of weight 1, and never more than a team's running limit", async () => {
		const worker = await soleWorker(6);
		const heavy = await createUser(db.pool);
		const light = await createUser(db.pool);
		const capped = await createUser(db.pool);
		await db.pool.query(`insert into private.team_quotas (team_id, weight) values ($1, 2)`, [heavy.teamId]);
		await db.pool.query(`insert into private.team_quotas (team_id, running_cpu) values ($1, 1)`, [capped.teamId]);
		await submitMany(capped, 20);
		await submitMany(light, 40);
		await submitMany(heavy, 40);
		const started = await dispatchAndStart(worker);
		const teams = await teamOf(started);
		expect(teams.filter((t) => t === capped.teamId)).toHaveLength(1);
		expect(teams.filter((t) => t === heavy.teamId)).toHaveLength(3);
		expect(teams.filter((t) => t === light.teamId)).toHaveLength(2);
		// Slots turn over; the capped team still runs one job at a time.
		for (let i = 0; i < 3; i++) {
			await finish(worker, 2);
			await dispatchAndStart(worker);
		}
		const { rows } = await db.pool.query(
			`select count(*)::int as n from public.jobs where team_id = $1 and status in ('queued', 'processing')`,
			[capped.teamId]
		);
		expect(rows[0].n).toBe(1);
	});
});
