// sequence-tools: reverse complement, frame translation and ORF finding,
// output identical to EMBOSS revseq, transeq and getorf on the same settings.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { nucleotide } from '../parse/alphabets.ts';
import type { FastaOptions } from '../parse/fasta.ts';
import { parseSequencesInput, requireValidSequences } from '../parse/sequences-input.ts';
import { sequencesInputSchema } from '../parse/sequence-schema.ts';
import { checkAborted, ToolInputError, yieldToEventLoop, type CellValue, type TableColumn, type ToolDefinition, type ToolResult } from '../types.ts';
import { reverseComplement } from './complement.ts';
import { fastaEntry } from './fasta-output.ts';
import { findOrfs } from './orfs.ts';
import { frameNumber, translateFrame, type Frame } from './translate.ts';
import { GENETIC_CODE_IDS, translationTable } from './translation-table.ts';

const catalog = catalogEntry('sequence-tools')!;

export const MAX_NUCLEOTIDE_LENGTH = 10_000_000;

export const inputSchema = sequencesInputSchema(catalog.maxItems);
export type SequenceToolsInput = z.infer<typeof inputSchema>;

const FRAME_SETS = {
	'1': [1], '2': [2], '3': [3], '-1': [-1], '-2': [-2], '-3': [-3],
	F: [1, 2, 3], R: [-1, -2, -3], '6': [1, 2, 3, -1, -2, -3]
} as const satisfies Record<string, readonly Frame[]>;

export const settingsSchema = z.object({
	reverseComplement: z.boolean().default(true),
	translate: z.boolean().default(true),
	/** transeq's -frame: one frame, F (1-3), R (-1..-3) or 6 (all six). */
	frames: z.enum(['1', '2', '3', '-1', '-2', '-3', 'F', 'R', '6']).default('1'),
	/** NCBI genetic code (transl_table) number. */
	geneticCode: z
		.number()
		.int()
		.refine((n) => n !== 0 && GENETIC_CODE_IDS.includes(n), 'not an NCBI genetic code this tool knows')
		.default(1),
	findOrfs: z.boolean().default(true),
	orfMode: z.enum(['start-to-stop', 'stop-to-stop']).default('start-to-stop'),
	/** 'atg': only ATG starts an ORF; 'code': every start codon of the genetic code (e.g. TTG, CTG in code 1). */
	orfStartCodons: z.enum(['atg', 'code']).default('atg'),
	orfOutput: z.enum(['protein', 'nucleotide']).default('protein'),
	/** In nucleotides, the stop codon excluded (getorf's -minsize). */
	orfMinLength: z.number().int().min(3).max(MAX_NUCLEOTIDE_LENGTH).default(30),
	orfMaxLength: z.number().int().min(3).max(MAX_NUCLEOTIDE_LENGTH).default(1_000_000),
	/** Write the start codon as M whatever it codes elsewhere. */
	orfMethionine: z.boolean().default(true),
	orfBothStrands: z.boolean().default(true)
});
export type SequenceToolsSettings = z.infer<typeof settingsSchema>;

export interface SequenceToolsResult extends ToolResult {
	/** The three outputs as EMBOSS writes them (revseq, transeq, getorf), for download. */
	fasta: { reverseComplement?: string; translations?: string; orfs?: string };
}

const fastaOptions: FastaOptions = {
	alphabet: nucleotide,
	maxRecords: catalog.maxItems,
	maxLength: MAX_NUCLEOTIDE_LENGTH,
	expectNucleic: true
};

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

export const sequenceToolsTool: ToolDefinition<SequenceToolsInput, SequenceToolsSettings, SequenceToolsResult> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples: [
		{
			label: 'Short coding sequence',
			text: '>demo_cds synthetic ORF\nATGGCTAGCAAAGGAGAAGAACTTTTCACTGGAGTTGTCCCAATTCTTGTTGAATTAGATGGTGATGTTAATGGGCACAAATTTTCTGTCAGTGGAGAGGGTGAAGGTGATGCTACATACGGAAAGCTTACCCTTAAATTTATTTGCACTACTGGAAAACTACCTGTTCCATGGCCAACACTTGTCACTACTTTCTCTTATGGTGTTCAATGCTTTTCCCGTTATCCGGATCATATGAAACGGCATGACTTTTTCAAGAGTGCCATGCCCGAAGGTTATGTACAGGAACGCACTATATCTTTCAAAGATGACGGGAACTACAAGACGCGTGCTGAAGTCAAGTTTGAAGGTGATACCCTTGTTAATCGTATCGAGTTAAAAGGTATTGATTTTAAAGAAGATGGAAACATTCTCGGACACAAACTCGAGTACAACTATAACTCACACAATGTATACATCACGGCAGACAAACAAAAGAATGGAATCAAAGCTAACTTCAAAATTCGCCACAACATTGAAGATGGATCCGTTCAACTAGCAGACCATTATCAACAAAATACTCCAATTGGCGATGGCCCTGTCCTTTTACCAGACAACCATTACCTGTCGACACAATCTGCCCTTTCGAAAGATCCCAACGAAAAGCGTGACCACATGGTCCTTCTTGAGTTTGTAACTGCTGCTGGGATTACACATGGCATGGATGAGCTCTACAAATAA\n'
		}
	],
	parseInput: (raw) => parseSequencesInput(raw, fastaOptions, catalog.maxInputBytes),
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
				ctx.progress((100 * (i + 1)) / n, `${i + 1} of ${n} sequences`);
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
		ctx.progress(100, `${n} of ${n} sequences`);
		return { table: { columns, rows }, fasta };
	}
};
