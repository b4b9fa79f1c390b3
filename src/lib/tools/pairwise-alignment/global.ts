// Global alignment (Needleman-Wunsch, affine gaps) computed as EMBOSS needle
// computes it (embAlignPathCalcWithEndGapPenalties + compass walk), in single
// precision like needle, so scores and the chosen alignment are identical.
//
// Memory: the three score matrices are kept only for the previous and the
// current row. What needle's walk back compares cell by cell is decided
// while filling and kept as bits in one byte a cell (`dir`), so a pair needs
// 1 byte a cell instead of 12, and the fill streams through small rows.
//
// End gaps: by default free (needle's default, -noendweight). With end-gap
// penalties on, an end gap costs endGapOpen + (length - 1) * endGapExtend,
// as needle -endweight.
import type { PairwiseAlignment } from './alignment.ts';

const f = Math.fround;
const FEPS = f(1.192e-6);
const fpEq = (a: number, b: number) => f(b - FEPS) < a && a < f(b + FEPS);

// Bits of `dir`, one byte a cell; the walk back reads only these.
/** ix here extends ix of the cell to the left (needle's test when it went left). */
const LX_IN = 1;
/** iy here extends iy of the cell above. */
const DY_IN = 2;
/** m >= ix and m >= iy. */
const M_BEST = 4;
const M_EQ_IX = 8;
const M_EQ_IY = 16;
/** ix >= iy (used when m is not the best). */
const IX_GE_IY = 32;

