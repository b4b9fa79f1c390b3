// Identity, similarity and gaps of a pairwise alignment, and the markup
// line, by EMBOSS's rules for two sequences (ajalign.c alignConsStats):
//  - identical: the same residue on both sides;
//  - similar: the pair scores > 0 and one of the two residues scores > 0
//    against itself (so X/X in BLOSUM62 is identical but not similar);
//  - markup: '|' identical (and self-scoring > 0), ':' similar, '.' a
//    mismatch where the first residue scores > 0 against itself, ' ' else.
export interface AlignmentStats {
	length: number;
	identical: number;
	similar: number;
	gaps: number;
	markup: string;
}

export function alignmentStats(alignedA: number[], alignedB: number[], scores: Float32Array, n: number): AlignmentStats {
	const len = alignedA.length;
	let identical = 0, similar = 0, gaps = 0;
	const markup: string[] = new Array(len);
	for (let k = 0; k < len; k++) {
		const a = alignedA[k];
		const b = alignedB[k];
		if (a < 0 || b < 0) {
			gaps++;
			// Only a residue on the first line can score against itself.
			markup[k] = ' ';
			continue;
		}
		const self = (r: number) => (scores[r * n + r] > 0 ? 1 : 0);
		const pair = scores[a * n + b] > 0 ? 1 : 0;
		const isIdentical = a === b;
		const matchA = isIdentical ? 2 * self(a) : self(a) + pair;
		const matchB = isIdentical ? matchA : self(b) + pair;
		const isSimilar = Math.max(matchA, matchB) >= 2;
		if (isIdentical) identical++;
		if (isSimilar) similar++;
		let mark = ' ';
		if (matchA >= 2) mark = isIdentical ? '|' : ':';
		else if (matchA === 1) mark = '.';
		markup[k] = mark;
	}
	return { length: len, identical, similar, gaps, markup: markup.join('') };
}
