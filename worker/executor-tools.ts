// What an executor loads to run a tool: only that tool's worker part, imported
// the first time the executor is asked to run it (not the whole registry, which
// costs every executor ~0.4 s of CPU at start, most of it for tools it may never
// run). Input and settings arrive already validated by the worker, so the
// executor needs only `run`. Keyed by ToolId, so a tool added to the registry
// without a loader here fails type checking.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ToolId } from '#lib/tools/registry.ts';
import type { ToolWorker } from '#lib/tools/types.ts';

type AnyToolWorker = ToolWorker<any, any>;

const registryWorkers: Record<ToolId, () => Promise<AnyToolWorker>> = {
	'protein-properties': async () => (await import('#lib/tools/protein-properties/worker.server.ts')).proteinPropertiesWorker,
	'sequence-tools': async () => (await import('#lib/tools/sequence-tools/worker.server.ts')).sequenceToolsWorker,
	'pairwise-alignment': async () => (await import('#lib/tools/pairwise-alignment/worker.server.ts')).pairwiseAlignmentWorker,
	'molecule-properties': async () => (await import('#lib/tools/molecule-properties/worker.server.ts')).moleculePropertiesWorker,
	'structure-analysis': async () => (await import('#lib/tools/structure-analysis/worker.server.ts')).structureAnalysisWorker,
	// The same defaults as runners.server.ts's dockingTool and structurePredictionTool (the worker's environment).
	docking: async () => (await import('#lib/tools/docking/worker.server.ts')).createDockingWorker(),
	'structure-prediction': async () => (await import('#lib/tools/structure-prediction/worker.server.ts')).createStructurePredictionWorker(),
	'gpu-selftest': async () => (await import('#lib/tools/gpu-selftest/worker.server.ts')).gpuSelftestWorker
};

/** Loads tools on first use, each once; FOLDWORK_EXTRA_TOOLS (tests only) is imported whole the first time one of its tools is asked for. */
export class ExecutorTools {
	#extraModule: string | null;
	#loaded = new Map<string, Promise<AnyToolWorker | undefined>>();
	#extra: Promise<Map<string, AnyToolWorker>> | null = null;

	constructor(extraModule: string | null) {
		this.#extraModule = extraModule;
	}

	/** The tool's worker part; undefined when neither the registry nor the extra module has it. */
	get(toolId: string): Promise<AnyToolWorker | undefined> {
		let tool = this.#loaded.get(toolId);
		if (!tool) {
			tool = this.#load(toolId);
			this.#loaded.set(toolId, tool);
			// A failed import is tried again on the next run rather than cached.
			tool.catch(() => this.#loaded.delete(toolId));
		}
		return tool;
	}

	async #load(toolId: string): Promise<AnyToolWorker | undefined> {
		if (Object.hasOwn(registryWorkers, toolId)) return registryWorkers[toolId as ToolId]();
		if (!this.#extraModule) return undefined;
		this.#extra ??= import(pathToFileURL(path.resolve(this.#extraModule)).href).then((m: { tools?: Array<{ catalog: { id: string } } & AnyToolWorker> }) => {
			return new Map((m.tools ?? []).map((t) => [t.catalog.id, t]));
		});
		return (await this.#extra).get(toolId);
	}
}
