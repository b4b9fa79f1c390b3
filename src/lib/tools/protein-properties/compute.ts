// Properties of one protein sequence (upper case: the 20 standard amino
// acids, selenocysteine U and pyrrolysine O), with Biopython ProteinAnalysis
// / ExPASy ProtParam conventions. U and O count in the length, the masses
// (Biopython's residue masses for them) and the mole fractions; like
// Biopython, nothing charges them, and the instability index, GRAVY and
// hydropathy, whose published scales have no values for them, are left out
// (Biopython raises KeyError there).
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

/** Residues the tool reads, in the order of the per-residue tables and of `counts`. */
export const PROTEIN_RESIDUES = `${STANDARD_AMINO_ACIDS}UO`;
/** Indices below this are standard amino acids; U and O follow. */
const STANDARD = 20;

export interface ProteinProperties {
	length: number;
	averageMass: number;
	monoisotopicMass: number;
	isoelectricPoint: number;
	chargeAtPH: number;
	extinctionReduced: number;
	extinctionCystines: number;
	/** null when the sequence has U or O (no dipeptide weights for them). */
	instabilityIndex: number | null;
	stable: boolean | null;
	aliphaticIndex: number;
	/** null when the sequence has U or O (no Kyte-Doolittle value for them). */
	gravy: number | null;
	aromaticity: number;
	/** null when the N-end rule has no value for the first residue (U, O). */
	halfLifeMammalian: string | null;
	halfLifeYeast: string | null;
	halfLifeEColi: string | null;
	/** Residue counts in PROTEIN_RESIDUES order. */
	counts: Int32Array;
}

// Residue letter (char code) -> index in PROTEIN_RESIDUES, -1 otherwise.
const INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < PROTEIN_RESIDUES.length; i++) INDEX[PROTEIN_RESIDUES.charCodeAt(i)] = i;
if (DIWV_ORDER !== STANDARD_AMINO_ACIDS) throw new Error('instability table order differs from the residue order');

const idx = (letter: string) => PROTEIN_RESIDUES.indexOf(letter);
const A = idx('A'), V = idx('V'), I = idx('I'), L = idx('L'), W = idx('W'), Y = idx('Y'), C = idx('C'), F = idx('F');

/** Residue indices of a validated sequence. */
export function encodeProtein(sequence: string): Uint8Array {
	const codes = new Uint8Array(sequence.length);
	for (let i = 0; i < sequence.length; i++) {
		const k = INDEX[sequence.charCodeAt(i)];
		if (k === undefined || k < 0) throw new Error(`position ${i + 1}: '${sequence[i]}' is not an amino acid this tool reads`);
		codes[i] = k;
	}
	return codes;
}

export function proteinProperties(sequence: string, pH: number): ProteinProperties {
	const n = sequence.length;
	const counts = new Int32Array(PROTEIN_RESIDUES.length);
	let avg = 0;
	let mono = 0;
	let kd = 0;
	let instability = 0;
	let rare = 0;
	// One pass over the letters: each residue's index comes from a table by
	// char code, and the dipeptide term uses the previous residue's index.
	let prev = -1;
	for (let i = 0; i < n; i++) {
		const k = INDEX[sequence.charCodeAt(i)];
		if (k === undefined || k < 0) throw new Error(`position ${i + 1}: '${sequence[i]}' is not an amino acid this tool reads`);
		counts[k]++;
		avg += AVERAGE_MASS[k];
		mono += MONOISOTOPIC_MASS[k];
		if (k < STANDARD) {
			kd += KYTE_DOOLITTLE[k];
			if (prev >= 0 && prev < STANDARD) instability += DIWV[prev * STANDARD + k];
		} else rare++;
		prev = k;
	}
	avg -= (n - 1) * WATER_AVERAGE;
	mono -= (n - 1) * WATER_MONOISOTOPIC;

	const groups = chargeGroups(sequence, counts);
	const instabilityIndex = rare ? null : (10 / n) * instability;
	const molePercent = (k: number) => (100 * counts[k]) / n;
	const halfLife = HALF_LIFE[sequence[0]] ?? [null, null, null];
	return {
		length: n,
		averageMass: avg,
		monoisotopicMass: mono,
		isoelectricPoint: isoelectricPoint(groups),
		chargeAtPH: chargeAtPH(groups, pH),
		extinctionReduced: counts[W] * 5500 + counts[Y] * 1490,
		extinctionCystines: counts[W] * 5500 + counts[Y] * 1490 + Math.floor(counts[C] / 2) * 125,
		instabilityIndex,
		stable: instabilityIndex === null ? null : instabilityIndex <= 40,
		// Ikai (1980): X(Ala) + 2.9 X(Val) + 3.9 (X(Ile) + X(Leu)), mole percents.
		aliphaticIndex: molePercent(A) + 2.9 * molePercent(V) + 3.9 * (molePercent(I) + molePercent(L)),
		gravy: rare ? null : kd / n,
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
 * Same values as Biopython's protein_scale(kd, window); windows holding U or
 * O (which the scale lacks) are left out.
 */
export function hydropathyProfile(sequence: string, window: number): { positions: number[]; values: number[] } {
	const codes = encodeProtein(sequence);
	const positions: number[] = [];
	const values: number[] = [];
	if (codes.length < window) return { positions, values };
	const value = (k: number) => (k < STANDARD ? KYTE_DOOLITTLE[k] : 0);
	let sum = 0;
	let rare = 0;
	for (let i = 0; i < window; i++) {
		sum += value(codes[i]);
		if (codes[i] >= STANDARD) rare++;
	}
	const half = (window - 1) / 2;
	for (let start = 0; ; start++) {
		if (rare === 0) {
			positions.push(start + half + 1);
			values.push(Math.round((sum / window) * 1e4) / 1e4);
		}
		if (start + window >= codes.length) break;
		const entering = codes[start + window];
		const leaving = codes[start];
		sum += value(entering) - value(leaving);
		rare += (entering >= STANDARD ? 1 : 0) - (leaving >= STANDARD ? 1 : 0);
	}
	return { positions, values };
}
