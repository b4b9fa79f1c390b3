// worker/provenance.ts: what a worker records on each job, worked out once
// at start: the catalog's tool version, each tool's programs (a program
// that cannot say its version, or does not answer in time, is recorded as
// unknown rather than stopping the worker), and the worker's version and
// commit (FOLDWORK_COMMIT when set and well-formed).
import { describe, expect, it } from 'vitest';
import { jobProvenanceSchema } from '#lib/jobs/provenance.ts';
import { loadRDKit } from '#lib/rdkit/load.ts';
import { rdkitRelease } from '#lib/tools/molecule-properties/worker.server.ts';
import { proteinPropertiesTool, structureAnalysisTool } from '#lib/tools/runners.server.ts';
import { collectProvenance, workerCommit } from '../../../worker/provenance.ts';
import type { RunnableTool } from '../../../worker/tools.ts';

const quiet = { info() {}, warn() {}, error() {} };

describe('collectProvenance', () => {
	it('records the tool version from the catalog, its programs as they answer, and the worker', async () => {
		const found = await collectProvenance(new Map<string, RunnableTool>([['protein-properties', proteinPropertiesTool], ['structure-analysis', structureAnalysisTool]]), 20_000, quiet);
		const protein = found.get('protein-properties')!;
		expect(jobProvenanceSchema.parse(protein)).toEqual(protein);
		expect(protein).toMatchObject({ tool: { id: 'protein-properties', name: 'Protein properties', version: '1.0.0' }, programs: {} });
		expect(protein.worker.runtime).toBe(`Node.js ${process.version}`);
		expect(found.get('structure-analysis')!.programs.mkdssp).toMatch(/^\d+\.\d+/);
	});

	it('names the RDKit release from its package, as the loaded module reports it, without loading it', async () => {
		expect(rdkitRelease()).toBe((await loadRDKit()).version());
	});

	it('records a program that fails or hangs as unknown, without holding up the start', async () => {
		const failing = { ...proteinPropertiesTool, programVersions: async () => Promise.reject(new Error('no such program')) };
		const hanging = { ...proteinPropertiesTool, programVersions: () => new Promise<Record<string, string>>(() => {}) };
		const t0 = performance.now();
		const found = await collectProvenance(new Map<string, RunnableTool>([['protein-properties', failing], ['sequence-tools', hanging]]), 200, quiet);
		expect(performance.now() - t0).toBeLessThan(5_000);
		expect(found.get('protein-properties')!.programs).toEqual({ 'back-end programs': 'unknown' });
		expect(found.get('sequence-tools')!.programs).toEqual({ 'back-end programs': 'unknown' });
	});
});

describe('workerCommit', () => {
	it('takes FOLDWORK_COMMIT when it is a commit id, and nothing else', async () => {
		expect(await workerCommit({ FOLDWORK_COMMIT: 'ABCDEF1234567' })).toBe('abcdef1234567');
		expect(await workerCommit({ FOLDWORK_COMMIT: 'main; rm -rf /' })).toBeNull();
	});
});
