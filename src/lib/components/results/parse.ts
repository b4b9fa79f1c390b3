// Reads a job's result JSON into what the renderers need, with the tool's
// own result schema (src/lib/tools/result-schemas.ts: the one the worker
// checks a run's result with). A result whose extras do not match (an older
// tool version, a tool this page does not know) still shows its table;
// without even a table the raw JSON is shown.
import type { DockingResult } from '#lib/tools/docking/result.ts';
import type { MoleculeResult } from '#lib/tools/molecule-properties/index.ts';
import type { PairAlignmentView, PairwiseResult } from '#lib/tools/pairwise-alignment/index.ts';
import type { HydropathyProfile, ProteinPropertiesResult } from '#lib/tools/protein-properties/index.ts';
import { hasResultSchema, toolResultSchemas } from '#lib/tools/result-schemas.ts';
import { toolResultSchema } from '#lib/tools/result-table.ts';
import type { SequenceToolsResult } from '#lib/tools/sequence-tools/index.ts';
import type { ChainPlotData, StructureAnalysisResult } from '#lib/tools/structure-analysis/index.ts';
import type { PlddtTrack, StructurePredictionResult } from '#lib/tools/structure-prediction/index.ts';
import type { ResultTable } from '#lib/tools/types.ts';

export type HydropathyProfileView = HydropathyProfile;
export type AlignmentView = PairAlignmentView;
export type ChainAnglesView = ChainPlotData;
export type DockingLigandView = DockingResult['ligands'][number];
export type DockingBoxView = DockingResult['box'];
export type PlddtTrackView = PlddtTrack;

export type ParsedResult =
	| ({ kind: 'protein-properties' } & ProteinPropertiesResult)
	| ({ kind: 'sequence-tools' } & SequenceToolsResult)
	| ({ kind: 'pairwise-alignment' } & PairwiseResult)
	| ({ kind: 'molecule-properties' } & MoleculeResult)
	| ({ kind: 'structure-analysis' } & StructureAnalysisResult)
	| ({ kind: 'docking' } & DockingResult)
	| ({ kind: 'structure-prediction' } & StructurePredictionResult)
	| { kind: 'table'; table: ResultTable }
	| { kind: 'raw'; value: unknown };

/** The tools whose results this page draws beyond the table. */
const DRAWN = new Set(['protein-properties', 'sequence-tools', 'pairwise-alignment', 'molecule-properties', 'structure-analysis', 'docking', 'structure-prediction']);

export interface ResultReading {
	result: ParsedResult;
	/** Set when part of the result could not be read (it is then shown with less). */
	problem: string | null;
}

export function parseResult(toolId: string, raw: unknown): ResultReading {
	const base = toolResultSchema.safeParse(raw);
	if (!base.success) {
		return { result: { kind: 'raw', value: raw }, problem: raw === null || raw === undefined ? null : 'This result has no table this page can read; its raw data is shown.' };
	}
	const table = base.data.table;
	if (!DRAWN.has(toolId) || !hasResultSchema(toolId)) return { result: { kind: 'table', table }, problem: null };
	const full = toolResultSchemas[toolId].safeParse(raw);
	if (!full.success) {
		return { result: { kind: 'table', table }, problem: 'Plots and viewers for this result could not be drawn: its data is not in the shape this page expects.' };
	}
	return { result: { kind: toolId, ...full.data } as ParsedResult, problem: null };
}
