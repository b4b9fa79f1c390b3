// Every real CPU tool runs in an executor (a worker's default) and completes there:
// RDKit's WASM (molecule properties), Open Babel and AutoDock Vina (docking),
// mkdssp (structure analysis), and the pure TypeScript tools, each example as
// a user would submit it. The log says which executor process imported each
// tool, so this is isolation observed, not inferred.
import { describe, expect, it } from 'vitest';
import { toolCatalog } from '#lib/tools/catalog.ts';
import { toolRegistry } from '#lib/tools/registry.ts';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { createUser, startWorkerProcess, submitJob, waitForStatus } from '../helpers/worker-fleet.ts';

const suite = useWorkerDatabase();

describe('real tools in executors', () => {
	it('runs every CPU tool\'s examples to completion in executor processes, not the worker', async () => {
		const worker = await startWorkerProcess(suite.url, { concurrency: 2 });
		const user = await createUser(suite.db, 10_000);
		const tools = toolCatalog.filter((t) => t.enabled && t.computeClass === 'cpu');
		const jobs: Array<{ toolId: string; id: string }> = [];
		for (const entry of tools) {
			const spec = toolRegistry[entry.id];
			const example = spec.examples[0];
			const parsed = await spec.parseInput({ text: example.text, fields: example.fields });
			if (!parsed.ok) throw new Error(`${entry.id}'s example does not parse: ${JSON.stringify(parsed.errors)}`);
			// Docking at the lowest exhaustiveness: where it runs does not depend on it.
			jobs.push({ toolId: entry.id, id: await submitJob(suite.db, user, entry.id, parsed.input, entry.id === 'docking' ? { exhaustiveness: 1 } : {}) });
		}
		for (const job of jobs) {
			const done = await waitForStatus(suite.db, job.id, ['completed', 'failed', 'timeout'], 120_000);
			expect({ tool: job.toolId, status: done.status, error: done.error_message }).toEqual({ tool: job.toolId, status: 'completed', error: null });
		}
		const logs = worker.logs();
		for (const entry of tools) {
			const loaded = new RegExp(`\\[executor (\\d+)\\] loaded tool ${entry.id} in`).exec(logs);
			expect(loaded, `${entry.id} was imported by an executor`).not.toBeNull();
			expect(Number(loaded?.[1])).not.toBe(worker.pid);
		}
		expect(await worker.stop()).toBe(0);
	}, 240_000);
});
