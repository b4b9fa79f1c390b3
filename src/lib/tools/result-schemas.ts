// One result schema per tool, for both ends of a result: the worker checks
// what a tool's run returns with checkToolResult before the job completes
// (worker/runner.ts), and the job page parses a stored result with the same
// schema (src/lib/components/results/parse.ts). A tool with no schema here
// (a test tool) is held to the part every result has, the table.
import type { z } from 'zod';
import { dockingResultSchema } from './docking/result.ts';
import { gpuSelftestResultSchema } from './gpu-selftest/index.ts';
import { moleculeResultSchema } from './molecule-properties/index.ts';
import { pairwiseResultSchema } from './pairwise-alignment/index.ts';
import { proteinPropertiesResultSchema } from './protein-properties/index.ts';
import { toolResultSchema } from './result-table.ts';
import { sequenceToolsResultSchema } from './sequence-tools/index.ts';
import { structureAnalysisResultSchema } from './structure-analysis/index.ts';
import { structurePredictionResultSchema } from './structure-prediction/index.ts';

export const toolResultSchemas = {
	'protein-properties': proteinPropertiesResultSchema,
	'sequence-tools': sequenceToolsResultSchema,
	'pairwise-alignment': pairwiseResultSchema,
	'molecule-properties': moleculeResultSchema,
	'structure-analysis': structureAnalysisResultSchema,
	docking: dockingResultSchema,
	'structure-prediction': structurePredictionResultSchema,
	'gpu-selftest': gpuSelftestResultSchema
} as const;

export type KnownResultTool = keyof typeof toolResultSchemas;

export function hasResultSchema(toolId: string): toolId is KnownResultTool {
	return Object.hasOwn(toolResultSchemas, toolId);
}

/** The schema a tool's result must match: its own, or the table every result has. */
export function resultSchemaFor(toolId: string): z.ZodType {
	return hasResultSchema(toolId) ? toolResultSchemas[toolId] : toolResultSchema;
}

/** What is wrong with a tool's result (at most ten problems, by path), or null when it matches the tool's schema. */
export function checkToolResult(toolId: string, result: unknown): string | null {
	const checked = resultSchemaFor(toolId).safeParse(result);
	if (checked.success) return null;
	return checked.error.issues
		.slice(0, 10)
		.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
		.join('; ');
}
