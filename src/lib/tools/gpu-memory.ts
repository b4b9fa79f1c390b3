// The GPU memory a job needs, in MiB: the mirror of the database's rule
// (private.job_gpu_memory_mib, supabase/migrations/20261209600000_job_gpu_memory_need.sql),
// which is the one that counts: it sets public.jobs.gpu_memory_mib, and the
// dispatcher places GPU jobs by it. tests/db/gpu-memory-need.test.ts checks
// that both agree on a table of inputs. The numbers and where they come
// from are in that migration and in structure-prediction/README.md.
import { MAX_PREDICTION_LENGTH } from './structure-prediction/index.ts';

/** ESM-2 3B and the folding trunk's weights in half precision, plus the CUDA context. */
export const STRUCTURE_PREDICTION_BASE_MIB = 6_144;
/** Per residue pair: the pair representation's 128 channels × 4 bytes, about 24 such tensors alive at once. */
export const STRUCTURE_PREDICTION_KIB_PER_RESIDUE_PAIR = 12;
/** One self-attention layer over short proteins. */
export const GPU_SELFTEST_MIB = 512;

export function structurePredictionGpuMemoryMiB(residues: number | null): number {
	const length = Math.min(Math.max(residues ?? MAX_PREDICTION_LENGTH, 0), MAX_PREDICTION_LENGTH);
	return STRUCTURE_PREDICTION_BASE_MIB + Math.ceil((length * length * STRUCTURE_PREDICTION_KIB_PER_RESIDUE_PAIR) / 1024);
}

/** The need of one job of toolId with this input (null: the tool needs no GPU). A length it cannot read counts as the longest accepted. */
export function jobGpuMemoryMiB(toolId: string, input: unknown): number | null {
	if (toolId === 'gpu-selftest') return GPU_SELFTEST_MIB;
	if (toolId !== 'structure-prediction') return null;
	const sequences = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as { sequences?: unknown }).sequences : undefined;
	if (!Array.isArray(sequences) || !sequences.length) return structurePredictionGpuMemoryMiB(null);
	let longest = 0;
	for (const record of sequences) {
		const sequence = typeof record === 'object' && record !== null ? (record as { sequence?: unknown }).sequence : undefined;
		if (typeof sequence !== 'string') return structurePredictionGpuMemoryMiB(null);
		longest = Math.max(longest, [...sequence].length);
	}
	return structurePredictionGpuMemoryMiB(longest);
}
