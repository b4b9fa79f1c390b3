// Reads a job's result JSON into what the renderers need, per tool, with
// zod. A result whose extras do not match (an older tool version, a tool
// this page does not know) still shows its table; without even a table the
// raw JSON is shown.
import { z } from 'zod';
import type { CellValue, ResultTable } from '#lib/tools/types.ts';

/** A row of scalar cells, checked in one loop (a schema per cell made 400,000 cells take a second). */
function isRow(value: unknown): value is Record<string, CellValue> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	for (const key in value) {
		const cell = (value as Record<string, unknown>)[key];
		if (cell !== null && typeof cell !== 'string' && typeof cell !== 'number' && typeof cell !== 'boolean') return false;
	}
	return true;
}

export const resultTableSchema = z.object({
	columns: z.array(
		z.object({
			key: z.string(),
			label: z.string(),
			type: z.enum(['string', 'number', 'integer', 'boolean']),
			unit: z.string().optional()
		})
	),
	rows: z.array(z.custom<Record<string, CellValue>>(isRow, 'a row holds text, numbers, true/false or null'))
});

const withTable = z.object({ table: resultTableSchema });

const proteinPropertiesSchema = z.object({
	hydropathy: z.array(
		z.object({ id: z.string(), window: z.number().int(), positions: z.array(z.number()), values: z.array(z.number()) })
	),
	hydropathyOmitted: z.number().int().min(0).default(0)
});

const sequenceToolsSchema = z.object({
	fasta: z.object({ reverseComplement: z.string().optional(), translations: z.string().optional(), orfs: z.string().optional() })
});

const pairwiseSchema = z.object({
	alignments: z.array(
		z.object({
			target: z.string(),
			score: z.number(),
			query: z.string(),
			markup: z.string(),
			subject: z.string(),
			queryStart: z.number(),
			targetStart: z.number(),
			pair: z.string()
		})
	)
});

const moleculePropertiesSchema = z.object({ depictionsOmitted: z.number().int().min(0).default(0) });

const residueAnglesSchema = z.object({
	name: z.string(),
	seq: z.number(),
	icode: z.string(),
	phi: z.number().nullable(),
	psi: z.number().nullable(),
	ss: z.string().nullable()
});

const structureAnalysisSchema = z.object({
	chains: z.array(z.object({ structure: z.string(), chain: z.string(), residues: z.array(residueAnglesSchema) })),
	fasta: z.string().default(''),
	secondaryStructureUnavailable: z.array(z.object({ structure: z.string(), reason: z.string() })).default([]),
	notices: z.array(z.string()).default([])
});

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

const dockingSchema = z.object({
	box: z.object({ center: vec3, size: vec3, source: z.string() }),
	ligands: z.array(
		z.object({
			name: z.string(),
			best_affinity_kcal_mol: z.number(),
			poses: z.number().int(),
			heavy_atoms: z.number().int(),
			torsions: z.number().int(),
			files: z.object({ sdf: z.string(), pdb: z.string(), pdbqt: z.string(), prepared: z.string() }).nullable()
		})
	),
	notes: z.array(z.string()).default([]),
	programs: z.object({ vina: z.string(), obabel: z.string() }).optional()
});

const structurePredictionSchema = z.object({
	plddt: z.array(z.object({ id: z.string(), plddt: z.array(z.number()) }))
});

export type HydropathyProfileView = z.infer<typeof proteinPropertiesSchema>['hydropathy'][number];
export type AlignmentView = z.infer<typeof pairwiseSchema>['alignments'][number];
export type ChainAnglesView = z.infer<typeof structureAnalysisSchema>['chains'][number];
export type DockingLigandView = z.infer<typeof dockingSchema>['ligands'][number];
export type DockingBoxView = z.infer<typeof dockingSchema>['box'];
export type PlddtTrackView = z.infer<typeof structurePredictionSchema>['plddt'][number];

export type ParsedResult =
	| ({ kind: 'protein-properties'; table: ResultTable } & z.infer<typeof proteinPropertiesSchema>)
	| ({ kind: 'sequence-tools'; table: ResultTable } & z.infer<typeof sequenceToolsSchema>)
	| ({ kind: 'pairwise-alignment'; table: ResultTable } & z.infer<typeof pairwiseSchema>)
	| ({ kind: 'molecule-properties'; table: ResultTable } & z.infer<typeof moleculePropertiesSchema>)
	| ({ kind: 'structure-analysis'; table: ResultTable } & z.infer<typeof structureAnalysisSchema>)
	| ({ kind: 'docking'; table: ResultTable } & z.infer<typeof dockingSchema>)
	| ({ kind: 'structure-prediction'; table: ResultTable } & z.infer<typeof structurePredictionSchema>)
	| { kind: 'table'; table: ResultTable }
	| { kind: 'raw'; value: unknown };

const extras = {
	'protein-properties': proteinPropertiesSchema,
	'sequence-tools': sequenceToolsSchema,
	'pairwise-alignment': pairwiseSchema,
	'molecule-properties': moleculePropertiesSchema,
	'structure-analysis': structureAnalysisSchema,
	docking: dockingSchema,
	'structure-prediction': structurePredictionSchema
} as const;

type KnownTool = keyof typeof extras;

function isKnownTool(toolId: string): toolId is KnownTool {
	return Object.hasOwn(extras, toolId);
}

export interface ResultReading {
	result: ParsedResult;
	/** Set when part of the result could not be read (it is then shown with less). */
	problem: string | null;
}

export function parseResult(toolId: string, raw: unknown): ResultReading {
	const base = withTable.safeParse(raw);
	if (!base.success) {
		return { result: { kind: 'raw', value: raw }, problem: raw === null || raw === undefined ? null : 'This result has no table this page can read; its raw data is shown.' };
	}
	const table = base.data.table;
	if (!isKnownTool(toolId)) return { result: { kind: 'table', table }, problem: null };
	const more = extras[toolId].safeParse(raw);
	if (!more.success) {
		return { result: { kind: 'table', table }, problem: 'Plots and viewers for this result could not be drawn: its data is not in the shape this page expects.' };
	}
	return { result: { kind: toolId, table, ...more.data } as ParsedResult, problem: null };
}
