/** One aligned pair: residue indices with -1 for gaps, and where each side starts (0-based). */
export interface PairwiseAlignment {
	score: number;
	alignedA: number[];
	alignedB: number[];
	startA: number;
	startB: number;
}
