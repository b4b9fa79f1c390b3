// A GPU worker finds its GPUs with nvidia-smi (here a stand-in on PATH,
// tests/fixtures/nvidia-smi, answering the worker's query with the GPUs of
// FOLDWORK_TEST_GPUS), registers each one's model and memory, and /status
// (fleet_status) lists them with the jobs their worker runs; a machine
// without nvidia-smi registers none. Registering GPUs is for the service
// role only.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { asUser, createUser, root, startWorkerProcess } from '../helpers/worker-fleet.ts';
import { parseGpuLine } from '../../worker/registry.ts';

const suite = useWorkerDatabase();
const standIn = path.join(root, 'tests/fixtures');

describe('GPU detection', () => {
	it('reads nvidia-smi\'s CSV lines, and nothing else', () => {
		expect(parseGpuLine('NVIDIA H100 80GB HBM3, 81559')).toEqual({ name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 });
		expect(parseGpuLine('')).toBeNull();
		expect(parseGpuLine('No devices were found')).toBeNull();
	});

	it('registers the GPUs nvidia-smi reports, and /status shows their model and memory', async () => {
		const user = await createUser(suite.db);
		const worker = await startWorkerProcess(suite.url, {
			computeClass: 'gpu',
			concurrency: 2,
			env: { PATH: `${standIn}:${process.env.PATH}`, FOLDWORK_TEST_GPUS: 'NVIDIA A100-SXM4-40GB,40960;NVIDIA L4,23034' }
		});
		const { rows } = await suite.db.query('select gpus, gpu_devices from public.workers where id = $1', [worker.workerId]);
		expect(rows[0]).toEqual({
			gpus: 2,
			gpu_devices: [
				{ name: 'NVIDIA A100-SXM4-40GB', memory_mib: 40960 },
				{ name: 'NVIDIA L4', memory_mib: 23034 }
			]
		});
		const fleet = await asUser(suite.db, user, 'select compute_class, gpus from public.fleet_status()', []);
		expect(fleet.find((r) => r.compute_class === 'gpu')?.gpus).toEqual([
			{ name: 'NVIDIA A100-SXM4-40GB', memory_mib: 40960, worker_jobs: 0, jobs: [] },
			{ name: 'NVIDIA L4', memory_mib: 23034, worker_jobs: 0, jobs: [] }
		]);
		expect(fleet.find((r) => r.compute_class === 'cpu')?.gpus).toEqual([]);
		// Signed-in users cannot register GPUs for a worker.
		await expect(asUser(suite.db, user, 'select worker.worker_register_gpus($1, $2)', [worker.workerId, '[]'])).rejects.toThrow(/permission denied/);
		expect(await worker.stop()).toBe(0);
	}, 30_000);

	it('registers none where nvidia-smi reports none', async () => {
		const worker = await startWorkerProcess(suite.url, {
			computeClass: 'gpu',
			concurrency: 1,
			env: { PATH: `${standIn}:${process.env.PATH}`, FOLDWORK_TEST_GPUS: '' }
		});
		const { rows } = await suite.db.query('select gpus, gpu_devices from public.workers where id = $1', [worker.workerId]);
		expect(rows[0]).toEqual({ gpus: 0, gpu_devices: [] });
		expect(worker.logs()).toMatch(/no GPU detected/);
		expect(await worker.stop()).toBe(0);
	}, 30_000);
});
