// Chaos under load, on a PostgreSQL of this file's own: two worker
// processes of different classes and tool sets (a CPU worker with "vina", a
// GPU worker) run a few hundred jobs while every client connection is
// terminated three times at random moments, PostgreSQL is restarted once on
// the same data, and the CPU worker is SIGKILLed and started again. Every job
// ends completed, each charged exactly once (no refunds, as none failed), and
// no worker process dies but the one killed.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnCluster, type OwnCluster } from '../helpers/own-postgres.ts';
import { waitFor } from '../helpers/wait.ts';
import {
	createUser,
	killLeftoverWorkers,
	prepareWorkerDatabase,
	startWorkerProcess,
	stopStorageGateways,
	submitJob,
	type WorkerProcess
} from '../helpers/worker-fleet.ts';
import { TEST_VINA_ENV } from '../fixtures/worker-tools.ts';

let cluster: OwnCluster;
let url: string;
let db: pg.Pool;

beforeAll(async () => {
	cluster = await startOwnCluster('foldwork-chaos');
	url = await cluster.createDatabase('chaos');
	db = new pg.Pool({ connectionString: url, max: 4 });
	// The restart cuts this pool's connections too: they are replaced.
	db.on('error', () => {});
	// Stale after 5 s: a killed worker's jobs come back soon, and a restart of a second or two reaps nothing.
	await prepareWorkerDatabase(db, { staleAfterSeconds: 5, maxAttempts: 5 });
}, 120_000);

afterAll(async () => {
	try {
		expect(await killLeftoverWorkers(), 'worker processes left running').toBe(0);
	} finally {
		await stopStorageGateways();
		await db?.end();
		await cluster?.stop();
	}
});

async function counts(): Promise<Record<string, number>> {
	const { rows } = await db.query<{ status: string; n: number }>('select status, count(*)::int as n from public.jobs group by status');
	return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Terminates every client connection to the database but the caller's (workers, Storage, this test's other ones). */
async function terminateAll(): Promise<number> {
	const { rows } = await db.query(
		`select pg_terminate_backend(pid) from pg_stat_activity
		 where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`
	);
	return rows.length;
}

function random(min: number, max: number): number {
	return min + Math.floor(Math.random() * (max - min + 1));
}

/** Waits until `n` more jobs have ended than now: a moment chosen by the work, not by the clock. */
async function afterMoreCompleted(n: number, what: string): Promise<void> {
	const from = (await counts()).completed ?? 0;
	await waitFor(what, async () => ((await counts()).completed ?? 0) >= from + n, 60_000);
}

describe('the fleet under chaos', () => {
	it('ends every job completed, charged once, with only the killed worker dead', async () => {
		const CPU_JOBS = 240;
		const VINA_JOBS = 40;
		const GPU_JOBS = 60;
		const user = await createUser(db, CPU_JOBS + VINA_JOBS + GPU_JOBS);
		const cpuArgs = { computeClass: 'cpu' as const, concurrency: 16, env: { [TEST_VINA_ENV]: '1' } };
		let cpu: WorkerProcess = await startWorkerProcess(url, cpuArgs);
		const gpu = await startWorkerProcess(url, { computeClass: 'gpu', concurrency: 4, args: ['--gpus', '1'] });
		const killed = cpu;

		// About a second of work each, in steps that report progress, then an output file.
		const steps = () => ({ steps: Array.from({ length: 4 }, () => ({ ms: random(150, 350) })) });
		const ids: string[] = [];
		for (let i = 0; i < CPU_JOBS; i++) ids.push(await submitJob(db, user, 'test-sleep', steps()));
		for (let i = 0; i < VINA_JOBS; i++) ids.push(await submitJob(db, user, 'test-vina', steps()));
		for (let i = 0; i < GPU_JOBS; i++) ids.push(await submitJob(db, user, 'test-gpu-sleep', steps()));

		const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;
		const checkAlive = (when: string) => {
			expect(alive(gpu), `the GPU worker died ${when}:\n${gpu.logs().slice(-3000)}`).toBe(true);
			expect(alive(cpu), `the CPU worker died ${when}:\n${cpu.logs().slice(-3000)}`).toBe(true);
		};

		await afterMoreCompleted(random(5, 30), 'jobs to complete before the first cut');
		expect(await terminateAll()).toBeGreaterThan(0);
		checkAlive('after the first cut');

		await afterMoreCompleted(random(10, 30), 'jobs to complete before the restart');
		const downMs = await cluster.restart();
		checkAlive(`after PostgreSQL restarted (down ${downMs.toFixed(0)} ms)`);

		await afterMoreCompleted(random(10, 30), 'jobs to complete before the second cut');
		expect(await terminateAll()).toBeGreaterThan(0);
		checkAlive('after the second cut');

		// SIGKILL the CPU worker while it runs jobs, and start it again.
		await waitFor('the CPU worker to run jobs', async () => {
			const { rows } = await db.query("select count(*)::int as n from public.jobs where status = 'processing' and worker_id = $1", [cpu.workerId]);
			return rows[0].n > 0;
		}, 30_000);
		await cpu.kill();
		cpu = await startWorkerProcess(url, cpuArgs);

		await afterMoreCompleted(random(5, 20), 'jobs to complete before the third cut');
		expect(await terminateAll()).toBeGreaterThan(0);
		checkAlive('after the third cut');

		await waitFor('every job to end', async () => {
			const c = await counts();
			return (c.completed ?? 0) + (c.failed ?? 0) + (c.timeout ?? 0) + (c.cancelled ?? 0) === ids.length ? c : undefined;
		}, 120_000);
		checkAlive('by the end');
		expect(await counts()).toEqual({ completed: ids.length });

		const { rows: ledger } = await db.query<{ reason: string; n: number }>(
			`select reason, count(*)::int as n from public.credit_ledger where job_id = any ($1::uuid[]) group by reason`,
			[ids]
		);
		expect(ledger).toEqual([{ reason: 'charge', n: ids.length }]);
		const { rows: twice } = await db.query(
			`select job_id from public.credit_ledger where job_id = any ($1::uuid[]) group by job_id having count(*) filter (where reason = 'charge') <> 1`,
			[ids]
		);
		expect(twice).toEqual([]);
		// Each class's jobs ran on their own class's workers; vina only on a CPU worker that has it.
		const { rows: wrong } = await db.query(
			`select j.id from public.jobs j join public.workers w on w.id = j.worker_id
			 where j.id = any ($1::uuid[]) and (w.compute_class::text <> (case when j.tool_id = 'test-gpu-sleep' then 'gpu' else 'cpu' end))`,
			[ids]
		);
		expect(wrong).toEqual([]);

		expect(await killed.exited).toBe('SIGKILL');
		expect(await gpu.stop()).toBe(0);
		expect(await cpu.stop()).toBe(0);
	}, 240_000);
});
