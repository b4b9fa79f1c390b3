// `npm start` keeps the platform up when one of its children crashes: the
// worker, killed with SIGKILL, is started again (after a pause, saying so),
// the web app keeps answering, and a job submitted afterwards runs on the new
// worker. Ctrl+C still stops everything cleanly, with no restart on the way
// out. Starts the whole platform (scripts/start.ts) on free ports, as the
// browser tests do; building the web app first when a source changed takes a
// few minutes on a busy machine.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../helpers/platform.ts';
import { processAlive, waitFor } from '../helpers/wait.ts';
import { createUser, FIXTURE_TOOLS_MODULE, prepareWorkerDatabase, submitJob, waitForStatus } from '../helpers/worker-fleet.ts';

function workerPids(output: string): number[] {
	return [...output.matchAll(/^foldwork: worker started \(pid (\d+)\)$/gm)].map((m) => Number(m[1]));
}

function readyWorkers(output: string): string[] {
	return [...output.matchAll(/^\[worker\] \{"ready":true,"workerId":"([0-9a-f-]+)"/gm)].map((m) => m[1]);
}

describe('npm start', () => {
	it('restarts a worker that crashed, and stays up', async () => {
		const platform = await startPlatform({
			logFile: 'test-results/restart-crashed-child.log',
			timeoutMs: 540_000,
			env: { FOLDWORK_EXTRA_TOOLS: FIXTURE_TOOLS_MODULE }
		});
		try {
			await crashTheWorkerAndRunAJob(platform);
		} catch (error) {
			// A failed check must not leave the platform running.
			await platform.stop().catch(() => {});
			throw error;
		}
		const afterCtrlC = await platform.stop();
		expect(afterCtrlC).not.toMatch(/restarting|exited \(/);
		expect(afterCtrlC).toContain('foldwork: stopped');
	}, 600_000);
});

/** SIGKILLs the platform's worker, waits for start.ts to start it again, and runs a job on the new one. */
async function crashTheWorkerAndRunAJob(platform: RunningPlatform): Promise<void> {
	const db = new pg.Pool({ connectionString: platform.info.databaseUrl, max: 2 });
	// Should the platform stop after all, its idle connections die: that must fail the test by its assertions, not crash it.
	db.on('error', () => {});
	try {
		await prepareWorkerDatabase(db);
		const firstPid = await waitFor('the worker to start', () => workerPids(platform.output())[0], 30_000);
		const firstWorker = await waitFor('the worker to be ready', () => readyWorkers(platform.output())[0], 60_000);
		process.kill(firstPid, 'SIGKILL');
		await waitFor('the worker to be started again', () => workerPids(platform.output()).length === 2, 30_000);
		expect(platform.output()).toMatch(/^foldwork: worker exited \(SIGKILL\); restarting it in 1 s \(crash 1 in a row\)$/m);
		const secondWorker = await waitFor('the new worker to be ready', () => readyWorkers(platform.output())[1], 60_000);
		expect(secondWorker).not.toBe(firstWorker);
		expect(processAlive(firstPid)).toBe(false);

		// The platform is still up: the web app answers, and the new worker runs a job.
		const res = await fetch(`${platform.info.webUrl}/login`, { redirect: 'manual' });
		await res.body?.cancel();
		expect(res.status).toBeLessThan(500);
		const user = await createUser(db);
		const jobId = await submitJob(db, user, 'test-echo', { steps: [{ ms: 0 }] });
		const job = await waitForStatus(db, jobId, ['completed', 'failed', 'timeout'], 30_000);
		expect(job.status).toBe('completed');
		expect(job.worker_id).toBe(secondWorker);
	} finally {
		await db.end();
	}
}
