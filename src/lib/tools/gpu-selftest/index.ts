// gpu-selftest: a self-attention layer over each protein, run on a GPU
// worker, so the GPU path (dispatch to the gpu queue, a GPU worker claiming
// and running it) is exercised end to end with real, checkable work. Each
// result row reports throughput and verifies the output against an
// independent recomputation. A real ML tool can take its place later. This
// is the tool's browser part; run() and the attention layer are in
// worker.server.ts.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { standardProtein } from '../parse/alphabets.ts';
import type { FastaOptions } from '../parse/fasta.ts';
import { parseSequencesInput } from '../parse/sequences-input.ts';
import { sequencesInputSchema } from '../parse/sequence-schema.ts';
import { toolResultSchema } from '../result-table.ts';
import type { ToolSpec } from '../types.ts';
import { HEN_LYSOZYME } from '../well-known-sequences.ts';

const catalog = catalogEntry('gpu-selftest')!;

export const MAX_SELFTEST_LENGTH = 4_000;
/** Agreement required between the layer and its independent recomputation. */
export const MAX_DEVIATION = 1e-9;

export const inputSchema = sequencesInputSchema(catalog.maxItems);
export type GpuSelftestInput = z.infer<typeof inputSchema>;
export const settingsSchema = z.object({});
export type GpuSelftestSettings = z.infer<typeof settingsSchema>;

/** What a run returns: the worker checks it (src/lib/tools/result-schemas.ts). */
export const gpuSelftestResultSchema = toolResultSchema.extend({ device: z.string(), embeddingDim: z.number() });
export type GpuSelftestResult = z.infer<typeof gpuSelftestResultSchema>;

export const fastaOptions: FastaOptions = { alphabet: standardProtein, maxRecords: catalog.maxItems, maxLength: MAX_SELFTEST_LENGTH };

export const gpuSelftestSpec: ToolSpec<GpuSelftestInput, GpuSelftestSettings> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples: [
		{
			label: 'Hen egg-white lysozyme (129 residues)',
			text: `>LYSC_CHICK\n${HEN_LYSOZYME}\n`
		}
	],
	conventions: [
		'A diagnostic, not a model: one self-attention layer with fixed weights over each sequence. “Verified” means the output agrees with an independent recomputation to 1e-9; work is counted in floating-point operations of the layer.'
	],
	parseInput: (raw) => parseSequencesInput(raw, fastaOptions, catalog.maxInputBytes)
};
