// A residue-by-residue diff of two sequences (Myers' O(ND) algorithm, the
// one behind `diff` and git): the shortest run of insertions and deletions
// that turns one into the other, as runs of kept, removed and added residues.
// No alignment scoring: a substitution shows as one removed and one added
// residue, which is what a scientist checking "what changed" wants to see.

export type DiffOp = 'same' | 'removed' | 'added';

export interface DiffRun {
	op: DiffOp;
	text: string;
}

export interface SequenceDiff {
	runs: DiffRun[];
	/** Residues only in the first sequence, and only in the second. */
	removed: number;
	added: number;
	/**
	 * True when the sequences differ by more than `maxEdits` residues: `runs`
	 * is then empty and removed/added are the lengths of the stretch between
	 * their common start and end.
	 */
	tooDifferent: boolean;
}

/** Beyond this many edits the trace (it grows with the square of the edits) costs too much for a page; the summary says so. */
export const DEFAULT_MAX_EDITS = 1000;

function push(runs: DiffRun[], op: DiffOp, text: string): void {
	if (text === '') return;
	const last = runs[runs.length - 1];
	if (last && last.op === op) last.text += text;
	else runs.push({ op, text });
}

/**
 * The shortest edit script from `a` to `b` (characters compared exactly, so
 * pass both in the same case). Common ends are taken off first, so a point
 * mutation in a 100,000-residue protein costs next to nothing.
 */
export function diffSequences(a: string, b: string, maxEdits = DEFAULT_MAX_EDITS): SequenceDiff {
	let start = 0;
	while (start < a.length && start < b.length && a[start] === b[start]) start++;
	let endA = a.length;
	let endB = b.length;
	while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
		endA--;
		endB--;
	}
	const midA = a.slice(start, endA);
	const midB = b.slice(start, endB);
	const middle = myers(midA, midB, maxEdits);
	if (middle === null) return { runs: [], removed: midA.length, added: midB.length, tooDifferent: true };
	const runs: DiffRun[] = [];
	push(runs, 'same', a.slice(0, start));
	for (const run of middle) push(runs, run.op, run.text);
	push(runs, 'same', a.slice(endA));
	let removed = 0;
	let added = 0;
	for (const run of runs) {
		if (run.op === 'removed') removed += run.text.length;
		else if (run.op === 'added') added += run.text.length;
	}
	return { runs, removed, added, tooDifferent: false };
}

/** Myers' greedy forward search with its trace kept, then walked back; null past `maxEdits`. */
function myers(a: string, b: string, maxEdits: number): DiffRun[] | null {
	const n = a.length;
	const m = b.length;
	if (n === 0 || m === 0) {
		const runs: DiffRun[] = [];
		push(runs, 'removed', a);
		push(runs, 'added', b);
		return n + m > maxEdits ? null : runs;
	}
	const max = Math.min(n + m, maxEdits);
	const offset = max + 1;
	let v = new Int32Array(2 * max + 3);
	const trace: Int32Array[] = [];
	let found = -1;
	for (let d = 0; d <= max; d++) {
		// Only diagonals -d-1..d+1 are read back at step d.
		trace.push(v.slice(offset - d - 1, offset + d + 2));
		const next = v;
		for (let k = -d; k <= d; k += 2) {
			let x = k === -d || (k !== d && next[offset + k - 1] < next[offset + k + 1]) ? next[offset + k + 1] : next[offset + k - 1] + 1;
			let y = x - k;
			while (x < n && y < m && a[x] === b[y]) {
				x++;
				y++;
			}
			next[offset + k] = x;
			if (x >= n && y >= m) {
				found = d;
				break;
			}
		}
		v = next;
		if (found >= 0) break;
	}
	if (found < 0) return null;
	// Walk back from (n, m): trace[d] holds the furthest x on each diagonal before step d.
	const reversed: DiffRun[] = [];
	const emit = (op: DiffOp, text: string) => {
		if (text === '') return;
		const last = reversed[reversed.length - 1];
		if (last && last.op === op) last.text = text + last.text;
		else reversed.push({ op, text });
	};
	let x = n;
	let y = m;
	for (let d = found; d > 0; d--) {
		const before = trace[d];
		const at = (diagonal: number) => before[diagonal + d + 1];
		const k = x - y;
		const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
		const prevK = down ? k + 1 : k - 1;
		const prevX = at(prevK);
		const prevY = prevX - prevK;
		const snakeStartX = down ? prevX : prevX + 1;
		emit('same', a.slice(snakeStartX, x));
		if (down) emit('added', b[prevY]);
		else emit('removed', a[prevX]);
		x = prevX;
		y = prevY;
	}
	emit('same', a.slice(0, x));
	return reversed.reverse();
}

export type ShownRun = DiffRun | { op: 'skipped'; count: number };

/**
 * The runs as a page shows them: a kept stretch longer than twice `context`
 * residues keeps only its ends (or only the end next to a change, at the
 * start and end of the sequence), the middle counted instead.
 */
export function collapseRuns(runs: readonly DiffRun[], context = 10): ShownRun[] {
	const out: ShownRun[] = [];
	runs.forEach((run, i) => {
		if (run.op !== 'same') {
			out.push(run);
			return;
		}
		const keepHead = i > 0 ? context : 0;
		const keepTail = i < runs.length - 1 ? context : 0;
		if (run.text.length <= keepHead + keepTail + 3) {
			out.push(run);
			return;
		}
		if (keepHead) out.push({ op: 'same', text: run.text.slice(0, keepHead) });
		out.push({ op: 'skipped', count: run.text.length - keepHead - keepTail });
		if (keepTail) out.push({ op: 'same', text: run.text.slice(run.text.length - keepTail) });
	});
	return out;
}
