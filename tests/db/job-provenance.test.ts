// jobs.provenance (supabase/migrations/20261209840000_job_provenance.sql):
// written only by the worker that ends a run, through
// worker.worker_finish_jobs, and shown by get_job to everyone who may open
// the job. Attacked as the job's own team member (REST-style update, the
// worker RPC itself), as an anonymous visitor, and as a service-role
// script rewriting it afterwards or inserting a job with made-up provenance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anon, asUser, attempt, createUser, openTestDatabase, proteinInput, service, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
let user: TestUser;
let workerId: string;

const provenance = {
	tool: { id: 'protein-properties', name: 'Protein properties', version: '1.0.0' },
	programs: {},
	worker: { version: '0.1.0', commit: null, runtime: 'Node.js v22.18.0' }
};

beforeAll(async () => {
	db = await openTestDatabase(4);
	user = await createUser(db.pool);
	const { rows } = await db.pool.query(`insert into public.workers (compute_class, host, concurrency, tools) values ('cpu', 'provenance-test', 4, '{protein-properties}') returning id`);
	workerId = rows[0].id;
});
afterAll(async () => {
	await db?.close();
});

/** A job of the user's team, claimed by the test's worker (processing). */
async function runningJob(): Promise<string> {
	const id = await withActor(db.pool, asUser(user), async (c) => (await c.query(`select id from public.submit_job('protein-properties', 'p', $1)`, [proteinInput(1)])).rows[0].id as string);
	await db.pool.query('select * from worker.worker_dispatch(100)');
	await db.pool.query('select * from worker.worker_claim_jobs($1, $2)', [workerId, [id]]);
	const { rows } = await db.pool.query('select status from public.jobs where id = $1', [id]);
	expect(rows[0].status).toBe('processing');
	return id;
}

const finish = (jobId: string, extra: object) =>
	db.pool.query('select * from worker.worker_finish_jobs($1, $2)', [workerId, JSON.stringify([{ job_id: jobId, attempt: 1, status: 'completed', result: { table: { columns: [], rows: [] } }, ...extra }])]);

const stored = async (jobId: string) => (await db.pool.query('select provenance from public.jobs where id = $1', [jobId])).rows[0].provenance;

describe('jobs.provenance', () => {
	it('is stored by the worker as the run ends, and get_job shows it to the team', async () => {
		const id = await runningJob();
		await finish(id, { provenance });
		expect(await stored(id)).toEqual(provenance);
		const opened = await withActor(db.pool, asUser(user), async (c) => (await c.query('select public.get_job($1) as j', [id])).rows[0].j);
		expect(opened.job.provenance).toEqual(provenance);
		// Without content (what changes while it runs), no provenance either.
		const light = await withActor(db.pool, asUser(user), async (c) => (await c.query('select public.get_job($1, false) as j', [id])).rows[0].j);
		expect(light.job).not.toHaveProperty('provenance');
	});

	it('cannot be written by the job\'s own team member, directly or through the worker RPC', async () => {
		const id = await runningJob();
		const direct = await withActor(db.pool, asUser(user), (c) => attempt(c, `update public.jobs set provenance = '{"tool":{"id":"x"}}' where id = $1`, [id]), true);
		expect(direct.error?.code).toBe('42501');
		const viaRpc = await withActor(db.pool, asUser(user), (c) => attempt(c, 'select * from worker.worker_finish_jobs($1, $2)', [workerId, JSON.stringify([{ job_id: id, attempt: 1, status: 'completed', provenance }])]), true);
		expect(viaRpc.error?.code).toBe('42501');
		const visitor = await withActor(db.pool, anon, (c) => attempt(c, `update public.jobs set provenance = '{}' where id = $1`, [id]), true);
		expect(visitor.error?.code).toBe('42501');
		expect(await stored(id)).toBeNull();
	});

	it('cannot be rewritten afterwards, even by a service-role script', async () => {
		const id = await runningJob();
		await finish(id, { provenance });
		const rewrite = await withActor(db.pool, service, (c) => attempt(c, `update public.jobs set provenance = jsonb_set(provenance, '{tool,version}', '"9.9.9"') where id = $1`, [id]), true);
		expect(rewrite.error?.code).toBe('42501');
		expect(rewrite.error?.message).toMatch(/written once, by the worker, as its run ends/);
		const erase = await withActor(db.pool, service, (c) => attempt(c, 'update public.jobs set provenance = null where id = $1', [id]), true);
		expect(erase.error?.code).toBe('42501');
		expect(await stored(id)).toEqual(provenance);
	});

	it('cannot be set on a job that has not run, nor on a new one', async () => {
		const id = await withActor(db.pool, asUser(user), async (c) => (await c.query(`select id from public.submit_job('protein-properties', 'p', $1)`, [proteinInput(1)])).rows[0].id as string);
		const early = await withActor(db.pool, service, (c) => attempt(c, `update public.jobs set provenance = $2 where id = $1`, [id, provenance]), true);
		expect(early.error?.code).toBe('42501');
		const made = await withActor(
			db.pool,
			service,
			(c) => attempt(c, `insert into public.jobs (team_id, tool_id, submitted_by, name, input, provenance) values ($1, 'protein-properties', $2, 'forged', $3, $4)`, [user.teamId, user.id, proteinInput(1), provenance]),
			true
		);
		expect(made.error?.code).toBe('42501');
	});

	it('keeps only an object of modest size: anything else from a worker is not stored', async () => {
		const id = await runningJob();
		await finish(id, { provenance: 'not an object' });
		expect(await stored(id)).toBeNull();
		const big = await runningJob();
		const huge = { ...provenance, programs: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`program ${i} ${'x'.repeat(40)}`, 'y'.repeat(40)])) };
		await expect(finish(big, { provenance: huge })).rejects.toMatchObject({ code: '23514' });
	});
});
