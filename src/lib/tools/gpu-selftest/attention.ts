// The self-test's workload: one self-attention layer over a protein, the
// operation that dominates GPU structure predictors (ESMFold's trunk).
// Residues are embedded (fixed per-residue vectors plus sinusoidal positions),
// projected to queries and keys, and every residue attends to every other:
// softmax(Q·Kᵀ/√d)·X. Two dense L×L×d products, deterministic, so a run can
// be checked against an independent computation and against earlier runs.
import { STANDARD_AMINO_ACIDS } from '../parse/alphabets.ts';

export const EMBEDDING_DIM = 32;
/** Pairs closer than this in sequence are not reported as long-range contacts. */
export const MIN_PAIR_SEPARATION = 6;

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32). */
function seededValues(seed: number, count: number): Float64Array {
	const out = new Float64Array(count);
	let a = seed >>> 0;
	for (let i = 0; i < count; i++) {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
	}
	return out;
}

const d = EMBEDDING_DIM;
const residueVectors = seededValues(20_26_11_28, STANDARD_AMINO_ACIDS.length * d);
const queryWeights = seededValues(1, d * d).map((v) => v / Math.sqrt(d));
const keyWeights = seededValues(2, d * d).map((v) => v / Math.sqrt(d));

/** X: L×d, row-major: residue vector plus sinusoidal position. */
export function embed(sequence: string): Float64Array {
	const x = new Float64Array(sequence.length * d);
	for (let i = 0; i < sequence.length; i++) {
		const r = STANDARD_AMINO_ACIDS.indexOf(sequence[i]);
		if (r < 0) throw new RangeError(`not a standard amino acid: ${sequence[i]}`);
		for (let k = 0; k < d; k++) {
			const angle = i / 10_000 ** ((2 * Math.floor(k / 2)) / d);
			x[i * d + k] = residueVectors[r * d + k] + 0.5 * (k % 2 === 0 ? Math.sin(angle) : Math.cos(angle));
		}
	}
	return x;
}

function project(x: Float64Array, w: Float64Array, rows: number): Float64Array {
	const out = new Float64Array(rows * d);
	for (let i = 0; i < rows; i++) {
		for (let k = 0; k < d; k++) {
			let s = 0;
			for (let m = 0; m < d; m++) s += x[i * d + m] * w[m * d + k];
			out[i * d + k] = s;
		}
	}
	return out;
}

export interface AttentionSummary {
	length: number;
	/** Floating-point operations of the two L×L×d products (multiply + add). */
	flops: number;
	/** Strongest attention between residues at least MIN_PAIR_SEPARATION apart (1-based). */
	topPair: { i: number; j: number; weight: number } | null;
	/** Mean entropy of the attention rows, in nats (ln L for uniform attention). */
	meanEntropy: number;
	/** Sum of the output matrix: stable across runs and machines to ~1e-9. */
	checksum: number;
	/** Largest difference between sampled output rows and an independent recomputation. */
	maxDeviation: number;
}

/** One output row computed the slow, independent way (no precomputed Q or K). */
function referenceRow(x: Float64Array, length: number, i: number): Float64Array {
	const logits = new Float64Array(length);
	for (let j = 0; j < length; j++) {
		let s = 0;
		for (let k = 0; k < d; k++) {
			let q = 0;
			let key = 0;
			for (let m = 0; m < d; m++) {
				q += x[i * d + m] * queryWeights[m * d + k];
				key += x[j * d + m] * keyWeights[m * d + k];
			}
			s += q * key;
		}
		logits[j] = s / Math.sqrt(d);
	}
	const max = Math.max(...logits);
	let total = 0;
	for (let j = 0; j < length; j++) total += logits[j] = Math.exp(logits[j] - max);
	const row = new Float64Array(d);
	for (let j = 0; j < length; j++) for (let k = 0; k < d; k++) row[k] += (logits[j] / total) * x[j * d + k];
	return row;
}

/**
 * Runs the layer; `tick` is called every block of rows (for progress and to
 * let the caller check for cancellation).
 */
export async function selfAttention(sequence: string, tick: (rowsDone: number) => Promise<void>): Promise<AttentionSummary> {
	const length = sequence.length;
	const x = embed(sequence);
	const q = project(x, queryWeights, length);
	const k = project(x, keyWeights, length);
	const scale = 1 / Math.sqrt(d);
	const weights = new Float64Array(length);
	const out = new Float64Array(length * d);
	let topPair: AttentionSummary['topPair'] = null;
	let entropySum = 0;
	const block = Math.max(1, Math.floor(2_000_000 / (length * d)));
	for (let i = 0; i < length; i++) {
		let max = -Infinity;
		for (let j = 0; j < length; j++) {
			let s = 0;
			for (let m = 0; m < d; m++) s += q[i * d + m] * k[j * d + m];
			weights[j] = s * scale;
			if (weights[j] > max) max = weights[j];
		}
		let total = 0;
		for (let j = 0; j < length; j++) total += weights[j] = Math.exp(weights[j] - max);
		let entropy = 0;
		for (let j = 0; j < length; j++) {
			const w = (weights[j] /= total);
			if (w > 0) entropy -= w * Math.log(w);
			if (Math.abs(i - j) >= MIN_PAIR_SEPARATION && i < j && (!topPair || w > topPair.weight)) topPair = { i: i + 1, j: j + 1, weight: w };
			for (let m = 0; m < d; m++) out[i * d + m] += w * x[j * d + m];
		}
		entropySum += entropy;
		if ((i + 1) % block === 0) await tick(i + 1);
	}
	let checksum = 0;
	for (const v of out) checksum += v;
	let maxDeviation = 0;
	for (const i of new Set([0, Math.floor(length / 2), length - 1])) {
		const ref = referenceRow(x, length, i);
		for (let m = 0; m < d; m++) maxDeviation = Math.max(maxDeviation, Math.abs(ref[m] - out[i * d + m]));
	}
	return { length, flops: 4 * length * length * d, topPair, meanEntropy: entropySum / length, checksum, maxDeviation };
}
