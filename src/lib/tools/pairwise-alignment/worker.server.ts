// pairwise-alignment, worker part: run() and the aligners it needs.
import { validateRecords } from '../parse/fasta.ts';
import { checkAborted, ToolInputError, yieldToEventLoop, type CellValue, type TableColumn, type ToolWorker } from '../types.ts';
import { alignPair, encodeSequence, prepareMatrix } from './align-pair.ts';
import {
	checkSizes,
	fastaOptions,
	pairwiseAlignmentSpec,
	type PairAlignmentView,
	type PairwiseInput,
	type PairwiseResult,
	type PairwiseSettings
} from './index.ts';
import { MATRICES } from './matrices/index.ts';
import { embossPercent } from './pair-format.ts';

const { catalog } = pairwiseAlignmentSpec;

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

function validate(input: PairwiseInput, settings: PairwiseSettings): void {
	const issues = [
		...validateRecords([input.query], fastaOptions(settings.matrix, 1)),
		...validateRecords(input.targets, fastaOptions(settings.matrix, catalog.maxItems)),
		...checkSizes(input)
	];
	if (issues.length) throw new ToolInputError(issues);
}

export const pairwiseAlignmentWorker: ToolWorker<PairwiseInput, PairwiseSettings, PairwiseResult> = {
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
			const percent = (x: number) => embossPercent(x, stats.length);
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
