// Tool id -> definition: every tool a worker can run.
import { dockingTool } from './docking/index.ts';
import { gpuSelftestTool } from './gpu-selftest/index.ts';
import { moleculePropertiesTool } from './molecule-properties/index.ts';
import { pairwiseAlignmentTool } from './pairwise-alignment/index.ts';
import { proteinPropertiesTool } from './protein-properties/index.ts';
import { sequenceToolsTool } from './sequence-tools/index.ts';
import { structureAnalysisTool } from './structure-analysis/index.ts';
import { structurePredictionTool } from './structure-prediction/index.ts';
import type { ToolDefinition, ToolResult } from './types.ts';

// Each definition is typed by its own input/settings; the registry hands them
// out untyped, and callers parse input and settings with the tool's schemas.
type AnyToolDefinition = ToolDefinition<any, any, ToolResult>;

export const toolRegistry: Readonly<Record<string, AnyToolDefinition>> = {
	'protein-properties': proteinPropertiesTool,
	'sequence-tools': sequenceToolsTool,
	'pairwise-alignment': pairwiseAlignmentTool,
	'molecule-properties': moleculePropertiesTool,
	'structure-analysis': structureAnalysisTool,
	docking: dockingTool,
	'structure-prediction': structurePredictionTool,
	'gpu-selftest': gpuSelftestTool
};

export function toolDefinition(id: string): AnyToolDefinition | undefined {
	return Object.hasOwn(toolRegistry, id) ? toolRegistry[id] : undefined;
}
