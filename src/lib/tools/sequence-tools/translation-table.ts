// Codon -> amino acid lookup over IUPAC nucleotide codes, built from a
// genetic code the way EMBOSS builds its translation tables (ajtranslate.c),
// so ambiguous codons translate exactly as transeq/getorf translate them:
//  1. third-position wobble: an ambiguity code in the third base translates
//     to X unless every codon it stands for gives the same amino acid;
//  2. then, amino acid by amino acid in codon order, the codon made of the
//     union of bases at each position over that amino acid's codons (e.g.
//     YTN for leucine) translates to it, even where that union also covers
//     other codons.
// EMBOSS's wobble step pairs the codes S and W the other way round from its
// lookup; we keep that, since matching its output is the point.
import { geneticCodes, type GeneticCodeData } from './genetic-codes.ts';

// Base slots, EMBOSS order: A C G T, then M R W S Y K V H D B, N (and anything else).
const SLOT_OF_LETTER: Record<string, number> = {
	A: 0, C: 1, G: 2, T: 3, U: 3, M: 4, R: 5, W: 6, S: 7, Y: 8, K: 9, V: 10, H: 11, D: 12, B: 13, N: 14
};
const OTHER = 14;
// Base-set bitmasks (A=1 C=2 G=4 T=8) used by the wobble step, by slot.
const WOBBLE_MASK_OF_SLOT = [1, 2, 4, 8, 3, 5, 6, 9, 10, 12, 7, 11, 13, 14, 15];
// Slot for a base-set bitmask, used by the amino-acid union step.
const SLOT_OF_MASK = [14, 0, 1, 4, 2, 5, 7, 10, 3, 6, 8, 11, 9, 12, 13, 14];
const BASE_BIT = [1, 2, 4, 8];
const NCBI_BASE_ORDER = 'TCAG';

export interface TranslationTable {
	id: number;
	name: string;
	/** Amino acid for slot codes c1*225 + c2*15 + c3. */
	aa: Uint8Array;
	/** 1 where the (unambiguous) codon is a start in this code. */
	start: Uint8Array;
	/** Slot of each character code (0..127). */
	slot: Uint8Array;
}

const cell = (i: number, j: number, k: number) => i * 225 + j * 15 + k;

function build(code: GeneticCodeData): TranslationTable {
	const aa = new Uint8Array(15 * 15 * 15).fill('X'.charCodeAt(0));
	const start = new Uint8Array(15 * 15 * 15);
	const acgtIndex = (b: string) => SLOT_OF_LETTER[b];
	for (let n = 0; n < 64; n++) {
		const b1 = NCBI_BASE_ORDER[n >> 4], b2 = NCBI_BASE_ORDER[(n >> 2) & 3], b3 = NCBI_BASE_ORDER[n & 3];
		const c = cell(acgtIndex(b1), acgtIndex(b2), acgtIndex(b3));
		aa[c] = code.aas.charCodeAt(n);
		if (code.starts[n] === 'M') start[c] = 1;
	}

	// 1. Wobble in the third position.
	for (let i = 0; i < 4; i++) {
		for (let j = 0; j < 4; j++) {
			let kFirst = 0;
			while (kFirst < 4) {
				const residue = aa[cell(i, j, kFirst)];
				let mask = 0;
				let next = 4;
				for (let k = kFirst; k < 4; k++) {
					if (aa[cell(i, j, k)] === residue) mask |= BASE_BIT[k];
					else if (next === 4) next = k;
				}
				for (let k = 4; k < 15; k++) {
					const m = WOBBLE_MASK_OF_SLOT[k];
					if ((m | mask) === mask && (m & mask) !== 0) aa[cell(i, j, k)] = residue;
				}
				kFirst = next;
			}
		}
	}

	// 2. The union codon of each amino acid, visited in EMBOSS's scan order.
	const seen: number[] = [];
	let iFirst = 0, jFirst = 0, kFirst = 0;
	let jNext = 0, kNext = 0;
	for (;;) {
		let found = -1;
		const residue = aa[cell(iFirst, jFirst, kFirst)];
		const union = [0, 0, 0];
		for (let i = iFirst; i < 4; i++) {
			for (let j = jFirst; j < 4; j++) {
				for (let k = kFirst; k < 4; k++) {
					const r = aa[cell(i, j, k)];
					if (r === residue) {
						union[0] |= BASE_BIT[i];
						union[1] |= BASE_BIT[j];
						union[2] |= BASE_BIT[k];
					} else if (found < 0 && !seen.includes(r)) {
						found = r;
						iFirst = i;
						jNext = j;
						kNext = k;
						seen.push(r);
					}
				}
				kFirst = 0;
			}
			jFirst = 0;
		}
		jFirst = jNext;
		kFirst = kNext;
		aa[cell(SLOT_OF_MASK[union[0]], SLOT_OF_MASK[union[1]], SLOT_OF_MASK[union[2]])] = residue;
		if (found < 0) break;
	}

	const slot = new Uint8Array(128).fill(OTHER);
	for (const [letter, s] of Object.entries(SLOT_OF_LETTER)) {
		slot[letter.charCodeAt(0)] = s;
		slot[letter.toLowerCase().charCodeAt(0)] = s;
	}
	return { id: code.id, name: code.name, aa, start, slot };
}

const cache = new Map<number, TranslationTable>();

export function translationTable(id: number): TranslationTable {
	let table = cache.get(id);
	if (!table) {
		const code = geneticCodes.find((c) => c.id === id);
		if (!code) throw new Error(`unknown genetic code ${id}`);
		table = build(code);
		cache.set(id, table);
	}
	return table;
}

/** Amino-acid char code of the codon at seq[pos..pos+2]; a missing base counts as N. */
export function codonAt(t: TranslationTable, seq: string, pos: number): number {
	const s1 = t.slot[seq.charCodeAt(pos) & 127];
	const s2 = pos + 1 < seq.length ? t.slot[seq.charCodeAt(pos + 1) & 127] : OTHER;
	const s3 = pos + 2 < seq.length ? t.slot[seq.charCodeAt(pos + 2) & 127] : OTHER;
	return t.aa[s1 * 225 + s2 * 15 + s3];
}

export function isStartAt(t: TranslationTable, seq: string, pos: number): boolean {
	return t.start[t.slot[seq.charCodeAt(pos) & 127] * 225 + t.slot[seq.charCodeAt(pos + 1) & 127] * 15 + t.slot[seq.charCodeAt(pos + 2) & 127]] === 1;
}
