// pairwise-alignment: one query against up to N targets, global (needle) or
// local (water), scored and written exactly as EMBOSS does.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { matrixAlphabet } from '../parse/alphabets.ts';
import { parseFasta, validateRecords, type FastaOptions, type SequenceRecord } from '../parse/fasta.ts';
import { checkInputSize } from '../parse/input-size.ts';
import { rawText } from '../parse/raw-text.ts';
import { sequenceRecordSchema } from '../parse/sequence-schema.ts';
import {
	checkAborted,
	ToolInputError,
	yieldToEventLoop,
	type CellValue,
	type InputIssue,
	type TableColumn,
	type ToolDefinition,
	type ToolResult
} from '../types.ts';
import { alignPair, encodeSequence, prepareMatrix } from './align-pair.ts';
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

export interface PairAlignmentView {
	target: string;
	score: number;
	/** Aligned query and target with '-' for gaps, and the markup line between them. */
	query: string;
	markup: string;
	subject: string;
	queryStart: number;
	targetStart: number;
	/** The alignment in EMBOSS pair format. */
	pair: string;
}

export interface PairwiseResult extends ToolResult {
	alignments: PairAlignmentView[];
}

const columns: TableColumn[] = [
	{ key: 'query', label: 'Query', type: 'string' },
	{ key: 'target', label: 'Target', type: 'string' },
	{ key: 'score', label: 'Score', type: 'number' },
	{ key: 'length', label: 'Alignment length', type: 'integer' },
	{ key: 'identity', label: 'Identical', type: 'integer' },
	{ key: 'identity_pct', label: 'Identity', type: 'number', unit: '%' },
	{ key: 'similarity', label: 'Similar', type: 'integer' },
	{ key: 'similarity_pct', label: 'Similarity', type: 'number', unit: '%' },
	{ key: 'gaps', label: 'Gaps', type: 'integer' },
	{ key: 'gaps_pct', label: 'Gaps', type: 'number', unit: '%' },
	{ key: 'query_start', label: 'Query start', type: 'integer' },
	{ key: 'query_end', label: 'Query end', type: 'integer' },
	{ key: 'target_start', label: 'Target start', type: 'integer' },
	{ key: 'target_end', label: 'Target end', type: 'integer' }
];

function fastaOptions(matrix: MatrixId, maxRecords: number): FastaOptions {
	return {
		alphabet: matrixAlphabet(MATRICES[matrix].letters, isNucleotideMatrix(matrix)),
		maxRecords,
		maxLength: MAX_ALIGN_LENGTH,
		expectNucleic: isNucleotideMatrix(matrix)
	};
}

function checkSizes(input: PairwiseInput): InputIssue[] {
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

function validate(input: PairwiseInput, settings: PairwiseSettings): void {
	const issues = [
		...validateRecords([input.query], fastaOptions(settings.matrix, 1)),
		...validateRecords(input.targets, fastaOptions(settings.matrix, catalog.maxItems)),
		...checkSizes(input)
	];
	if (issues.length) throw new ToolInputError(issues);
}

export const pairwiseAlignmentTool: ToolDefinition<PairwiseInput, PairwiseSettings, PairwiseResult> = {
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
	},
	async run(input, settings, ctx) {
		validate(input, settings);
		const prepared = prepareMatrix(MATRICES[settings.matrix]);
		const query = { id: input.query.id, codes: encodeSequence(input.query.sequence, prepared) };
		const checkpoint = () => checkAborted(ctx.signal);
		const rows: Array<Record<string, CellValue>> = [];
		const alignments: PairAlignmentView[] = [];
		const total = input.targets.length;
		let lastYield = Date.now();

		for (let k = 0; k < total; k++) {
			checkAborted(ctx.signal);
			const target = input.targets[k];
			const aln = alignPair(query, target, prepared, settings, checkpoint);
			const { stats, residuesA, residuesB, pair, lineA, lineB } = aln;
			const percent = (x: number) => (stats.length ? Math.round((1000 * x) / stats.length) / 10 : 0);
			rows.push({
				query: input.query.id,
				target: target.id,
				score: Math.round(aln.score * 1000) / 1000,
				length: stats.length,
				identity: stats.identical,
				identity_pct: percent(stats.identical),
				similarity: stats.similar,
				similarity_pct: percent(stats.similar),
				gaps: stats.gaps,
				gaps_pct: percent(stats.gaps),
				query_start: residuesA ? aln.startA + 1 : null,
				query_end: residuesA ? aln.startA + residuesA : null,
				target_start: residuesB ? aln.startB + 1 : null,
				target_end: residuesB ? aln.startB + residuesB : null
			});
			alignments.push({
				target: target.id,
				score: aln.score,
				query: lineA,
				markup: stats.markup,
				subject: lineB,
				queryStart: aln.startA + 1,
				targetStart: aln.startB + 1,
				pair
			});
			ctx.progress((100 * (k + 1)) / total, `${k + 1} of ${total} pairs`);
			if (Date.now() - lastYield > 50) {
				await yieldToEventLoop();
				lastYield = Date.now();
			}
		}
		if (ctx.writeFile) await ctx.writeFile('alignments.pair', 'text/plain', alignments.map((a) => a.pair + '\n').join(''));
		return { table: { columns, rows }, alignments };
	}
};
