// Tools a worker machine cannot run (a program missing) never fail jobs: the
// worker says so once at start and registers it; the tool's jobs wait
// `pending`, saying why, until a worker that runs it is online; and a worker
// never claims (nor spends an attempt of) a job of a tool it does not run.
// test-vina (tests/fixtures/worker-tools.ts) is unavailable unless the
// worker's environment gives it its "program".
import { describe, expect, it } from 'vitest';
import { checkToolAvailability, type RunnableTool } from '../../worker/tools.ts';
import { TEST_VINA_ENV, TEST_VINA_MISSING } from '../fixtures/worker-tools.ts';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { asUser, createUser, getJob, startWorkerProcess, statusHistory, submitJob, waitForStatus, type TestUser } from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';

const suite = useWorkerDatabase();
const WITH_VINA = { [TEST_VINA_ENV]: '1' };
const WAITING_FOR_VINA = 'Waiting for a worker that can run Test test-vina';

async function ledgerOf(jobId: string): Promise<Array<{ reason: string; delta: number }>> {
	const { rows } = await suite.db.query('select reason::text, delta from public.credit_ledger where job_id = $1 order by id', [jobId]);
	return rows;
}

async function waitUntilWaitingForVina(jobId: string): Promise<void> {
	await waitFor('the test-vina job to say it waits for a worker that can run it', async () => (await getJob(suite.db, jobId)).progress_message === WAITING_FOR_VINA);
}

async function insightFor(user: TestUser, jobId: string) {
	const rows = await asUser(suite.db, user, 'select * from public.job_queue_insight($1)', [[jobId]]);
	return rows[0];
}

