// A tool hits a transient fault while the database cannot take the job back
// (here worker_retry_later is missing for a while, as if the server were
// unreachable for those calls): the worker keeps the job, heartbeating, and
// keeps trying; once the database answers, the job goes back to the queue
// for the tool's reason (not as a job whose worker "stopped responding"),
// runs again and completes, charged once.
import { describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { createUser, getJob, startWorkerProcess, statusHistory, submitJob, waitForStatus } from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';

// Heartbeats go stale after 2 s: a job left without its heartbeat would be reaped well within the test.
const suite = useWorkerDatabase({ staleAfterSeconds: 2 });

describe('sending a job back to the queue while the database refuses', () => {
	it('is retried until it lands; the job keeps its heartbeat meanwhile and runs again for the tool\'s reason', async () => {
		const user = await createUser(suite.db);
		const worker = await startWorkerProcess(suite.url, { concurrency: 1 });
		await suite.db.query('alter function worker.worker_retry_later(uuid, uuid, text) rename to worker_retry_later_off');
		let restored = false;
		try {
			const jobId = await submitJob(suite.db, user, 'test-flaky', { steps: [{ ms: 0, fail: 'db-down' }, { ms: 0 }] });
			const failedTries = () => worker.logs().split(`job ${jobId}: could not send it back to the queue (`).length - 1;
			// Backoff 200, 400, 800, 1600 ms: five tries span 3 s, past the 2 s stale limit.
			await waitFor('the worker to keep trying to send the job back', () => failedTries() >= 5, 20_000);
			const held = await getJob(suite.db, jobId);
			expect(held.status).toBe('processing');
			expect(held.worker_id).toBe(worker.workerId);
			// Its heartbeat was kept: the reaper did not take it.
			expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing']);

			await suite.db.query('alter function worker.worker_retry_later_off(uuid, uuid, text) rename to worker_retry_later');
			restored = true;
			const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'], 20_000);
			expect(job.status).toBe('completed');
			expect(job.attempt).toBe(2);
			expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'retry', 'processing', 'completed']);
			const { rows } = await suite.db.query("select message from public.job_events where job_id = $1 and to_status = 'retry'", [jobId]);
			expect(rows[0].message).toMatch(/^A transient fault \(the model server answered 503 \(run 1\)\)/);
			const { rows: ledger } = await suite.db.query('select reason from public.credit_ledger where job_id = $1 order by id', [jobId]);
			expect(ledger.map((r) => r.reason)).toEqual(['charge']);
		} finally {
			if (!restored) await suite.db.query('alter function worker.worker_retry_later_off(uuid, uuid, text) rename to worker_retry_later').catch(() => {});
		}
		expect(await worker.stop()).toBe(0);
	}, 60_000);
});
