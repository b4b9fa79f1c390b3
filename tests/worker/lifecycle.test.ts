// A real worker process runs jobs end to end: completion with live progress
// and output files, tool crashes, bad input, time limits and cancellation
// while running; and it stops cleanly on SIGTERM.
import { createClient } from '@supabase/supabase-js';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import {
	cancelJob,
	createUser,
	getJob,
	otherConnections,
	startWorkerProcess,
	statusHistory,
	storageFor,
	submitJob,
	waitForStatus,
	type TestUser,
	type WorkerProcess
} from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';

const suite = useWorkerDatabase();
const jobIdSuffix = () => Math.random().toString(36).slice(2, 10);
let worker: WorkerProcess;
let user: TestUser;

async function ledger(jobId: string): Promise<string[]> {
	const { rows } = await suite.db.query('select reason from public.credit_ledger where job_id = $1 order by id', [jobId]);
	return rows.map((r) => r.reason);
}

beforeAll(async () => {
	user = await createUser(suite.db);
	worker = await startWorkerProcess(suite.url, { concurrency: 2 });
});

afterAll(async () => {
	await worker?.stop();
});

describe('a job submitted while a CPU worker runs', () => {
	it('completes with the status sequence pending, queued, processing, completed, live progress and its output file', async () => {
		const jobId = await submitJob(suite.db, user, 'test-sleep', { steps: Array.from({ length: 8 }, () => ({ ms: 150 })) });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout']);
		expect(job.status).toBe('completed');
		expect(job.progress).toBe(100);
		expect(job.worker_id).toBe(worker.workerId);
		expect(job.result.table.rows).toHaveLength(8);
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'completed']);

		const { rows: progress } = await suite.db.query<{ progress: number; message: string | null }>(
			'select progress, message from public.test_progress_log where job_id = $1 order by at',
			[jobId]
		);
		const values = progress.map((p) => p.progress);
		expect(values.some((p) => p > 0 && p < 100), `intermediate progress in ${values}`).toBe(true);
		expect(values.at(-1)).toBe(100);
		expect([...values].sort((a, b) => a - b)).toEqual(values);
		// Throttled: 8 reports over ~1.2 s are at most ~4 writes a second (plus the final 100%).
		expect(values.filter((p) => p > 0 && p < 100).length).toBeLessThan(8);
		expect(progress.some((p) => p.message?.startsWith('step '))).toBe(true);
		// The timeline's completed entry says what finished, not the last throttled step that was saved.
		const { rows: completedEvent } = await suite.db.query("select message from public.job_events where job_id = $1 and to_status = 'completed'", [jobId]);
		expect(completedEvent).toEqual([{ message: 'Finished: step 8 of 8' }]);

		// Its bytes are in Storage, at the job's output folder; the row has their size and checksum and no bytes.
		const { rows: files } = await suite.db.query('select name, kind, media_type, size_bytes::int, sha256, storage_path, content from public.job_files where job_id = $1', [jobId]);
		expect(files).toEqual([
			{
				name: 'steps.txt',
				kind: 'output',
				media_type: 'text/plain',
				size_bytes: 8,
				sha256: createHash('sha256').update('8 steps\n').digest('hex'),
				storage_path: `${user.teamId}/${jobId}/output/steps.txt`,
				content: null
			}
		]);
		const storage = await storageFor(suite.url);
		const { data } = await createClient(storage.url, storage.serviceRoleKey, { auth: { persistSession: false } }).storage.from('job-files').download(files[0].storage_path);
		expect(await data!.text()).toBe('8 steps\n');
		expect(await ledger(jobId)).toEqual(['charge']);
	});

	it('says "Finished" when the tool never said how far it got', async () => {
		const jobId = await submitJob(suite.db, user, 'test-echo', { steps: [{ ms: 0 }] });
		expect((await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'])).status).toBe('completed');
		const { rows } = await suite.db.query(
			"select e.message, j.progress_message from public.job_events e join public.jobs j on j.id = e.job_id where e.job_id = $1 and e.to_status = 'completed'",
			[jobId]
		);
		expect(rows).toEqual([{ message: 'Finished', progress_message: 'Finished' }]);
	});

	it('ends failed with a generic message when the tool crashes, refunds, and does not retry', async () => {
		const jobId = await submitJob(suite.db, user, 'test-throw', { steps: [{ ms: 0 }] });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout']);
		expect(job.status).toBe('failed');
		expect(job.error_code).toBe('tool_error');
		expect(job.error_message).toMatch(/unexpected error/);
		expect(job.error_message).not.toMatch(/undefined|field|TypeError/);
		expect(job.attempt).toBe(1);
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'failed']);
		expect(await ledger(jobId)).toEqual(['charge', 'refund']);
		expect(worker.logs()).toMatch(new RegExp(`job ${jobId}: tool test-throw crashed: TypeError`));
	});

	it('runs a job again after a transient fault of the tool\'s service, charged once', async () => {
		const jobId = await submitJob(suite.db, user, 'test-flaky', { steps: [{ ms: 0, fail: `flaky-${jobIdSuffix()}` }, { ms: 0 }] });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout']);
		expect(job.status).toBe('completed');
		expect(job.attempt).toBe(2);
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'retry', 'processing', 'completed']);
		expect(await ledger(jobId)).toEqual(['charge']);
		const { rows } = await suite.db.query("select message from public.job_events where job_id = $1 and to_status = 'retry'", [jobId]);
		expect(rows[0].message).toBe('A transient fault (the model server answered 503 (run 1)); the job will run again (attempt 2 of 3)');
	});

	it('ends failed saying why when the tool\'s service keeps failing past the attempt limit, and refunds', async () => {
		const jobId = await submitJob(suite.db, user, 'test-flaky', { steps: [{ ms: 0, fail: `down-${jobIdSuffix()}` }, { ms: 0 }, { ms: 0 }, { ms: 0 }, { ms: 0 }] });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout']);
		expect(job.status).toBe('failed');
		expect(job.attempt).toBe(3);
		expect(job.error_code).toBe('service_unavailable');
		expect(job.error_message).toMatch(/failed 3 times in a row \(last: the model server answered 503 \(run 3\)\)/);
		expect(await ledger(jobId)).toEqual(['charge', 'refund']);
	});

	it('ends failed with the tool\'s own message when the input is bad, without retrying', async () => {
		const jobId = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0 }, { ms: 0, fail: "'J' is not an amino acid" }] });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout']);
		expect(job.status).toBe('failed');
		expect(job.error_code).toBe('invalid_input');
		expect(job.error_message).toBe("record 'step 2': 'J' is not an amino acid");
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'failed']);
		expect(await ledger(jobId)).toEqual(['charge', 'refund']);
	});

	it('ends failed naming the field when the input does not match the tool\'s schema', async () => {
		const jobId = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 'soon' }] });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout']);
		expect(job.status).toBe('failed');
		expect(job.error_code).toBe('invalid_input');
		expect(job.error_message).toMatch(/^The input is not valid: steps\.0\.ms: /);
	});

	it('ends timeout past the tool\'s time limit, even when the tool ignores its abort signal, and refunds', async () => {
		const jobId = await submitJob(suite.db, user, 'test-stubborn', { steps: [{ ms: 8_000 }] });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'], 6_000);
		expect(job.status).toBe('timeout');
		expect(job.error_message).toMatch(/time limit of 1 seconds/);
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'timeout']);
		expect(await ledger(jobId)).toEqual(['charge', 'refund']);
	});

	it('stops a running job of 30 s on cancel_job and keeps it cancelled', async () => {
		const jobId = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 30_000 }] });
		await waitForStatus(suite.db, jobId, 'processing');
		await cancelJob(suite.db, user, jobId);
		// The worker settles the job's queue entry when its run has stopped. How fast
		// (within a second) is a figure of bench:worker's isolation part, not of a test
		// on a loaded machine: here, well before the run's 30 s.
		await waitFor('the run to stop', async () => {
			const { rows } = await suite.db.query("select state from pgboss.job where id = $1 and state = 'completed'", [jobId]);
			return rows.length === 1;
		}, 5_000);
		const job = await getJob(suite.db, jobId);
		expect(job.status).toBe('cancelled');
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'cancelled']);
		expect(await ledger(jobId)).toEqual(['charge']);
		expect(worker.logs()).toMatch(new RegExp(`job ${jobId} attempt 1: stopped \\(cancelled\\), gone`));
	});

	it('reports the fleet on the status RPC', async () => {
		const { rows } = await suite.db.query('select * from public.fleet_status()');
		const cpu = rows.find((r) => r.compute_class === 'cpu');
		expect(cpu).toMatchObject({ workers_online: 1, slots_total: 2 });
		expect(cpu.median_wait_seconds).toBeGreaterThanOrEqual(0);
		expect(rows.find((r) => r.compute_class === 'gpu')).toMatchObject({ workers_online: 0, slots_total: 0 });
	});
});

describe('stopping', () => {
	it('exits 0 on SIGTERM, signs off and closes every connection', async () => {
		expect(await worker.stop()).toBe(0);
		const { rows } = await suite.db.query('select stopped_at from public.workers where id = $1', [worker.workerId]);
		expect(rows[0].stopped_at).not.toBeNull();
		await waitFor('connections to close', async () => (await otherConnections(suite.db)).length === 0, 5_000);
	});
});
