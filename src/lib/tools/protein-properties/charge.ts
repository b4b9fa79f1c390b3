// Net charge and isoelectric point with the pK set Biopython's
// IsoelectricPoint uses (Bjellqvist-style, with terminal-residue pKs).
import { STANDARD_AMINO_ACIDS } from '../parse/alphabets.ts';

const PK_N_TERM_DEFAULT = 7.5;
const PK_N_TERM: Record<string, number> = { A: 7.59, M: 7.0, S: 6.93, P: 8.36, T: 6.82, V: 7.44, E: 7.7 };
const PK_C_TERM_DEFAULT = 3.55;
const PK_C_TERM: Record<string, number> = { D: 4.55, E: 4.75 };
const PK = { K: 10.0, R: 12.0, H: 5.98, D: 4.05, E: 4.45, C: 9.0, Y: 10.0 };

export interface ChargeGroups {
	nTermPk: number;
	cTermPk: number;
	/** 10^pK of the termini. */
	nTermK: number;
	cTermK: number;
	K: number;
	R: number;
	H: number;
	D: number;
	E: number;
	C: number;
	Y: number;
}

const index = (letter: string) => STANDARD_AMINO_ACIDS.indexOf(letter);
const K = index('K'), R = index('R'), H = index('H'), D = index('D'), E = index('E'), C = index('C'), Y = index('Y');

/** counts: residue counts in STANDARD_AMINO_ACIDS order (U and O, counted after them, carry no charge, as in Biopython). */
export function chargeGroups(sequence: string, counts: ArrayLike<number>): ChargeGroups {
	const nTermPk = PK_N_TERM[sequence[0]] ?? PK_N_TERM_DEFAULT;
	const cTermPk = PK_C_TERM[sequence[sequence.length - 1]] ?? PK_C_TERM_DEFAULT;
	return {
		nTermPk,
		cTermPk,
		nTermK: Math.pow(10, nTermPk),
		cTermK: Math.pow(10, cTermPk),
		K: counts[K],
		R: counts[R],
		H: counts[H],
		D: counts[D],
		E: counts[E],
		C: counts[C],
		Y: counts[Y]
	};
}

// Henderson-Hasselbalch with h = 10^pH computed once per pH:
// positive group 1 / (10^(pH - pK) + 1), negative group 1 / (10^(pK - pH) + 1).
const TEN_POW = (pK: number) => Math.pow(10, pK);
const K_K = TEN_POW(PK.K), K_R = TEN_POW(PK.R), K_H = TEN_POW(PK.H);
const K_D = TEN_POW(PK.D), K_E = TEN_POW(PK.E), K_C = TEN_POW(PK.C), K_Y = TEN_POW(PK.Y);

export function chargeAtPH(g: ChargeGroups, pH: number): number {
	// Written out rather than with helper closures: this runs ~20 times per
	// sequence in the pI search, and the same expressions keep the results
	// bit-identical.
	const h = Math.pow(10, pH);
	const positiveCharge = 1 / (h / g.nTermK + 1) + g.K * (1 / (h / K_K + 1)) + g.R * (1 / (h / K_R + 1)) + g.H * (1 / (h / K_H + 1));
	const negativeCharge =
		1 / (g.cTermK / h + 1) + g.D * (1 / (K_D / h + 1)) + g.E * (1 / (K_E / h + 1)) + g.C * (1 / (K_C / h + 1)) + g.Y * (1 / (K_Y / h + 1));
	return positiveCharge - negativeCharge;
}

/**
 * The pH where the net charge is zero, by bisection over 0..14 (charge falls
 * monotonically with pH). Biopython searches 4.05..12 only; see the tests.
 */
export function isoelectricPoint(g: ChargeGroups): number {
	let lo = 0;
	let hi = 14;
	// 1e-5 pH units: far below the 0.01 the results are quoted to.
	while (hi - lo > 1e-5) {
		const mid = (lo + hi) / 2;
		if (chargeAtPH(g, mid) > 0) lo = mid;
		else hi = mid;
	}
	return (lo + hi) / 2;
}