describe('a worker without a tool\'s program', () => {
	it('registers the tool as unavailable, leaves its jobs pending saying why, and a worker that can run it runs them once', async () => {
		const user = await createUser(suite.db);
		const before = await startWorkerProcess(suite.url, { concurrency: 2 });
		await waitFor('the worker to log the unavailable tool', () => before.logs().includes(`tool test-vina is unavailable on this worker, its jobs are left to workers that can run it: ${TEST_VINA_MISSING}`));
		const { rows: registered } = await suite.db.query('select tools, unavailable_tools from public.workers where id = $1', [before.workerId]);
		expect(registered[0].tools).toEqual(expect.arrayContaining(['test-sleep', 'test-echo']));
		expect(registered[0].tools).not.toContain('test-vina');
		// (Other tools may be missing on this machine too: real docking needs vina.)
		expect(registered[0].unavailable_tools).toMatchObject({ 'test-vina': TEST_VINA_MISSING });

		const vinaJob = await submitJob(suite.db, user, 'test-vina', { steps: [{ ms: 0 }] });
		await waitUntilWaitingForVina(vinaJob);
		// The worker keeps running the tools it has meanwhile.
		const other = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0 }] });
		expect((await waitForStatus(suite.db, other, ['completed', 'failed'])).status).toBe('completed');
		expect((await getJob(suite.db, vinaJob)).status).toBe('pending');

		const insight = await insightFor(user, vinaJob);
		expect(insight).toMatchObject({ job_id: vinaJob, status: 'pending', compute_class: 'cpu', reason: 'tool_unavailable' });
		expect(insight.message).toBe(`No worker online can run Test test-vina: ${TEST_VINA_MISSING}`);
		const fleet = await asUser(suite.db, user, 'select * from public.fleet_status()', []);
		const testVinaIn = (rows: any[], computeClass: string) =>
			rows.find((r) => r.compute_class === computeClass)?.unavailable_tools.find((t: { tool_id: string }) => t.tool_id === 'test-vina');
		expect(testVinaIn(fleet, 'cpu')).toEqual({ tool_id: 'test-vina', name: 'Test test-vina', reason: TEST_VINA_MISSING, workers_able: 0, workers_unable: 1 });
		expect(testVinaIn(fleet, 'gpu')).toBeUndefined();

		const able = await startWorkerProcess(suite.url, { concurrency: 1, env: WITH_VINA });
		expect(able.logs()).not.toMatch(/test-vina is unavailable/);
		const done = await waitForStatus(suite.db, vinaJob, ['completed', 'failed', 'timeout']);
		expect(done).toMatchObject({ status: 'completed', attempt: 1, worker_id: able.workerId });
		expect(await statusHistory(suite.db, vinaJob)).toEqual(['pending', 'queued', 'processing', 'completed']);
		expect(await ledgerOf(vinaJob)).toEqual([{ reason: 'charge', delta: -1 }]);
		const fleetAfter = await asUser(suite.db, user, 'select * from public.fleet_status()', []);
		expect(testVinaIn(fleetAfter, 'cpu')).toEqual({ tool_id: 'test-vina', name: 'Test test-vina', reason: TEST_VINA_MISSING, workers_able: 1, workers_unable: 1 });
		expect(await able.stop()).toBe(0);
		expect(await before.stop()).toBe(0);
		// Said once, at start, however often the dispatcher looked at the waiting job.
		expect(before.logs().split(TEST_VINA_MISSING).length - 1).toBe(1);
	}, 45_000);

	it('in a mixed fleet, never fetches that tool\'s jobs from the shared queue', async () => {
		const user = await createUser(suite.db);
		const without = await startWorkerProcess(suite.url, { concurrency: 2 });
		// A registered worker that runs test-vina, with a free slot and no process behind it, lets the dispatcher queue a test-vina job.
		const { rows: idle } = await suite.db.query(
			`insert into public.workers (compute_class, host, concurrency, tools) values ('cpu', 'vina-test-host', 1, '{test-vina}') returning id`
		);
		const queuedVina = await submitJob(suite.db, user, 'test-vina', { steps: [{ ms: 0 }] });
		await waitFor('the test-vina job to be queued under its tool', async () => {
			const { rows } = await suite.db.query(`select group_id from pgboss.job where id = $1 and state = 'created'`, [queuedVina]);
			return rows[0]?.group_id === 'test-vina';
		});
		// A younger job: the worker fetches it in queue order, so it has looked past the test-vina entry by the time this one ends.
		const sleepJob = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0 }] });
		expect((await waitForStatus(suite.db, sleepJob, ['completed', 'failed', 'timeout'])).status).toBe('completed');
		expect(await getJob(suite.db, queuedVina)).toMatchObject({ status: 'queued', attempt: 1, worker_id: null });
		expect((await suite.db.query(`select state::text from pgboss.job where id = $1`, [queuedVina])).rows).toEqual([{ state: 'created' }]);
		await suite.db.query('update public.workers set stopped_at = now() where id = $1', [idle[0].id]);

		const able = await startWorkerProcess(suite.url, { concurrency: 1, env: WITH_VINA });
		const vinaJobs = [queuedVina];
		for (let i = 0; i < 3; i++) vinaJobs.push(await submitJob(suite.db, user, 'test-vina', { steps: [{ ms: 50 }] }));
		const sleepJobs = [];
		for (let i = 0; i < 3; i++) sleepJobs.push(await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 50 }] }));
		for (const id of vinaJobs) {
			const job = await waitForStatus(suite.db, id, ['completed', 'failed', 'timeout'], 20_000);
			expect(job).toMatchObject({ status: 'completed', attempt: 1, worker_id: able.workerId });
			expect(await statusHistory(suite.db, id)).toEqual(['pending', 'queued', 'processing', 'completed']);
			expect(await ledgerOf(id)).toEqual([{ reason: 'charge', delta: -1 }]);
		}
		for (const id of sleepJobs) expect((await waitForStatus(suite.db, id, ['completed', 'failed', 'timeout'], 20_000)).status).toBe('completed');
		expect(without.logs()).not.toMatch(/put back in the queue/);
		expect(await able.stop()).toBe(0);
		expect(await without.stop()).toBe(0);
	}, 45_000);

	it('puts back, untouched, a queue entry of that tool that reached it without its tool group', async () => {
		const user = await createUser(suite.db);
		const without = await startWorkerProcess(suite.url, { concurrency: 2 });
		const jobId = await submitJob(suite.db, user, 'test-vina', { steps: [{ ms: 0 }] });
		await waitUntilWaitingForVina(jobId);
		// As an older worker queued it: a pg-boss entry without a group.
		await suite.db.query(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
		await suite.db.query(`insert into pgboss.job (id, name, data, retry_limit, expire_seconds) values ($1, 'foldwork-cpu', $2, 0, 3600)`, [jobId, { jobId }]);
		await suite.db.query(`select pg_notify('foldwork_jobs_queued', 'cpu')`);
		await waitFor('the worker to put the entry back with its tool group', async () => {
			const { rows } = await suite.db.query(`select group_id, state::text from pgboss.job where id = $1`, [jobId]);
			return rows[0]?.group_id === 'test-vina' && rows[0]?.state === 'created';
		});
		await waitFor('the worker to log the put-back', () => without.logs().includes(`job ${jobId}: put back in the queue for a worker that runs test-vina`));
		expect(without.logs().split(`job ${jobId}: put back`).length - 1).toBe(1);
		expect(await getJob(suite.db, jobId)).toMatchObject({ status: 'queued', attempt: 1, worker_id: null });
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued']);
		expect((await insightFor(user, jobId)).reason).toBe('tool_unavailable');

		const able = await startWorkerProcess(suite.url, { concurrency: 1, env: WITH_VINA });
		const done = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout']);
		expect(done).toMatchObject({ status: 'completed', attempt: 1, worker_id: able.workerId });
		expect(await ledgerOf(jobId)).toEqual([{ reason: 'charge', delta: -1 }]);
		expect(await able.stop()).toBe(0);
		expect(await without.stop()).toBe(0);
	}, 45_000);
});

