// Local alignment (Smith-Waterman, affine gaps) computed as EMBOSS water
// computes it (embAlignPathCalcSW + embAlignWalkSWMatrix): one path matrix
// in single precision, with the best gap-from-left per row and
// gap-from-above per column carried in double precision, and water's walk
// back from the best cell (the first one in reading order on ties).
// One documented difference: see the score of one-residue sequences below.
import type { PairwiseAlignment } from './alignment.ts';

const f = Math.fround;
const FEPS = f(1.192e-6);
const LEFT = 1, DOWN = 2;

export interface LocalOptions {
	gapOpen: number;
	gapExtend: number;
	checkpoint?: () => void;
}

export function alignLocal(a: Uint8Array, b: Uint8Array, scores: Float32Array, n: number, o: LocalOptions): PairwiseAlignment {
	const lena = a.length;
	const lenb = b.length;
	const go = f(o.gapOpen);
	const ge = f(o.gapExtend);
	// Stored transposed (column-major: x * lena + y), since the fill walks down columns.
	const path = new Float32Array(lena * lenb);
	const compass = new Uint8Array(lena * lenb);
	const at = (y: number, x: number) => x * lena + y;
	let best = -3.4028234663852886e38;
	const maxa = new Float64Array(lena);

	for (let i = 0; i < lena; i++) {
		const result = scores[a[i] * n + b[0]];
		const fnew = i === 0 ? 0 : f(path[at(i - 1, 0)] - (compass[at(i - 1, 0)] === DOWN ? ge : go));
		const c = at(i, 0);
		if (result > fnew && result > 0) {
			path[c] = result;
			compass[c] = 0;
		} else if (fnew > 0) {
			path[c] = fnew;
			compass[c] = DOWN;
		} else {
			path[c] = 0;
			compass[c] = 0;
		}
		maxa[i] = i === 0 ? f(path[c] - go) : f(path[c] - (compass[at(i - 1, 0)] === DOWN ? ge : go));
	}
	for (let j = 0; j < lenb; j++) {
		const result = scores[a[0] * n + b[j]];
		const fnew = j === 0 ? 0 : f(path[at(0, j - 1)] - (compass[at(0, j - 1)] === LEFT ? ge : go));
		const c = at(0, j);
		if (result > fnew && result > 0) {
			path[c] = result;
			compass[c] = 0;
		} else if (fnew > 0) {
			path[c] = fnew;
			compass[c] = LEFT;
		} else {
			path[c] = 0;
			compass[c] = 0;
		}
	}

	for (let x = 1; x < lenb; x++) {
		if ((x & 63) === 0) o.checkpoint?.();
		let bx = f(f(path[at(0, x)] - go) - ge);
		const col = x * lena;
		const prevCol = col - lena;
		const bRes = b[x];
		for (let y = 1; y < lena; y++) {
			const c = col + y;
			let mscore = path[prevCol + y - 1] + scores[a[y] * n + bRes];
			compass[c] = 0;
			path[c] = mscore;
			maxa[y] -= ge;
			let fnew = path[prevCol + y] - go;
			if (fnew > maxa[y]) maxa[y] = fnew;
			if (maxa[y] > mscore) {
				mscore = maxa[y];
				path[c] = mscore;
				compass[c] = LEFT;
			}
			bx -= ge;
			fnew = path[c - 1] - go;
			if (fnew > bx) bx = fnew;
			if (bx > mscore) {
				mscore = bx;
				path[c] = mscore;
				compass[c] = DOWN;
			}
			if (mscore > best) best = f(mscore);
			if (path[c] < 0) path[c] = 0;
		}
	}

	// Best cell: scanning from the last cell backwards, later equal values win.
	let pmax = -3.4028234663852886e38;
	let bx = 0, by = 0;
	for (let i = lena - 1; i >= 0; i--) {
		for (let j = lenb - 1; j >= 0; j--) {
			const v = path[at(i, j)];
			if (v > pmax || (pmax - FEPS < v && v < pmax + FEPS)) {
				pmax = v;
				bx = j;
				by = i;
			}
		}
	}

	const outA: number[] = [];
	const outB: number[] = [];
	let x = bx;
	let y = by;
	const errBounds = 0.01;
	while (x >= 0 && y >= 0) {
		const dir = compass[at(y, x)];
		if (dir === 0) {
			outA.push(a[y--]);
			outB.push(b[x--]);
			if (y >= 0 && x >= 0 && path[at(y, x)] <= 0) break;
		} else if (dir === LEFT) {
			const score = path[at(y, x)];
			let gaps = 0;
			let k = x - 1;
			let bimble: number;
			for (;;) {
				bimble = f(f(path[at(y, k)] - go) - f(gaps * ge));
				if (k === 0 || Math.abs(score - bimble) < errBounds) break;
				k--;
				gaps++;
			}
			if (bimble <= 0) break;
			for (let g = 0; g <= gaps; g++) {
				outA.push(-1);
				outB.push(b[x--]);
			}
		} else {
			const score = path[at(y, x)];
			let gaps = 0;
			let k = y - 1;
			let bimble: number;
			for (;;) {
				bimble = f(f(path[at(k, x)] - go) - f(gaps * ge));
				if (k === 0 || Math.abs(score - bimble) < errBounds) break;
				k--;
				gaps++;
			}
			if (bimble <= 0) break;
			for (let g = 0; g <= gaps; g++) {
				outA.push(a[y--]);
				outB.push(-1);
			}
		}
	}
	outA.reverse();
	outB.reverse();
	// water takes its score from the cells past the first row and column only,
	// so with a one-residue sequence it reports -3.4e38; we report the best cell.
	if (best === -3.4028234663852886e38) best = pmax;
	return { score: best, alignedA: outA, alignedB: outB, startA: y + 1, startB: x + 1 };
}
