// The database kills a worker's connections (pg_terminate_backend) while it
// runs a job: the worker reconnects, finishes the job, and picks up new
// work again through NOTIFY.
import { describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { createUser, getJob, startWorkerProcess, statusHistory, submitJob, waitForStatus } from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';

const suite = useWorkerDatabase({ staleAfterSeconds: 10 });

async function killWorkerConnections(): Promise<number> {
	const { rows } = await suite.db.query(
		`select pg_terminate_backend(pid) from pg_stat_activity
		 where datname = current_database() and application_name like 'foldwork-worker%'`
	);
	return rows.length;
}

describe('a worker whose database connections are killed', () => {
	it('recovers: the running job completes and new jobs are picked up', async () => {
		const user = await createUser(suite.db);
		const worker = await startWorkerProcess(suite.url, { concurrency: 2 });
		const running = await submitJob(suite.db, user, 'test-sleep', { steps: Array.from({ length: 6 }, () => ({ ms: 250 })) });
		await waitFor('the job to make progress', async () => (await getJob(suite.db, running)).progress > 0);
		expect(await killWorkerConnections()).toBeGreaterThan(0);
		const job = await waitForStatus(suite.db, running, ['completed', 'failed', 'timeout'], 15_000);
		expect(job.status).toBe('completed');
		expect(job.attempt).toBe(1);
		expect(await statusHistory(suite.db, running)).toEqual(['pending', 'queued', 'processing', 'completed']);

		await waitFor('the worker to listen again', async () => {
			const { rows } = await suite.db.query("select 1 from pg_stat_activity where datname = current_database() and application_name like 'foldwork-worker% listen'");
			return rows.length === 1;
		});
		const next = await submitJob(suite.db, user, 'test-echo', { steps: [{ ms: 0 }] });
		expect((await waitForStatus(suite.db, next, ['completed', 'failed'], 5_000)).status).toBe('completed');
		expect(worker.logs()).toMatch(/LISTEN connection lost/);
		expect(await worker.stop()).toBe(0);
	}, 40_000);
});
