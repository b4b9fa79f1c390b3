// Tool id -> definition, for the tools implemented so far (later suites add theirs).
import { gpuSelftestTool } from './gpu-selftest/index.ts';
import { moleculePropertiesTool } from './molecule-properties/index.ts';
import { pairwiseAlignmentTool } from './pairwise-alignment/index.ts';
import { proteinPropertiesTool } from './protein-properties/index.ts';
import { sequenceToolsTool } from './sequence-tools/index.ts';
import type { ToolDefinition, ToolResult } from './types.ts';

// Each definition is typed by its own input/settings; the registry hands them
// out untyped, and callers parse input and settings with the tool's schemas.
type AnyToolDefinition = ToolDefinition<any, any, ToolResult>;

export const toolRegistry: Readonly<Record<string, AnyToolDefinition>> = {
	'protein-properties': proteinPropertiesTool,
	'sequence-tools': sequenceToolsTool,
	'pairwise-alignment': pairwiseAlignmentTool,
	'molecule-properties': moleculePropertiesTool,
	'gpu-selftest': gpuSelftestTool
};

export function toolDefinition(id: string): AnyToolDefinition | undefined {
	return Object.hasOwn(toolRegistry, id) ? toolRegistry[id] : undefined;
}
