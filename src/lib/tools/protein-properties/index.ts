// protein-properties: ProtParam-style properties of protein sequences (the
// 20 standard amino acids, selenocysteine U and pyrrolysine O; conventions in
// README.md). This is the tool's browser part (schemas, input parsing,
// examples); run() and the compute code are in worker.server.ts.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { proteinWithSecPyl } from '../parse/alphabets.ts';
import type { FastaOptions } from '../parse/fasta.ts';
import { parseSequencesInput } from '../parse/sequences-input.ts';
import { sequencesInputSchema } from '../parse/sequence-schema.ts';
import { toolResultSchema } from '../result-table.ts';
import type { ToolSpec } from '../types.ts';
import { examples } from './examples.ts';

const catalog = catalogEntry('protein-properties')!;

/** Longest accepted sequence (titin, the longest known protein, has ~35,000 residues). */
export const MAX_PROTEIN_LENGTH = 100_000;
/** Profiles beyond this many sequences go to a file, not into the result JSON. */
export const MAX_PROFILES_IN_RESULT = 200;

export const inputSchema = sequencesInputSchema(catalog.maxItems);
export type ProteinPropertiesInput = z.infer<typeof inputSchema>;

export const settingsSchema = z.object({
	pH: z.number().min(0).max(14).default(7.0),
	hydropathyWindow: z
		.number()
		.int()
		.min(3)
		.max(21)
		.refine((w) => w % 2 === 1, 'the window must be odd')
		.default(9)
});
export type ProteinPropertiesSettings = z.infer<typeof settingsSchema>;

export const hydropathyProfileSchema = z.object({
	id: z.string(),
	window: z.number().int(),
	/** 1-based residue at each window's centre. */
	positions: z.array(z.number()),
	values: z.array(z.number())
});
export type HydropathyProfile = z.infer<typeof hydropathyProfileSchema>;

/** What a run returns: the worker checks it, the job page reads it (src/lib/tools/result-schemas.ts). */
export const proteinPropertiesResultSchema = toolResultSchema.extend({
	hydropathy: z.array(hydropathyProfileSchema),
	/** Sequences whose profile is only in the hydropathy.csv file. */
	hydropathyOmitted: z.number().int().min(0).default(0)
});
export type ProteinPropertiesResult = z.infer<typeof proteinPropertiesResultSchema>;

export const fastaOptions: FastaOptions = {
	alphabet: proteinWithSecPyl,
	maxRecords: catalog.maxItems,
	maxLength: MAX_PROTEIN_LENGTH
};

export const proteinPropertiesSpec: ToolSpec<ProteinPropertiesInput, ProteinPropertiesSettings> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples,
	conventions: [
		'Theoretical pI: the pH where the net charge is zero, found by bisection over pH 0–14 with Biopython’s pK values (its IsoelectricPoint set, with N- and C-terminal pKs by residue). Biopython itself searches only pH 4.05–12, so for the insulin A chain it reports 4.05 where this tool reports 3.795; EMBOSS pepstats, with its own pK set, gives 3.61.',
		'Net charge: Henderson–Hasselbalch with the same pK values, at the pH of the settings (named in the column).',
		'Masses: Biopython’s residue masses (IUPAC average and monoisotopic), less one water per peptide bond. Average masses come out slightly below EMBOSS pepstats, which uses other residue masses: 0.01 Da for the insulin A chain, 0.14 Da for hen lysozyme, a gap that grows with length and composition (0.7 Da for a random 600-residue sequence, 1 Da for 300 tryptophans).',
		'Extinction coefficients at 280 nm in water (Pace et al. 1995): 5,500 M⁻¹ cm⁻¹ per Trp, 1,490 per Tyr, 125 per cystine; “Cys reduced” counts no cystines.',
		'Instability index (Guruprasad et al. 1990; 40 or below is stable), GRAVY (mean Kyte–Doolittle hydropathy), aliphatic index (Ikai 1980), aromaticity (F+W+Y fraction) and half-life by the N-end rule, as ExPASy ProtParam and Biopython report them.',
		'Selenocysteine (U) and pyrrolysine (O) count in the length, the masses and the composition, as in Biopython; they carry no charge, and the instability index, GRAVY and hydropathy windows, whose scales have no value for them, are left out. Ambiguity codes (X, B, Z, J) are refused.'
	],
	parseInput: (raw) => parseSequencesInput(raw, fastaOptions, catalog.maxInputBytes)
};
