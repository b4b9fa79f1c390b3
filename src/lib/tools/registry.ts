// Tool id -> browser part (ToolSpec): what the web app's forms import. The
// worker parts are joined to these in runners.server.ts, which the browser
// never loads.
import { dockingSpec } from './docking/index.ts';
import { gpuSelftestSpec } from './gpu-selftest/index.ts';
import { moleculePropertiesSpec } from './molecule-properties/index.ts';
import { pairwiseAlignmentSpec } from './pairwise-alignment/index.ts';
import { proteinPropertiesSpec } from './protein-properties/index.ts';
import { sequenceToolsSpec } from './sequence-tools/index.ts';
import { structureAnalysisSpec } from './structure-analysis/index.ts';
import { structurePredictionSpec } from './structure-prediction/index.ts';
import type { ToolSpec } from './types.ts';

// Each spec is typed by its own input/settings; the registry hands them out
// untyped, and callers parse input and settings with the tool's schemas.
export type AnyToolSpec = ToolSpec<any, any>;

const specs = {
	'protein-properties': proteinPropertiesSpec,
	'sequence-tools': sequenceToolsSpec,
	'pairwise-alignment': pairwiseAlignmentSpec,
	'molecule-properties': moleculePropertiesSpec,
	'structure-analysis': structureAnalysisSpec,
	docking: dockingSpec,
	'structure-prediction': structurePredictionSpec,
	'gpu-selftest': gpuSelftestSpec
};

export type ToolId = keyof typeof specs;

export const toolRegistry: Readonly<Record<string, AnyToolSpec>> = specs;

export function toolSpec(id: string): AnyToolSpec | undefined {
	return Object.hasOwn(toolRegistry, id) ? toolRegistry[id] : undefined;
}
