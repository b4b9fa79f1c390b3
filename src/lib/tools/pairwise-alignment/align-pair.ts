// One query/target pair end to end: encode, align, count, format. Kept free
// of zod and the catalog so a bare process (the benchmark) loads only this.
import type { PairwiseAlignment } from './alignment.ts';
import { alignGlobal } from './global.ts';
import { alignLocal } from './local.ts';
import type { ScoreMatrix } from './matrices/score-matrix.ts';
import { flatScores, letterIndex } from './matrices/score-matrix.ts';
import { pairFormat } from './pair-format.ts';
import { alignmentStats, type AlignmentStats } from './stats.ts';

export interface AlignSettings {
	mode: 'global' | 'local';
	gapOpen: number;
	gapExtend: number;
	endGapPenalties: boolean;
	endGapOpen: number;
	endGapExtend: number;
}

export interface AlignedPair {
	score: number;
	stats: AlignmentStats;
	lineA: string;
	lineB: string;
	/** 0-based start of the aligned region in each sequence, and residues covered. */
	startA: number;
	startB: number;
	residuesA: number;
	residuesB: number;
	pair: string;
}

export interface PreparedMatrix {
	matrix: ScoreMatrix;
	index: Int16Array;
	scores: Float32Array;
	size: number;
}

export function prepareMatrix(matrix: ScoreMatrix): PreparedMatrix {
	return { matrix, index: letterIndex(matrix), scores: flatScores(matrix), size: matrix.letters.length };
}

export function encodeSequence(seq: string, m: PreparedMatrix): Uint8Array {
	const out = new Uint8Array(seq.length);
	for (let i = 0; i < seq.length; i++) out[i] = m.index[seq.charCodeAt(i)];
	return out;
}

export function alignPair(
	query: { id: string; codes: Uint8Array },
	target: { id: string; sequence: string },
	m: PreparedMatrix,
	s: AlignSettings,
	checkpoint?: () => void
): AlignedPair {
	const subject = encodeSequence(target.sequence, m);
	const aln: PairwiseAlignment =
		s.mode === 'global'
			? alignGlobal(query.codes, subject, m.scores, m.size, { ...s, checkpoint })
			: alignLocal(query.codes, subject, m.scores, m.size, { ...s, checkpoint });
	const stats = alignmentStats(aln.alignedA, aln.alignedB, m.scores, m.size);
	const letters = m.matrix.letters;
	const toText = (codes: number[]) => {
		let out = '';
		for (const c of codes) out += c < 0 ? '-' : letters[c];
		return out;
	};
	const lineA = toText(aln.alignedA);
	const lineB = toText(aln.alignedB);
	let residuesA = 0, residuesB = 0;
	for (const c of aln.alignedA) if (c >= 0) residuesA++;
	for (const c of aln.alignedB) if (c >= 0) residuesB++;
	const pair = pairFormat({
		nameA: query.id,
		nameB: target.id,
		lineA,
		lineB,
		beginA: aln.startA + 1,
		beginB: aln.startB + 1,
		matrixName: m.matrix.name,
		gapOpen: s.gapOpen,
		gapExtend: s.gapExtend,
		score: aln.score,
		stats
	});
	return { score: aln.score, stats, lineA, lineB, startA: aln.startA, startB: aln.startB, residuesA, residuesB, pair };
}
