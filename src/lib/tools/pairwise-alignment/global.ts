// Global alignment (Needleman-Wunsch, affine gaps) computed as EMBOSS needle
// computes it (embAlignPathCalcWithEndGapPenalties + compass walk), in single
// precision like needle, so scores and the chosen alignment are identical.
//
// End gaps: by default free (needle's default, -noendweight). With end-gap
// penalties on, an end gap costs endGapOpen + (length - 1) * endGapExtend,
// as needle -endweight.
import type { PairwiseAlignment } from './alignment.ts';

const f = Math.fround;
const FEPS = f(1.192e-6);
const fpEq = (a: number, b: number) => f(b - FEPS) < a && a < f(b + FEPS);

export interface GlobalOptions {
	gapOpen: number;
	gapExtend: number;
	endGapPenalties: boolean;
	endGapOpen: number;
	endGapExtend: number;
	/** Called every few rows; throws to abort. */
	checkpoint?: () => void;
}

/** a, b: residue indices into `scores` (n x n, row-major). */
export function alignGlobal(a: Uint8Array, b: Uint8Array, scores: Float32Array, n: number, o: GlobalOptions): PairwiseAlignment {
	const lena = a.length;
	const lenb = b.length;
	const go = f(o.gapOpen);
	const ge = f(o.gapExtend);
	const eo = o.endGapPenalties ? f(o.endGapOpen) : 0;
	const ee = o.endGapPenalties ? f(o.endGapExtend) : 0;
	const size = lena * lenb;
	const m = new Float32Array(size);
	const ix = new Float32Array(size); // gap in a (consumes b): move along a row
	const iy = new Float32Array(size); // gap in b (consumes a): move along a column

	ix[0] = f(-eo - go);
	iy[0] = f(-eo - go);
	m[0] = scores[a[0] * n + b[0]];
	let cursor = 0;
	for (let y = 1; y < lena; y++) {
		const match = scores[a[y] * n + b[0]];
		cursor = y * lenb;
		const prev = (y - 1) * lenb;
		const og = f(m[prev] - go);
		const eg = f(iy[prev] - ge);
		iy[cursor] = og >= eg ? og : eg;
		m[cursor] = f(match - f(eo + f((y - 1) * ee)));
		ix[cursor] = f(f(-eo - f(y * ee)) - go);
	}
	ix[cursor] = f(f(ix[cursor] - eo) + go);
	cursor = 0;
	for (let x = 1; x < lenb; x++) {
		const match = scores[a[0] * n + b[x]];
		cursor = x;
		const og = f(m[x - 1] - go);
		const eg = f(ix[x - 1] - ge);
		ix[cursor] = og >= eg ? og : eg;
		m[cursor] = f(match - f(eo + f((x - 1) * ee)));
		iy[cursor] = f(f(-eo - f(x * ee)) - go);
	}
	iy[cursor] = f(f(iy[cursor] - eo) + go);

	const lastRow = lena - 1;
	const lastCol = lenb - 1;
	for (let y = 1; y < lena; y++) {
		if ((y & 63) === 0) o.checkpoint?.();
		const row = y * lenb;
		const up = row - lenb;
		const aRow = a[y] * n;
		for (let x = 1; x < lenb; x++) {
			const c = row + x;
			const d = up + x - 1;
			const mp = m[d], ixp = ix[d], iyp = iy[d];
			const match = scores[aRow + b[x]];
			m[c] = mp > ixp && mp > iyp ? f(mp + match) : ixp > iyp ? f(ixp + match) : f(iyp + match);

			const u = up + x;
			let og: number, eg: number;
			if (x === lastCol) {
				og = f(m[u] - eo);
				eg = f(iy[u] - ee);
			} else {
				og = m[u] < ix[u] ? ix[u] : m[u];
				og = f(og - go);
				eg = f(iy[u] - ge);
			}
			iy[c] = og > eg ? og : eg;

			const l = c - 1;
			if (y === lastRow) {
				og = f(m[l] - eo);
				eg = f(ix[l] - ee);
			} else {
				og = m[l] < iy[l] ? iy[l] : m[l];
				og = f(og - go);
				eg = f(ix[l] - ge);
			}
			ix[c] = og > eg ? og : eg;
		}
	}

	const end = size - 1;
	const score = m[end] > ix[end] && m[end] > iy[end] ? m[end] : ix[end] > iy[end] ? ix[end] : iy[end];

	// Trace back from the last cell with needle's tie-breaking.
	const LEFT = 1, DOWN = 2;
	const outA: number[] = []; // residue index, or -1 for a gap
	const outB: number[] = [];
	let x = lastCol;
	let y = lastRow;
	let prev = 0;
	while (x >= 0 && y >= 0) {
		const c = y * lenb + x;
		const mp = m[c];
		let step: number;
		if (prev === LEFT && fpEq(y === 0 || y === lastRow ? ee : ge, f(ix[c] - ix[c + 1]))) step = LEFT;
		else if (prev === DOWN && fpEq(x === 0 || x === lastCol ? ee : ge, f(iy[c] - iy[c + lenb]))) step = DOWN;
		else if (mp >= ix[c] && mp >= iy[c]) {
			if (prev === LEFT && fpEq(mp, ix[c])) step = LEFT;
			else if (prev === DOWN && fpEq(mp, iy[c])) step = DOWN;
			else step = 0;
		} else if (ix[c] >= iy[c]) step = LEFT;
		else step = DOWN;
		if (step === 0) {
			outA.push(a[y--]);
			outB.push(b[x--]);
		} else if (step === LEFT) {
			outA.push(-1);
			outB.push(b[x--]);
		} else {
			outA.push(a[y--]);
			outB.push(-1);
		}
		prev = step;
	}
	for (; x >= 0; x--) {
		outA.push(-1);
		outB.push(b[x]);
	}
	for (; y >= 0; y--) {
		outA.push(a[y]);
		outB.push(-1);
	}
	outA.reverse();
	outB.reverse();
	return { score, alignedA: outA, alignedB: outB, startA: 0, startB: 0 };
}
