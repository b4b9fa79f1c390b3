// Tool id -> whole tool: each tool's browser part (registry.ts) joined with
// its worker part (<tool>/worker.server.ts). The worker fleet, the tests and
// the benches run tools from here; the web app imports registry.ts, and
// SvelteKit refuses to bundle this module (or anything only it imports) for
// the browser.
import { dockingSpec } from './docking/index.ts';
import { createDockingWorker, type DockingWorkerOptions } from './docking/worker.server.ts';
import { gpuSelftestSpec } from './gpu-selftest/index.ts';
import { gpuSelftestWorker } from './gpu-selftest/worker.server.ts';
import { moleculePropertiesSpec } from './molecule-properties/index.ts';
import { moleculePropertiesWorker } from './molecule-properties/worker.server.ts';
import { pairwiseAlignmentSpec } from './pairwise-alignment/index.ts';
import { pairwiseAlignmentWorker } from './pairwise-alignment/worker.server.ts';
import { proteinPropertiesSpec } from './protein-properties/index.ts';
import { proteinPropertiesWorker } from './protein-properties/worker.server.ts';
import type { ToolId } from './registry.ts';
import { sequenceToolsSpec } from './sequence-tools/index.ts';
import { sequenceToolsWorker } from './sequence-tools/worker.server.ts';
import { structureAnalysisSpec } from './structure-analysis/index.ts';
import { structureAnalysisWorker } from './structure-analysis/worker.server.ts';
import { structurePredictionSpec } from './structure-prediction/index.ts';
import type { EsmfoldServiceConfig } from './structure-prediction/service.server.ts';
import { createStructurePredictionWorker } from './structure-prediction/worker.server.ts';
import type { ToolDefinition, ToolResult, ToolSpec, ToolWorker } from './types.ts';

export type AnyToolDefinition = ToolDefinition<any, any, ToolResult>;

function joinTool<TInput, TSettings, TResult extends ToolResult>(
	spec: ToolSpec<TInput, TSettings>,
	worker: ToolWorker<TInput, TSettings, TResult>
): ToolDefinition<TInput, TSettings, TResult> {
	return { ...spec, ...worker };
}

export const proteinPropertiesTool = joinTool(proteinPropertiesSpec, proteinPropertiesWorker);
export const sequenceToolsTool = joinTool(sequenceToolsSpec, sequenceToolsWorker);
export const pairwiseAlignmentTool = joinTool(pairwiseAlignmentSpec, pairwiseAlignmentWorker);
export const moleculePropertiesTool = joinTool(moleculePropertiesSpec, moleculePropertiesWorker);
export const structureAnalysisTool = joinTool(structureAnalysisSpec, structureAnalysisWorker);
export const gpuSelftestTool = joinTool(gpuSelftestSpec, gpuSelftestWorker);

/** Docking with its programs looked up in `options.env` (tests and benches pin threads, folders and programs). */
export function createDockingTool(options: DockingWorkerOptions = {}) {
	return joinTool(dockingSpec, createDockingWorker(options));
}
export const dockingTool = createDockingTool();

/** Structure prediction against the model server `config` names (default: the worker's environment). */
export function createStructurePredictionTool(config?: () => EsmfoldServiceConfig) {
	return joinTool(structurePredictionSpec, createStructurePredictionWorker(config));
}
export const structurePredictionTool = createStructurePredictionTool();

// Keyed by ToolId, so a tool added to registry.ts without a worker part (or the other way round) fails type checking.
const definitions: Record<ToolId, AnyToolDefinition> = {
	'protein-properties': proteinPropertiesTool,
	'sequence-tools': sequenceToolsTool,
	'pairwise-alignment': pairwiseAlignmentTool,
	'molecule-properties': moleculePropertiesTool,
	'structure-analysis': structureAnalysisTool,
	docking: dockingTool,
	'structure-prediction': structurePredictionTool,
	'gpu-selftest': gpuSelftestTool
};

/** Every tool a worker can run. */
export const toolDefinitions: Readonly<Record<string, AnyToolDefinition>> = definitions;
