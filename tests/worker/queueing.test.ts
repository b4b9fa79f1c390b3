// Dispatch and waiting: a job cancelled while queued never starts; GPU jobs
// wait pending (saying why) until a GPU worker starts; queue insight tells
// a team where its waiting jobs stand, and only its own.
import { describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import {
	asUser,
	cancelJob,
	createUser,
	getJob,
	startWorkerProcess,
	statusHistory,
	submitJob,
	waitForStatus
} from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';
import { HEN_LYSOZYME } from '#lib/tools/well-known-sequences.ts';

const suite = useWorkerDatabase();

describe('a job cancelled while queued', () => {
	it('never starts: the worker that fetches it settles it without running it', async () => {
		const user = await createUser(suite.db);
		const worker = await startWorkerProcess(suite.url, { concurrency: 1 });
		const blocker = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 30_000 }] });
		await waitForStatus(suite.db, blocker, 'processing');
		// A second registered worker with a free slot (no process behind it) lets the dispatcher queue one more job.
		await suite.db.query(`insert into public.workers (compute_class, host, concurrency) values ('cpu', 'idle-test-host', 1)`);
		const waiting = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0 }] });
		await waitForStatus(suite.db, waiting, 'queued');
		await cancelJob(suite.db, user, waiting);
		await cancelJob(suite.db, user, blocker);
		// The freed slot fetches the cancelled job from the queue and drops it.
		await waitFor('the cancelled job to leave the queue', async () => {
			const { rows } = await suite.db.query("select 1 from pgboss.job where id = $1 and state = 'completed'", [waiting]);
			return rows.length === 1;
		});
		expect(await statusHistory(suite.db, waiting)).toEqual(['pending', 'queued', 'cancelled']);
		expect((await getJob(suite.db, waiting)).worker_id).toBeNull();
		await suite.db.query(`update public.workers set stopped_at = now() where host = 'idle-test-host'`);
		expect(await worker.stop()).toBe(0);
	}, 30_000);
});

describe('queue insight', () => {
	it('gives each waiting job its place in its class\'s queue and says all slots are busy', async () => {
		const user = await createUser(suite.db);
		const worker = await startWorkerProcess(suite.url, { concurrency: 1 });
		const running = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 30_000 }] });
		await waitForStatus(suite.db, running, 'processing');
		const first = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0 }] });
		const second = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0 }] });
		const insight = await asUser(suite.db, user, 'select * from public.job_queue_insight($1)', [[first, second, running]]);
		expect(insight.map((r) => [r.job_id, r.status, r.queue_position, r.jobs_ahead, r.reason])).toEqual([
			[first, 'pending', 1, 0, 'all_slots_busy'],
			[second, 'pending', 2, 1, 'all_slots_busy']
		]);
		const fleet = await asUser(suite.db, user, 'select * from public.fleet_status()', []);
		expect(fleet.find((r) => r.compute_class === 'cpu')).toMatchObject({ workers_online: 1, slots_total: 1, slots_busy: 1, slots_free: 0, queue_depth: 2 });
		await cancelJob(suite.db, user, running);
		for (const id of [first, second]) expect((await waitForStatus(suite.db, id, ['completed', 'failed'])).status).toBe('completed');
		expect(await worker.stop()).toBe(0);
	}, 30_000);

	it('keeps the worker RPCs from anon and signed-in users, in a schema the REST API does not expose', async () => {
		const { rows: inPublic } = await suite.db.query(`select p.proname from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname like 'worker\\_%'`);
		expect(inPublic).toEqual([]);
		const { rows } = await suite.db.query(`
			select p.proname, has_function_privilege('authenticated', p.oid, 'execute') and has_schema_privilege('authenticated', 'worker', 'usage') as authenticated,
			  has_function_privilege('anon', p.oid, 'execute') and has_schema_privilege('anon', 'worker', 'usage') as anon,
			  has_function_privilege('service_role', p.oid, 'execute') and has_schema_privilege('service_role', 'worker', 'usage') as service
			from pg_proc p where p.pronamespace = 'worker'::regnamespace and p.proname like 'worker\\_%' order by p.proname`);
		expect(rows.map((r) => r.proname)).toEqual([
			'worker_claim_jobs', 'worker_dispatch', 'worker_finish_jobs', 'worker_hand_back', 'worker_heartbeat', 'worker_input_settled',
			'worker_inputs_to_settle', 'worker_job_input_files', 'worker_legacy_job_file_moved', 'worker_legacy_job_files', 'worker_output_path',
			'worker_prune', 'worker_reap', 'worker_register', 'worker_register_gpus', 'worker_report_progress', 'worker_request_drain', 'worker_retry_later', 'worker_sign_off', 'worker_storage_garbage',
			'worker_write_job_file'
		]);
		for (const r of rows) expect([r.proname, r.authenticated, r.anon, r.service]).toEqual([r.proname, false, false, true]);
	});
});

describe('a GPU job', () => {
	it('waits pending with "Waiting for GPU resources" while no GPU worker is online, and runs when one starts', async () => {
		const user = await createUser(suite.db);
		const other = await createUser(suite.db);
		const cpu = await startWorkerProcess(suite.url, { concurrency: 1 });
		const jobId = await submitJob(suite.db, user, 'gpu-selftest', { sequences: [{ id: 'LYSC_CHICK', sequence: HEN_LYSOZYME }] });
		const waiting = await waitFor('the GPU job to say it waits', async () => {
			const job = await getJob(suite.db, jobId);
			return job.progress_message === 'Waiting for GPU resources' ? job : undefined;
		});
		expect(waiting.status).toBe('pending');

		const insight = await asUser(suite.db, user, 'select * from public.job_queue_insight()', []);
		expect(insight).toEqual([
			expect.objectContaining({ job_id: jobId, status: 'pending', compute_class: 'gpu', queue_position: 1, jobs_ahead: 0, reason: 'no_worker' })
		]);
		expect(insight[0].message).toMatch(/no GPU worker is online/);
		// Another team learns nothing about this job.
		expect(await asUser(suite.db, other, 'select * from public.job_queue_insight()', [])).toEqual([]);
		// The fleet status is for every signed-in user.
		const fleet = await asUser(suite.db, other, 'select * from public.fleet_status()', []);
		expect(fleet.find((r) => r.compute_class === 'gpu')).toMatchObject({ workers_online: 0, queue_depth: 1 });
		// Worker RPCs are not for signed-in users.
		await expect(asUser(suite.db, user, 'select * from worker.worker_dispatch()', [])).rejects.toThrow(/permission denied for schema worker/);

		const gpu = await startWorkerProcess(suite.url, { computeClass: 'gpu', concurrency: 1, args: ['--gpus', '1'] });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'], 20_000);
		expect(job.status).toBe('completed');
		expect(job.worker_id).toBe(gpu.workerId);
		expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'completed']);
		const [row] = job.result.table.rows;
		expect(row).toMatchObject({ id: 'LYSC_CHICK', length: 129, verified: true });
		expect(row.top_weight).toBeGreaterThan(0);
		const { rows: workers } = await suite.db.query('select compute_class, gpus from public.workers where id = $1', [gpu.workerId]);
		expect(workers[0]).toEqual({ compute_class: 'gpu', gpus: 1 });
		expect(await gpu.stop()).toBe(0);
		expect(await cpu.stop()).toBe(0);
	}, 40_000);
});
