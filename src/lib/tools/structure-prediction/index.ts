// structure-prediction: each protein is folded by an ESMFold-compatible model
// server that the GPU worker is configured with (ESMFOLD_URL; README.md).
// Each predicted structure is saved as a PDB output file; the result table
// gives per-sequence confidence (mean pLDDT, share of residues >= 70) and the
// per-residue pLDDT arrays for plotting. This is the tool's browser part;
// run() and the model server client are in worker.server.ts.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { standardProtein } from '../parse/alphabets.ts';
import type { FastaOptions } from '../parse/fasta.ts';
import { parseSequencesInput } from '../parse/sequences-input.ts';
import { sequencesInputSchema } from '../parse/sequence-schema.ts';
import { toolResultSchema } from '../result-table.ts';
import type { ToolSpec } from '../types.ts';
import { HEN_LYSOZYME } from '../well-known-sequences.ts';

const catalog = catalogEntry('structure-prediction')!;

/**
 * Longest sequence accepted. ESMFold's memory grows with L²; 1,000 residues
 * fits an 80 GB GPU. A server with a lower limit (the public ESM Atlas API
 * takes 400) refuses longer ones itself, and its reason reaches the scientist.
 */
export const MAX_PREDICTION_LENGTH = 1_000;

export const inputSchema = sequencesInputSchema(catalog.maxItems);
export type StructurePredictionInput = z.infer<typeof inputSchema>;
export const settingsSchema = z.object({});
export type StructurePredictionSettings = z.infer<typeof settingsSchema>;

export const plddtTrackSchema = z.object({
	id: z.string(),
	/** Per-residue pLDDT, 0-100, in sequence order. */
	plddt: z.array(z.number())
});
export type PlddtTrack = z.infer<typeof plddtTrackSchema>;

/** What a run returns: the worker checks it, the job page reads it (src/lib/tools/result-schemas.ts). */
export const structurePredictionResultSchema = toolResultSchema.extend({ plddt: z.array(plddtTrackSchema) });
export type StructurePredictionResult = z.infer<typeof structurePredictionResultSchema>;

export const fastaOptions: FastaOptions = { alphabet: standardProtein, maxRecords: catalog.maxItems, maxLength: MAX_PREDICTION_LENGTH };

export const structurePredictionSpec: ToolSpec<StructurePredictionInput, StructurePredictionSettings> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples: [
		{
			label: 'Villin headpiece HP35 (35 residues)',
			text: '>HP35\nLSDEDFKAVFGMTRSAFANLPLWKQQNLKKEKGLF\n'
		},
		{
			label: 'Hen egg-white lysozyme (129 residues)',
			text: `>LYSC_CHICK\n${HEN_LYSOZYME}\n`
		}
	],
	conventions: [
		'Structures come from an ESMFold server (the ESM Atlas foldSequence contract); pLDDT is the model’s per-residue confidence on a 0–100 scale, read from each residue’s Cα B-factor (servers that write 0–1 are scaled by 100).',
		'Bands as AlphaFold and ESMFold draw them: above 90 very high, 70–90 confident, 50–70 low, below 50 very low. The table’s “Residues with pLDDT >= 70” is the fraction of residues at 70 or above.'
	],
	parseInput: (raw) => parseSequencesInput(raw, fastaOptions, catalog.maxInputBytes)
};
