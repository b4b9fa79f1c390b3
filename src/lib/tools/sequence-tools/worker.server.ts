// sequence-tools, worker part: run() and the compute code it needs.
import { requireValidSequences } from '../parse/sequences-input.ts';
import { checkAborted, ToolInputError, yieldToEventLoop, type CellValue, type TableColumn, type ToolWorker } from '../types.ts';
import { reverseComplement } from './complement.ts';
import { fastaEntry } from './fasta-output.ts';
import { fastaOptions, type SequenceToolsInput, type SequenceToolsResult, type SequenceToolsSettings } from './index.ts';
import { findOrfs } from './orfs.ts';
import { frameNumber, translateFrame, type Frame } from './translate.ts';
import { translationTable } from './translation-table.ts';
import { count } from '#lib/ui/plural.ts';

const FRAME_SETS = {
	'1': [1], '2': [2], '3': [3], '-1': [-1], '-2': [-2], '-3': [-3],
	F: [1, 2, 3], R: [-1, -2, -3], '6': [1, 2, 3, -1, -2, -3]
} as const satisfies Record<string, readonly Frame[]>;

const columns: TableColumn[] = [
	{ key: 'sequence_id', label: 'Sequence', type: 'string' },
	{ key: 'output', label: 'Output', type: 'string' },
	{ key: 'name', label: 'Name', type: 'string' },
	{ key: 'frame', label: 'Frame', type: 'integer' },
	{ key: 'strand', label: 'Strand', type: 'string' },
	{ key: 'start', label: 'Start', type: 'integer' },
	{ key: 'end', label: 'End', type: 'integer' },
	{ key: 'length', label: 'Length', type: 'integer' },
	{ key: 'sequence', label: 'Sequence', type: 'string' }
];

/** EMBOSS table number for the settings: table 0 is the standard code with ATG as its only start. */
function orfTableId(s: SequenceToolsSettings): number {
	return s.orfStartCodons === 'atg' && s.geneticCode === 1 ? 0 : s.geneticCode;
}

export const sequenceToolsWorker: ToolWorker<SequenceToolsInput, SequenceToolsSettings, SequenceToolsResult> = {
	async run(input, settings, ctx) {
		requireValidSequences(input.sequences, fastaOptions);
		if (settings.orfMinLength > settings.orfMaxLength)
			throw new ToolInputError('the minimum ORF length is larger than the maximum');
		const table = translationTable(settings.geneticCode);
		const orfTable = translationTable(orfTableId(settings));
		const frames = FRAME_SETS[settings.frames];
		const rows: Array<Record<string, CellValue>> = [];
		const rcOut: string[] = [];
		const trOut: string[] = [];
		const orfOut: string[] = [];
		const n = input.sequences.length;
		const shouldStop = () => checkAborted(ctx.signal);
		let lastYield = Date.now();

		for (let i = 0; i < n; i++) {
			checkAborted(ctx.signal);
			const { id, description } = input.sequences[i];
			const seq = input.sequences[i].sequence;
			const rc = reverseComplement(seq);
			if (settings.reverseComplement) {
				rcOut.push(fastaEntry(id, description ? `Reversed: ${description}` : 'Reversed:', rc));
				rows.push({ sequence_id: id, output: 'reverse complement', name: id, frame: null, strand: '-', start: seq.length, end: 1, length: rc.length, sequence: rc });
			}
			if (settings.translate) {
				for (const frame of frames) {
					const protein = translateFrame(table, seq, frame, rc);
					const name = `${id}_${frameNumber(frame)}`;
					trOut.push(fastaEntry(name, description, protein));
					rows.push({ sequence_id: id, output: 'translation', name, frame, strand: frame > 0 ? '+' : '-', start: null, end: null, length: protein.length, sequence: protein });
				}
			}
			if (settings.findOrfs) {
				const orfs = findOrfs(
					orfTable,
					seq,
					{
						mode: settings.orfMode,
						protein: settings.orfOutput === 'protein',
						minSize: settings.orfMinLength,
						maxSize: settings.orfMaxLength,
						methionine: settings.orfMethionine,
						reverse: settings.orfBothStrands
					},
					shouldStop
				);
				for (const orf of orfs) {
					const name = `${id}_${orf.number}`;
					const where = `[${orf.start} - ${orf.end}] ${orf.strand === '-' ? '(REVERSE SENSE) ' : ''}${description ?? ''}`;
					orfOut.push(fastaEntry(name, where, orf.sequence));
					rows.push({ sequence_id: id, output: 'orf', name, frame: null, strand: orf.strand, start: orf.start, end: orf.end, length: orf.sequence.length, sequence: orf.sequence });
				}
			}
			if (Date.now() - lastYield > 50) {
				ctx.progress((100 * (i + 1)) / n, `${i + 1} of ${count(n, 'sequence')}`);
				await yieldToEventLoop();
				lastYield = Date.now();
			}
		}
		const fasta: SequenceToolsResult['fasta'] = {};
		if (settings.reverseComplement) fasta.reverseComplement = rcOut.join('');
		if (settings.translate) fasta.translations = trOut.join('');
		if (settings.findOrfs) fasta.orfs = orfOut.join('');
		if (ctx.writeFile) {
			if (fasta.reverseComplement !== undefined) await ctx.writeFile('reverse-complement.fasta', 'text/x-fasta', fasta.reverseComplement);
			if (fasta.translations !== undefined) await ctx.writeFile('translations.fasta', 'text/x-fasta', fasta.translations);
			if (fasta.orfs !== undefined) await ctx.writeFile('orfs.fasta', 'text/x-fasta', fasta.orfs);
		}
		ctx.progress(100, `${n} of ${count(n, 'sequence')}`);
		return { table: { columns, rows }, fasta };
	}
};
