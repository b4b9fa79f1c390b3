// /status's line for one GPU: its model and memory, and the jobs on it with the GPU memory each needs.
import { describe, expect, it } from 'vitest';
import { describeGpu } from '../../../src/lib/fleet/fleet-status.ts';

describe('describeGpu', () => {
	it('names the model, the memory rounded down, and each job with its need rounded up', () => {
		expect(describeGpu({ name: 'NVIDIA L4', memory_mib: 23034, worker_jobs: 0, jobs: [] })).toBe('NVIDIA L4, 22 GB: idle');
		expect(
			describeGpu({
				name: 'NVIDIA A100-SXM4-40GB',
				memory_mib: 40960,
				worker_jobs: 2,
				jobs: [
					{ tool: 'Structure prediction (ESMFold)', memory_mib: 13644 },
					{ tool: 'GPU self-test', memory_mib: 512 }
				]
			})
		).toBe('NVIDIA A100-SXM4-40GB, 40 GB: Structure prediction (ESMFold) needs about 14 GB; GPU self-test needs about 1 GB');
		// A job of a tool without a need (or from before needs were recorded) is named alone; a worker's jobs counted when not listed.
		expect(describeGpu({ name: 'T4', memory_mib: 15360, worker_jobs: 1, jobs: [{ tool: 'Test', memory_mib: null }] })).toBe('T4, 15 GB: Test');
		expect(describeGpu({ name: 'T4', memory_mib: 15360, worker_jobs: 1, jobs: [] })).toBe('T4, 15 GB: 1 job');
	});
});