/** The walk's comparisons of one cell's own three scores. */
const cellBits = (m: number, ix: number, iy: number) =>
	m >= ix && m >= iy ? M_BEST | (fpEq(m, ix) ? M_EQ_IX : 0) | (fpEq(m, iy) ? M_EQ_IY : 0) : ix >= iy ? IX_GE_IY : 0;

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
	const lastRow = lena - 1;
	const lastCol = lenb - 1;
	const dir = new Uint8Array(lena * lenb);

	// Column 0, then row 0, as needle initialises them (in this order: each
	// end fix-up below can land on cell 0,0 when a sequence has one residue).
	const colM = new Float32Array(lena);
	const colIx = new Float32Array(lena); // gap in a (consumes b): move along a row
	const colIy = new Float32Array(lena); // gap in b (consumes a): move along a column
	colIx[0] = f(-eo - go);
	colIy[0] = f(-eo - go);
	colM[0] = scores[a[0] * n + b[0]];
	for (let y = 1; y < lena; y++) {
		const og = f(colM[y - 1] - go);
		const eg = f(colIy[y - 1] - ge);
		colIy[y] = og >= eg ? og : eg;
		colM[y] = f(scores[a[y] * n + b[0]] - f(eo + f((y - 1) * ee)));
		colIx[y] = f(f(-eo - f(y * ee)) - go);
	}
	colIx[lastRow] = f(f(colIx[lastRow] - eo) + go);

	// Row 0, then the rows below it, each computed from the one above.
	const pm = new Float32Array(lenb);
	const pix = new Float32Array(lenb);
	const piy = new Float32Array(lenb);
	pm[0] = colM[0];
	pix[0] = colIx[0];
	piy[0] = colIy[0];
	for (let x = 1; x < lenb; x++) {
		const og = f(pm[x - 1] - go);
		const eg = f(pix[x - 1] - ge);
		pix[x] = og >= eg ? og : eg;
		pm[x] = f(scores[a[0] * n + b[x]] - f(eo + f((x - 1) * ee)));
		piy[x] = f(f(-eo - f(x * ee)) - go);
	}
	piy[lastCol] = f(f(piy[lastCol] - eo) + go);
	colIy[0] = piy[0];

	// The walk's bits for row 0 and column 0 (end gaps cost ee there).
	for (let x = 0; x < lenb; x++) dir[x] = cellBits(pm[x], pix[x], piy[x]) | (x > 0 && fpEq(ee, f(pix[x - 1] - pix[x])) ? LX_IN : 0);
	for (let y = 1; y < lena; y++) dir[y * lenb] = cellBits(colM[y], colIx[y], colIy[y]) | (fpEq(ee, f(colIy[y - 1] - colIy[y])) ? DY_IN : 0);

	// One row at a time in its own function: V8 then optimises the row loop
	// once, with full type feedback. In one big function its first optimised
	// version (made while row 1 was still being filled) was thrown away at the
	// end of that row, and again at the first checkpoint, and rebuilt.
	const k: Rows = {
		a, b, scores, n, lenb, lastRow, lastCol, go, ge, eo, ee, dir, colM, colIx, colIy, pm, pix, piy,
		cm: new Float32Array(lenb), cix: new Float32Array(lenb), ciy: new Float32Array(lenb)
	};
	const checkpoint = o.checkpoint;
	for (let y = 1; y < lena; y++) {
		if ((y & 63) === 0) checkpoint?.();
		fillRow(k, y);
	}
	// k.p* now hold the last row.
	const em = k.pm[lastCol], eix = k.pix[lastCol], eiy = k.piy[lastCol];
	const score = em > eix && em > eiy ? em : eix > eiy ? eix : eiy;

	// Trace back from the last cell with needle's tie-breaking.
	const LEFT = 1, DOWN = 2;
	const outA: number[] = []; // residue index, or -1 for a gap
	const outB: number[] = [];
	let x = lastCol;
	let y = lastRow;
	let prev = 0;
	while (x >= 0 && y >= 0) {
		const c = y * lenb + x;
		const bits = dir[c];
		let step: number;
		if (prev === LEFT && dir[c + 1] & LX_IN) step = LEFT;
		else if (prev === DOWN && dir[c + lenb] & DY_IN) step = DOWN;
		else if (bits & M_BEST) {
			if (prev === LEFT && bits & M_EQ_IX) step = LEFT;
			else if (prev === DOWN && bits & M_EQ_IY) step = DOWN;
			else step = 0;
		} else if (bits & IX_GE_IY) step = LEFT;
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

interface Rows {
	a: Uint8Array;
	b: Uint8Array;
	scores: Float32Array;
	n: number;
	lenb: number;
	lastRow: number;
	lastCol: number;
	go: number;
	ge: number;
	eo: number;
	ee: number;
	dir: Uint8Array;
	/** Column 0 of every row. */
	colM: Float32Array;
	colIx: Float32Array;
	colIy: Float32Array;
	/** The previous row (p*) and the one being filled (c*); swapped after each row. */
	pm: Float32Array;
	pix: Float32Array;
	piy: Float32Array;
	cm: Float32Array;
	cix: Float32Array;
	ciy: Float32Array;
}

/** Row y >= 1: its m, ix, iy from the row above, and the walk's bits. */
function fillRow(k: Rows, y: number): void {
	const { b, scores, lenb, lastCol, go, ge, eo, ee, dir, pm, pix, piy, cm, cix, ciy } = k;
	const row = y * lenb;
	const aRow = k.a[y] * k.n;
	const isLastRow = y === k.lastRow;
	const rowCost = isLastRow ? ee : ge;
	// The cell to the left and the one diagonally up-left, carried in locals.
	let leftM = k.colM[y], leftIx = k.colIx[y], leftIy = k.colIy[y];
	let diagM = pm[0], diagIx = pix[0], diagIy = piy[0];
	cm[0] = leftM;
	cix[0] = leftIx;
	ciy[0] = leftIy;
	for (let x = 1; x < lenb; x++) {
		const match = scores[aRow + b[x]];
		const m = diagM > diagIx && diagM > diagIy ? f(diagM + match) : diagIx > diagIy ? f(diagIx + match) : f(diagIy + match);

		const upM = pm[x], upIx = pix[x], upIy = piy[x];
		let og: number, eg: number;
		if (x === lastCol) {
			og = f(upM - eo);
			eg = f(upIy - ee);
		} else {
			og = f((upM < upIx ? upIx : upM) - go);
			eg = f(upIy - ge);
		}
		const iy = og > eg ? og : eg;

		if (isLastRow) {
			og = f(leftM - eo);
			eg = f(leftIx - ee);
		} else {
			og = f((leftM < leftIy ? leftIy : leftM) - go);
			eg = f(leftIx - ge);
		}
		const ix = og > eg ? og : eg;

		dir[row + x] =
			cellBits(m, ix, iy) | (fpEq(rowCost, f(leftIx - ix)) ? LX_IN : 0) | (fpEq(x === lastCol ? ee : ge, f(upIy - iy)) ? DY_IN : 0);
		cm[x] = m;
		cix[x] = ix;
		ciy[x] = iy;
		leftM = m;
		leftIx = ix;
		leftIy = iy;
		diagM = upM;
		diagIx = upIx;
		diagIy = upIy;
	}
	k.pm = cm;
	k.cm = pm;
	k.pix = cix;
	k.cix = pix;
	k.piy = ciy;
	k.ciy = piy;
}