describe('worker_register', () => {
	const args = (id: string) => [id, 'cpu', 'test-host', 1, 0, 'test', ['test-sleep'], JSON.stringify({ 'test-vina': 'no vina here' })];
	const register = 'select * from worker.worker_register($1, $2, $3, $4, $5, $6, $7, $8)';

	it('takes the tools a worker runs and those it cannot, with reasons, from the service role only', async () => {
		const user = await createUser(suite.db);
		await expect(asUser(suite.db, user, register, args(crypto.randomUUID()))).rejects.toThrow(/permission denied/);
		const client = await suite.db.connect();
		try {
			await client.query('begin');
			await client.query('set local role anon');
			await expect(client.query(register, args(crypto.randomUUID()))).rejects.toThrow(/permission denied/);
			await client.query('rollback');

			const id = crypto.randomUUID();
			await client.query('begin');
			await client.query('set local role service_role');
			const { rows } = await client.query(register, args(id));
			expect(rows[0]).toMatchObject({ stale_after_seconds: 3 });
			const { rows: worker } = await client.query('select tools, unavailable_tools, stopped_at from public.workers where id = $1', [id]);
			expect(worker[0]).toEqual({ tools: ['test-sleep'], unavailable_tools: { 'test-vina': 'no vina here' }, stopped_at: null });
			await client.query('savepoint bad');
			const notAnObject = [...args(id).slice(0, 7), JSON.stringify(['test-vina'])];
			await expect(client.query(register, notAnObject)).rejects.toThrow(/unavailable_tools must be an object/);
			await client.query('rollback to savepoint bad');
			await expect(client.query(register, [...args(id).slice(0, 6), null, '{}'])).rejects.toThrow(/ids of the tools it runs/);
			await client.query('rollback');
		} finally {
			await client.query('rollback').catch(() => {});
			client.release();
		}
		const { rows: signatures } = await suite.db.query(
			`select pg_get_function_identity_arguments(p.oid) as args from pg_proc p where p.proname = 'worker_register' and p.pronamespace = 'worker'::regnamespace`
		);
		expect(signatures).toEqual([
			{ args: 'worker_id uuid, compute_class compute_class, host text, concurrency integer, gpus integer, version text, tools text[], unavailable_tools jsonb' }
		]);
	});
});

describe('the start-up availability check', () => {
	const tool = (id: string, computeClass: 'cpu' | 'gpu', checkAvailable?: () => Promise<string | null>) =>
		({ catalog: { id, computeClass }, checkAvailable }) as unknown as RunnableTool;

	it('asks the tools of the worker\'s class at once, and counts a check that throws or hangs as unavailable', async () => {
		const tools = new Map([
			['plain', tool('plain', 'cpu')],
			['present', tool('present', 'cpu', async () => null)],
			['missing', tool('missing', 'cpu', async () => 'vina is not installed')],
			['broken', tool('broken', 'cpu', async () => { throw new Error('spawn EACCES'); })],
			['stuck', tool('stuck', 'cpu', () => new Promise(() => {}))],
			['gpu-only', tool('gpu-only', 'gpu', async () => 'never asked')]
		]);
		const started = performance.now();
		const { available, unavailable } = await checkToolAvailability(tools, 'cpu', 300);
		expect(performance.now() - started).toBeLessThan(2_000);
		expect([...available.keys()]).toEqual(['plain', 'present']);
		expect(Object.fromEntries(unavailable)).toEqual({
			missing: 'vina is not installed',
			broken: 'its availability check failed: spawn EACCES',
			stuck: 'its availability check did not answer within 300 ms'
		});
	});
});
