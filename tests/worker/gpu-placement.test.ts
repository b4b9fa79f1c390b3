// GPU-aware placement with real worker processes: two GPU workers whose
// stand-in nvidia-smi (tests/fixtures/nvidia-smi, answering from
// FOLDWORK_TEST_GPUS) report an 8 GB and a 16 GB GPU. Structure prediction
// needs about 6.1 GB at 100 residues, 13.3 GB at 800 and 17.4 GB at 1,000
// (supabase/migrations/20261209600000_job_gpu_memory_need.sql). Its model
// server is a stand-in that never answers, so a job holds its GPU until it
// is cancelled and every step is an event the test waits for.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEsmfoldStandin, type EsmfoldStandin } from '../fixtures/esmfold-standin.ts';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { asUser, cancelJob, createUser, root, startWorkerProcess, submitJob, waitForStatus, type WorkerProcess } from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';

const suite = useWorkerDatabase();
const standIn = path.join(root, 'tests/fixtures');
let esmfold: EsmfoldStandin;

beforeAll(async () => {
	esmfold = await startEsmfoldStandin();
	esmfold.mode = 'hang';
	await suite.db.query(`update public.tools set enabled = true where id = 'structure-prediction'`);
});
afterAll(async () => {
	await esmfold?.close();
});

const protein = (length: number) => 'ACDEFGHIKLMNPQRSTVWY'.repeat(Math.ceil(length / 20)).slice(0, length);
const fold = (length: number) => ({ sequences: [{ id: `L${length}`, sequence: protein(length) }] });

function gpuWorker(gpus: string): Promise<WorkerProcess> {
	return startWorkerProcess(suite.url, {
		computeClass: 'gpu',
		concurrency: 1,
		env: { PATH: `${standIn}:${process.env.PATH}`, FOLDWORK_TEST_GPUS: gpus, ESMFOLD_URL: esmfold.url }
	});
}

describe('GPU placement', () => {
	it('sends a large job only to the large GPU, small ones to either, and holds a job no GPU fits until one registers', async () => {
		const user = await createUser(suite.db, 1000);
		const small = await gpuWorker('Test GPU 8GB,8192');
		const large = await gpuWorker('Test GPU 16GB,16384');
		const insight = async (jobId: string) =>
			(await asUser<{ reason: string; message: string }>(suite.db, user, 'select reason, message from public.job_queue_insight($1)', [[jobId]]))[0];

		// A small job with both GPUs free goes to either.
		const either = await submitJob(suite.db, user, 'structure-prediction', fold(100));
		expect([small.workerId, large.workerId]).toContain((await waitForStatus(suite.db, either, 'processing')).worker_id);
		await cancelJob(suite.db, user, either);
		await waitFor('both GPUs free', async () => (await suite.db.query(`select 1 from public.jobs where status = 'processing'`)).rowCount === 0);

		// A 13.3 GB job goes to the 16 GB GPU, whichever worker fetches first.
		const big = await submitJob(suite.db, user, 'structure-prediction', fold(800));
		expect((await waitForStatus(suite.db, big, 'processing')).worker_id).toBe(large.workerId);

		// A second one waits while the 8 GB GPU is free, and says why; a small job behind it goes ahead to the 8 GB GPU.
		const second = await submitJob(suite.db, user, 'structure-prediction', fold(800));
		const behind = await submitJob(suite.db, user, 'structure-prediction', fold(100));
		expect((await waitForStatus(suite.db, behind, 'processing')).worker_id).toBe(small.workerId);
		await cancelJob(suite.db, user, behind);
		await waitFor('the 8 GB GPU free again', async () => {
			const { rows } = await suite.db.query(`select 1 from public.jobs where worker_id = $1 and status = 'processing'`, [small.workerId]);
			return rows.length === 0;
		});
		expect(await insight(second)).toEqual({ reason: 'gpu_memory_busy', message: 'Needs about 14 GB of GPU memory; the largest free GPU has 8 GB' });
		expect((await suite.db.query('select status from public.jobs where id = $1', [second])).rows[0].status).toBe('pending');
		// The large GPU frees: the waiting job takes it.
		await cancelJob(suite.db, user, big);
		expect((await waitForStatus(suite.db, second, 'processing')).worker_id).toBe(large.workerId);
		await cancelJob(suite.db, user, second);

		// 17.4 GB fits no GPU of the fleet: it waits and says so, until a 24 GB worker registers.
		const huge = await submitJob(suite.db, user, 'structure-prediction', fold(1000));
		await waitFor('the huge job explained', async () => (await insight(huge))?.reason === 'gpu_memory_none');
		expect((await insight(huge)).message).toBe('Needs about 18 GB of GPU memory; no GPU worker has that much memory');
		const largest = await gpuWorker('Test GPU 24GB,24576');
		expect((await waitForStatus(suite.db, huge, 'processing')).worker_id).toBe(largest.workerId);

		// /status: each GPU with the jobs on it and what they need.
		const fleet = await asUser<{ compute_class: string; gpus: unknown }>(suite.db, user, 'select compute_class, gpus from public.fleet_status()', []);
		expect(fleet.find((r) => r.compute_class === 'gpu')?.gpus).toEqual([
			{ name: 'Test GPU 8GB', memory_mib: 8192, worker_jobs: 0, jobs: [] },
			{ name: 'Test GPU 16GB', memory_mib: 16384, worker_jobs: 0, jobs: [] },
			{ name: 'Test GPU 24GB', memory_mib: 24576, worker_jobs: 1, jobs: [{ tool: 'Structure prediction (ESMFold)', memory_mib: 17863 }] }
		]);
		await cancelJob(suite.db, user, huge);
		await waitForStatus(suite.db, huge, 'cancelled');
		for (const worker of [small, large, largest]) expect(await worker.stop()).toBe(0);
	}, 120_000);
});
