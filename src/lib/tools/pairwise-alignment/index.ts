// pairwise-alignment: one query against up to N targets, global (needle) or
// local (water), scored and written exactly as EMBOSS does. This is the
// tool's browser part; run() and the aligners are in worker.server.ts.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { matrixAlphabet } from '../parse/alphabets.ts';
import { parseFasta, type FastaOptions, type SequenceRecord } from '../parse/fasta.ts';
import { checkInputSize } from '../parse/input-size.ts';
import { rawText } from '../parse/raw-text.ts';
import { sequenceRecordSchema } from '../parse/sequence-schema.ts';
import { toolResultSchema } from '../result-table.ts';
import type { InputIssue, ToolSpec } from '../types.ts';
import { isNucleotideMatrix, MATRICES, MATRIX_IDS, type MatrixId } from './matrices/index.ts';
import { HEN_LYSOZYME } from '../well-known-sequences.ts';

const catalog = catalogEntry('pairwise-alignment')!;

export const MAX_ALIGN_LENGTH = 20_000;
/** Largest query x target matrix one pair may need (global: 1 byte a cell, local: 5). */
export const MAX_CELLS = 25_000_000;

export const inputSchema = z.object({
	query: sequenceRecordSchema,
	targets: z
		.array(sequenceRecordSchema)
		.min(1, 'give at least one target')
		.max(catalog.maxItems, `at most ${catalog.maxItems} targets are accepted`)
});
export type PairwiseInput = z.infer<typeof inputSchema>;

export const settingsSchema = z.object({
	mode: z.enum(['global', 'local']).default('global'),
	matrix: z.enum(MATRIX_IDS).default('BLOSUM62'),
	gapOpen: z.number().min(0).max(100).default(10),
	gapExtend: z.number().min(0).max(10).default(0.5),
	/** Global only: charge end gaps (needle -endweight); by default they are free. */
	endGapPenalties: z.boolean().default(false),
	endGapOpen: z.number().min(0).max(100).default(10),
	endGapExtend: z.number().min(0).max(10).default(0.5)
});
export type PairwiseSettings = z.infer<typeof settingsSchema>;

export const pairAlignmentSchema = z.object({
	target: z.string(),
	score: z.number(),
	/** Aligned query and target with '-' for gaps, and the markup line between them. */
	query: z.string(),
	markup: z.string(),
	subject: z.string(),
	queryStart: z.number(),
	targetStart: z.number(),
	/** The alignment in EMBOSS pair format. */
	pair: z.string()
});
export type PairAlignmentView = z.infer<typeof pairAlignmentSchema>;

/** What a run returns: the worker checks it, the job page reads it (src/lib/tools/result-schemas.ts). */
export const pairwiseResultSchema = toolResultSchema.extend({ alignments: z.array(pairAlignmentSchema) });
export type PairwiseResult = z.infer<typeof pairwiseResultSchema>;

export function fastaOptions(matrix: MatrixId, maxRecords: number): FastaOptions {
	return {
		alphabet: matrixAlphabet(MATRICES[matrix].letters, isNucleotideMatrix(matrix)),
		maxRecords,
		maxLength: MAX_ALIGN_LENGTH,
		expectNucleic: isNucleotideMatrix(matrix)
	};
}

export function checkSizes(input: PairwiseInput): InputIssue[] {
	const issues: InputIssue[] = [];
	for (const t of input.targets) {
		const cells = input.query.sequence.length * t.sequence.length;
		if (cells > MAX_CELLS)
			issues.push({
				record: t.id,
				message: `query x target is ${cells.toLocaleString('en')} cells; at most ${MAX_CELLS.toLocaleString('en')} (e.g. 5,000 x 5,000 residues) per pair`
			});
	}
	return issues;
}

export const pairwiseAlignmentSpec: ToolSpec<PairwiseInput, PairwiseSettings> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples: [
		{
			label: 'Human vs. bovine insulin B chain, and hen lysozyme',
			text: `>INS_HUMAN_B\nFVNQHLCGSHLVEALYLVCGERGFFYTPKT\n>INS_BOVIN_B\nFVNQHLCGSHLVEALYLVCGERGFFYTPKA\n>LYSC_CHICK\n${HEN_LYSOZYME}\n`
		}
	],
	/**
	 * fields.query + fields.targets when the form has two boxes; otherwise
	 * the first FASTA record (of text, then files) is the query.
	 */
	conventions: [
		'Global alignments are EMBOSS needle’s and local ones EMBOSS water’s (the same alignments, scores and statistics, tested against both), with EMBOSS’s matrices.',
		'Identity, similarity and gaps count alignment columns; similar pairs score above 0 in the matrix. Percentages are rounded to one decimal as EMBOSS prints them, exact ties to even (1 gap in 80 columns is 1.2 %), in the table and in the alignment text alike.',
		'Local alignment of sequences with no pair scoring above 0: the score is water’s, its best cell, which is negative and need not be the single pair it prints (WW against PG scores −2, its W/P pair −4). Where water prints −3.4 × 10³⁸ for a one-residue sequence, this tool gives its best cell instead (0 when no pair scores above 0).'
	],
	parseInput(raw, settings) {
		const matrix = settingsSchema.parse(settings ?? {}).matrix;
		let query: SequenceRecord | undefined;
		let targets: SequenceRecord[];
		const notices: string[] = [];
		if (raw.fields?.query !== undefined || raw.fields?.targets !== undefined) {
			const q = parseFasta(raw.fields.query ?? '', { ...fastaOptions(matrix, 1), defaultIdPrefix: 'query' });
			const t = parseFasta(raw.fields.targets ?? '', { ...fastaOptions(matrix, catalog.maxItems), defaultIdPrefix: 'target_' });
			const issues = [...q.issues.map((i) => ({ ...i, message: `query: ${i.message}` })), ...t.issues];
			if (issues.length) return { ok: false, errors: issues };
			notices.push(...q.notices, ...t.notices);
			query = q.records[0];
			targets = t.records;
		} else {
			const all = parseFasta(rawText(raw), { ...fastaOptions(matrix, catalog.maxItems + 1), defaultIdPrefix: 'sequence_' });
			if (all.issues.length) return { ok: false, errors: all.issues };
			notices.push(...all.notices);
			[query, ...targets] = all.records;
			if (targets.length === 0) return { ok: false, errors: [{ message: 'give a query and at least one target (the first sequence is the query)' }] };
		}
		const input = { query: query!, targets };
		const issues = checkSizes(input);
		const tooBig = checkInputSize(input, catalog.maxInputBytes);
		if (tooBig) issues.push(tooBig);
		if (issues.length) return { ok: false, errors: issues };
		return { ok: true, input, notices };
	}
};
