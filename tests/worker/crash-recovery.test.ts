// Workers die: SIGKILL mid-job (the job runs again elsewhere, charged once),
// the retry limit (the job ends failed saying why), and SIGTERM with no
// grace left (the job is handed back and runs elsewhere).
import { describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { createUser, getJob, startWorkerProcess, statusHistory, submitJob, waitForStatus } from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';

// Heartbeats go stale after 2 s here (15 s in production).
const suite = useWorkerDatabase({ staleAfterSeconds: 2, maxAttempts: 2 });

async function ledger(jobId: string): Promise<string[]> {
	const { rows } = await suite.db.query('select reason from public.credit_ledger where job_id = $1 order by id', [jobId]);
	return rows.map((r) => r.reason);
}

const slowJob = { steps: Array.from({ length: 10 }, () => ({ ms: 200 })) };

describe('a worker killed with SIGKILL mid-job', () => {
	it('has its job retried on another worker once its heartbeat is stale, charged once', async () => {
		const user = await createUser(suite.db);
		const first = await startWorkerProcess(suite.url, { concurrency: 1 });
		const jobId = await submitJob(suite.db, user, 'test-sleep', slowJob);
		await waitFor('the job to make progress on the first worker', async () => {
			const job = await getJob(suite.db, jobId);
			return job.status === 'processing' && job.progress > 0 && job.worker_id === first.workerId;
		});
		await first.kill();
		const second = await startWorkerProcess(suite.url, { concurrency: 1 });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'], 20_000);
		expect(job.status).toBe('completed');
		expect(job.worker_id).toBe(second.workerId);
		expect(job.attempt).toBe(2);
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'retry', 'processing', 'completed']);
		const { rows } = await suite.db.query("select message from public.job_events where job_id = $1 and to_status = 'retry'", [jobId]);
		expect(rows[0].message).toMatch(/stopped responding; the job will run again \(attempt 2 of 2\)/);
		expect(await ledger(jobId)).toEqual(['charge']);
		// One pg-boss job for the Foldwork job, whatever happened.
		const { rows: queued } = await suite.db.query('select count(*)::int as n from pgboss.job where id = $1', [jobId]);
		expect(queued[0].n).toBe(1);
		expect(await second.stop()).toBe(0);
	}, 40_000);

	it('fails the job, saying so, once its worker died max_attempts times, and refunds once', async () => {
		const user = await createUser(suite.db);
		const jobId = await submitJob(suite.db, user, 'test-sleep', slowJob);
		for (let attempt = 1; attempt <= 2; attempt++) {
			const worker = await startWorkerProcess(suite.url, { concurrency: 1 });
			await waitFor(`attempt ${attempt} to run`, async () => {
				const job = await getJob(suite.db, jobId);
				return job.status === 'processing' && job.attempt === attempt && job.worker_id === worker.workerId;
			}, 20_000);
			await worker.kill();
		}
		// No worker runs now; a reaper is needed: one more worker, which must not run the job again.
		const reaper = await startWorkerProcess(suite.url, { concurrency: 1 });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'], 20_000);
		expect(job.status).toBe('failed');
		expect(job.error_code).toBe('worker_lost');
		expect(job.error_message).toMatch(/stopped responding, 2 times in a row/);
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'retry', 'processing', 'failed']);
		expect(await ledger(jobId)).toEqual(['charge', 'refund']);
		expect(await reaper.stop()).toBe(0);
	}, 60_000);
});

describe('a worker stopped with SIGTERM', () => {
	it('hands back a job that did not finish within the grace period; another worker completes it', async () => {
		const user = await createUser(suite.db);
		const leaving = await startWorkerProcess(suite.url, { concurrency: 1, args: ['--grace-ms', '0'] });
		const jobId = await submitJob(suite.db, user, 'test-sleep', slowJob);
		await waitFor('the job to run', async () => (await getJob(suite.db, jobId)).worker_id === leaving.workerId);
		expect(await leaving.stop()).toBe(0);
		expect((await getJob(suite.db, jobId)).status).toBe('retry');
		const staying = await startWorkerProcess(suite.url, { concurrency: 1 });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'], 20_000);
		expect(job.status).toBe('completed');
		expect(job.worker_id).toBe(staying.workerId);
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'retry', 'processing', 'completed']);
		expect(await ledger(jobId)).toEqual(['charge']);
		expect(await staying.stop()).toBe(0);
	}, 40_000);
});
