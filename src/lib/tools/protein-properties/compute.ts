// Properties of one protein sequence (20 standard amino acids, upper case),
// with Biopython ProteinAnalysis / ExPASy ProtParam conventions.
import { STANDARD_AMINO_ACIDS } from '../parse/alphabets.ts';
import { chargeAtPH, chargeGroups, isoelectricPoint } from './charge.ts';
import { DIWV, DIWV_ORDER } from './data/instability-weights.ts';
import {
	AVERAGE_MASS,
	HALF_LIFE,
	KYTE_DOOLITTLE,
	MONOISOTOPIC_MASS,
	WATER_AVERAGE,
	WATER_MONOISOTOPIC
} from './data/residues.ts';

export interface ProteinProperties {
	length: number;
	averageMass: number;
	monoisotopicMass: number;
	isoelectricPoint: number;
	chargeAtPH: number;
	extinctionReduced: number;
	extinctionCystines: number;
	instabilityIndex: number;
	stable: boolean;
	aliphaticIndex: number;
	gravy: number;
	aromaticity: number;
	halfLifeMammalian: string;
	halfLifeYeast: string;
	halfLifeEColi: string;
	/** Residue counts in STANDARD_AMINO_ACIDS order. */
	counts: Int32Array;
}

// Residue letter (char code) -> index in STANDARD_AMINO_ACIDS, -1 otherwise.
const INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < STANDARD_AMINO_ACIDS.length; i++) INDEX[STANDARD_AMINO_ACIDS.charCodeAt(i)] = i;
if (DIWV_ORDER !== STANDARD_AMINO_ACIDS) throw new Error('instability table order differs from the residue order');

const idx = (letter: string) => STANDARD_AMINO_ACIDS.indexOf(letter);
const A = idx('A'), V = idx('V'), I = idx('I'), L = idx('L'), W = idx('W'), Y = idx('Y'), C = idx('C'), F = idx('F');

/** Residue indices of a validated sequence. */
export function encodeProtein(sequence: string): Uint8Array {
	const codes = new Uint8Array(sequence.length);
	for (let i = 0; i < sequence.length; i++) {
		const k = INDEX[sequence.charCodeAt(i)];
		if (k < 0) throw new Error(`position ${i + 1}: '${sequence[i]}' is not a standard amino acid`);
		codes[i] = k;
	}
	return codes;
}

export function proteinProperties(sequence: string, pH: number): ProteinProperties {
	const n = sequence.length;
	const counts = new Int32Array(20);
	let avg = 0;
	let mono = 0;
	let kd = 0;
	let instability = 0;
	// One pass over the letters: each residue's index comes from a table by
	// char code, and the dipeptide term uses the previous residue's index.
	let prev = -1;
	for (let i = 0; i < n; i++) {
		const k = INDEX[sequence.charCodeAt(i)];
		if (k === undefined || k < 0) throw new Error(`position ${i + 1}: '${sequence[i]}' is not a standard amino acid`);
		counts[k]++;
		avg += AVERAGE_MASS[k];
		mono += MONOISOTOPIC_MASS[k];
		kd += KYTE_DOOLITTLE[k];
		if (prev >= 0) instability += DIWV[prev * 20 + k];
		prev = k;
	}
	avg -= (n - 1) * WATER_AVERAGE;
	mono -= (n - 1) * WATER_MONOISOTOPIC;

	const groups = chargeGroups(sequence, counts);
	const instabilityIndex = (10 / n) * instability;
	const molePercent = (k: number) => (100 * counts[k]) / n;
	const halfLife = HALF_LIFE[sequence[0]];
	return {
		length: n,
		averageMass: avg,
		monoisotopicMass: mono,
		isoelectricPoint: isoelectricPoint(groups),
		chargeAtPH: chargeAtPH(groups, pH),
		extinctionReduced: counts[W] * 5500 + counts[Y] * 1490,
		extinctionCystines: counts[W] * 5500 + counts[Y] * 1490 + Math.floor(counts[C] / 2) * 125,
		instabilityIndex,
		stable: instabilityIndex <= 40,
		// Ikai (1980): X(Ala) + 2.9 X(Val) + 3.9 (X(Ile) + X(Leu)), mole percents.
		aliphaticIndex: molePercent(A) + 2.9 * molePercent(V) + 3.9 * (molePercent(I) + molePercent(L)),
		gravy: kd / n,
		aromaticity: (counts[F] + counts[W] + counts[Y]) / n,
		halfLifeMammalian: halfLife[0],
		halfLifeYeast: halfLife[1],
		halfLifeEColi: halfLife[2],
		counts
	};
}

/**
 * Kyte-Doolittle profile: the mean hydropathy of each full window (window
 * odd, edge weight 1), reported at the window's centre residue (1-based).
 * Same values as Biopython's protein_scale(kd, window).
 */
export function hydropathyProfile(sequence: string, window: number): { positions: number[]; values: number[] } {
	const codes = encodeProtein(sequence);
	const positions: number[] = [];
	const values: number[] = [];
	if (codes.length < window) return { positions, values };
	let sum = 0;
	for (let i = 0; i < window; i++) sum += KYTE_DOOLITTLE[codes[i]];
	const half = (window - 1) / 2;
	for (let start = 0; ; start++) {
		positions.push(start + half + 1);
		values.push(Math.round((sum / window) * 1e4) / 1e4);
		if (start + window >= codes.length) break;
		sum += KYTE_DOOLITTLE[codes[start + window]] - KYTE_DOOLITTLE[codes[start]];
	}
	return { positions, values };
}
