// structure-prediction: each protein is folded by an ESMFold-compatible model
// server that the GPU worker is configured with (ESMFOLD_URL; README.md).
// Each predicted structure is saved as a PDB output file; the result table
// gives per-sequence confidence (mean pLDDT, share of residues >= 70) and the
// per-residue pLDDT arrays for plotting.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { standardProtein } from '../parse/alphabets.ts';
import type { FastaOptions } from '../parse/fasta.ts';
import { parseSequencesInput, requireValidSequences } from '../parse/sequences-input.ts';
import { sequencesInputSchema } from '../parse/sequence-schema.ts';
import { checkAborted, type ToolDefinition, type ToolResult } from '../types.ts';
import { confidentFraction, CONFIDENT_PLDDT, meanPlddt, readPlddt } from './pdb.ts';
import { foldSequence, serviceConfigFromEnv, type EsmfoldServiceConfig } from './service.ts';
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

export interface PlddtTrack {
	id: string;
	/** Per-residue pLDDT, 0-100, in sequence order. */
	plddt: number[];
}

export interface StructurePredictionResult extends ToolResult {
	plddt: PlddtTrack[];
}

const fastaOptions: FastaOptions = { alphabet: standardProtein, maxRecords: catalog.maxItems, maxLength: MAX_PREDICTION_LENGTH };

/** A file name the worker accepts (no / or \), unique within the job. */
function pdbFileName(id: string, taken: Set<string>): string {
	const base = id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 200) || 'structure';
	let name = `${base}.pdb`;
	for (let n = 2; taken.has(name); n++) name = `${base}_${n}.pdb`;
	taken.add(name);
	return name;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `config` is read from the worker's environment unless given (tests). */
export function createStructurePredictionTool(
	config: () => EsmfoldServiceConfig = () => serviceConfigFromEnv()
): ToolDefinition<StructurePredictionInput, StructurePredictionSettings, StructurePredictionResult> {
	return {
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
		parseInput: (raw) => parseSequencesInput(raw, fastaOptions, catalog.maxInputBytes),
		// A GPU worker without a model server configured does not take these jobs; they wait for one that has.
		async checkAvailable() {
			try {
				config();
				return null;
			} catch (error) {
				return error instanceof Error ? error.message : String(error);
			}
		},
		async run(input, _settings, ctx) {
			requireValidSequences(input.sequences, fastaOptions);
			const service = config();
			const total = input.sequences.length;
			const names = new Set<string>();
			const rows = [];
			const plddt: PlddtTrack[] = [];
			for (const [index, record] of input.sequences.entries()) {
				checkAborted(ctx.signal);
				ctx.progress((100 * index) / total, `Folding ${record.id} (${index + 1} of ${total})`);
				const pdb = await foldSequence(service, record.id, record.sequence, ctx.signal);
				const profile = readPlddt(pdb);
				if (profile.residues.length !== record.sequence.length) {
					throw new Error(`structure service returned ${profile.residues.length} residues for '${record.id}' (${record.sequence.length} residues)`);
				}
				const raw = profile.residues.map((r) => r.plddt);
				const values = raw.map((v) => round(v, 2));
				let file: string | null = null;
				if (ctx.writeFile) {
					file = pdbFileName(record.id, names);
					await ctx.writeFile(file, 'chemical/x-pdb', pdb);
				}
				rows.push({
					id: record.id,
					length: record.sequence.length,
					mean_plddt: round(meanPlddt(raw), 2),
					confident_fraction: round(confidentFraction(raw), 4),
					file
				});
				plddt.push({ id: record.id, plddt: values });
			}
			ctx.progress(100, `${total} of ${total} sequences`);
			return {
				plddt,
				table: {
					columns: [
						{ key: 'id', label: 'Sequence', type: 'string' },
						{ key: 'length', label: 'Length', type: 'integer', unit: 'residues' },
						{ key: 'mean_plddt', label: 'Mean pLDDT', type: 'number' },
						{ key: 'confident_fraction', label: `Residues with pLDDT >= ${CONFIDENT_PLDDT}`, type: 'number', unit: 'fraction' },
						{ key: 'file', label: 'Structure file', type: 'string' }
					],
					rows
				}
			};
		}
	};
}

export const structurePredictionTool = createStructurePredictionTool();
