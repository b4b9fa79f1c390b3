// sequence-tools: reverse complement, frame translation and ORF finding,
// output identical to EMBOSS revseq, transeq and getorf on the same settings.
// This is the tool's browser part; run() and the compute code are in
// worker.server.ts.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { nucleotide } from '../parse/alphabets.ts';
import type { FastaOptions } from '../parse/fasta.ts';
import { parseSequencesInput } from '../parse/sequences-input.ts';
import { sequencesInputSchema } from '../parse/sequence-schema.ts';
import { toolResultSchema } from '../result-table.ts';
import type { ToolSpec } from '../types.ts';
import { geneticCodes } from './genetic-codes.ts';

const catalog = catalogEntry('sequence-tools')!;

export const MAX_NUCLEOTIDE_LENGTH = 10_000_000;

export const inputSchema = sequencesInputSchema(catalog.maxItems);
export type SequenceToolsInput = z.infer<typeof inputSchema>;

export const settingsSchema = z.object({
	reverseComplement: z.boolean().default(true),
	translate: z.boolean().default(true),
	/** transeq's -frame: one frame, F (1-3), R (-1..-3) or 6 (all six). */
	frames: z.enum(['1', '2', '3', '-1', '-2', '-3', 'F', 'R', '6']).default('1'),
	/** NCBI genetic code (transl_table) number. */
	geneticCode: z
		.number()
		.int()
		.refine((n) => n !== 0 && geneticCodes.some((code) => code.id === n), 'not an NCBI genetic code this tool knows')
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

/** What a run returns: the worker checks it, the job page reads it (src/lib/tools/result-schemas.ts). */
export const sequenceToolsResultSchema = toolResultSchema.extend({
	/** The three outputs as EMBOSS writes them (revseq, transeq, getorf), for download. */
	fasta: z.object({ reverseComplement: z.string().optional(), translations: z.string().optional(), orfs: z.string().optional() })
});
export type SequenceToolsResult = z.infer<typeof sequenceToolsResultSchema>;

export const fastaOptions: FastaOptions = {
	alphabet: nucleotide,
	maxRecords: catalog.maxItems,
	maxLength: MAX_NUCLEOTIDE_LENGTH,
	expectNucleic: true,
	// revseq and getorf's nucleotide output keep lower-case (soft-masked) bases as they were.
	keepCase: true
};

export const sequenceToolsSpec: ToolSpec<SequenceToolsInput, SequenceToolsSettings> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples: [
		{
			label: 'Short coding sequence',
			text: '>demo_cds synthetic ORF\nATGGCTAGCAAAGGAGAAGAACTTTTCACTGGAGTTGTCCCAATTCTTGTTGAATTAGATGGTGATGTTAATGGGCACAAATTTTCTGTCAGTGGAGAGGGTGAAGGTGATGCTACATACGGAAAGCTTACCCTTAAATTTATTTGCACTACTGGAAAACTACCTGTTCCATGGCCAACACTTGTCACTACTTTCTCTTATGGTGTTCAATGCTTTTCCCGTTATCCGGATCATATGAAACGGCATGACTTTTTCAAGAGTGCCATGCCCGAAGGTTATGTACAGGAACGCACTATATCTTTCAAAGATGACGGGAACTACAAGACGCGTGCTGAAGTCAAGTTTGAAGGTGATACCCTTGTTAATCGTATCGAGTTAAAAGGTATTGATTTTAAAGAAGATGGAAACATTCTCGGACACAAACTCGAGTACAACTATAACTCACACAATGTATACATCACGGCAGACAAACAAAAGAATGGAATCAAAGCTAACTTCAAAATTCGCCACAACATTGAAGATGGATCCGTTCAACTAGCAGACCATTATCAACAAAATACTCCAATTGGCGATGGCCCTGTCCTTTTACCAGACAACCATTACCTGTCGACACAATCTGCCCTTTCGAAAGATCCCAACGAAAAGCGTGACCACATGGTCCTTCTTGAGTTTGTAACTGCTGCTGGGATTACACATGGCATGGATGAGCTCTACAAATAA\n'
		}
	],
	conventions: [
		'Output is identical to EMBOSS revseq, transeq and getorf on the same settings (tested against them): IUPAC ambiguity codes complement and translate as EMBOSS does, and U reads as T.',
		'Each base keeps its case: soft-masked (lower-case) stretches stay lower case in reverse complements and in ORFs given as nucleotides, as revseq and getorf keep them; translations are upper case, as transeq writes them.',
		'ORF lengths are in nucleotides without the stop codon (getorf’s -minsize and -maxsize); positions are 1-based on the forward strand, start after end on the reverse strand.'
	],
	parseInput: (raw) => parseSequencesInput(raw, fastaOptions, catalog.maxInputBytes)
};
