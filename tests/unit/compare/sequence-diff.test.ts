// The residue diff of the compare page: it must rebuild both sequences, be
// as short as possible (checked against a plain LCS table on random pairs),
// stay cheap on long sequences with few changes, and say when two sequences
// are too different to diff rather than hang the page.
import { describe, expect, it } from 'vitest';
import { collapseRuns, diffSequences, type DiffRun } from '#lib/compare/sequence-diff.ts';
import { HEN_LYSOZYME } from '#lib/tools/well-known-sequences.ts';

const side = (runs: DiffRun[], skip: 'added' | 'removed') =>
	runs
		.filter((r) => r.op !== skip)
		.map((r) => r.text)
		.join('');

function lcsLength(a: string, b: string): number {
	const row = new Array<number>(b.length + 1).fill(0);
	for (let i = 1; i <= a.length; i++) {
		let diag = 0;
		for (let j = 1; j <= b.length; j++) {
			const up = row[j];
			row[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(row[j], row[j - 1]);
			diag = up;
		}
	}
	return row[b.length];
}

/** A deterministic pseudo-random generator, so a failure is reproducible. */
function rng(seed: number) {
	let s = seed >>> 0;
	return () => {
		s = (s * 1664525 + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

describe('diffSequences', () => {
	it('shows a point mutation as one removed and one added residue between kept stretches', () => {
		const d = diffSequences('MKTAYIAK', 'MKTVYIAK');
		expect(d.runs).toEqual([
			{ op: 'same', text: 'MKT' },
			{ op: 'removed', text: 'A' },
			{ op: 'added', text: 'V' },
			{ op: 'same', text: 'YIAK' }
		]);
		expect([d.removed, d.added, d.tooDifferent]).toEqual([1, 1, false]);
	});

	it('shows insertions, deletions and identical sequences', () => {
		expect(diffSequences('ACGT', 'ACGGT').runs).toEqual([
			{ op: 'same', text: 'ACG' },
			{ op: 'added', text: 'G' },
			{ op: 'same', text: 'T' }
		]);
		expect(diffSequences('MKV', '').runs).toEqual([{ op: 'removed', text: 'MKV' }]);
		expect(diffSequences('', 'MKV').runs).toEqual([{ op: 'added', text: 'MKV' }]);
		expect(diffSequences('MKV', 'MKV')).toEqual({ runs: [{ op: 'same', text: 'MKV' }], removed: 0, added: 0, tooDifferent: false });
	});

	it('rebuilds both sequences with the fewest edits on 300 random pairs', () => {
		const next = rng(42);
		const alphabet = 'ACDE';
		const random = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
		for (let i = 0; i < 300; i++) {
			const a = random(Math.floor(next() * 30));
			const b = next() < 0.5 ? random(Math.floor(next() * 30)) : a.slice(0, 5) + random(3) + a.slice(9);
			const d = diffSequences(a, b);
			expect(side(d.runs, 'added'), `a of ${a} → ${b}`).toBe(a);
			expect(side(d.runs, 'removed'), `b of ${a} → ${b}`).toBe(b);
			const minimal = a.length + b.length - 2 * lcsLength(a, b);
			expect(d.removed + d.added, `edits of ${a} → ${b}`).toBe(minimal);
		}
	});

	it('diffs a 100,000-residue protein with a few changes at once, and gives up on unrelated ones', () => {
		const long = HEN_LYSOZYME.repeat(Math.ceil(100_000 / HEN_LYSOZYME.length)).slice(0, 100_000);
		const changed = `${long.slice(0, 40_000)}W${long.slice(40_001, 70_000)}${long.slice(70_010)}`;
		const d = diffSequences(long, changed);
		expect([d.removed, d.added, d.tooDifferent]).toEqual([11, 1, false]);
		expect(side(d.runs, 'removed')).toBe(changed);

		const unrelated = diffSequences('A'.repeat(3000), 'C'.repeat(3000));
		expect(unrelated).toEqual({ runs: [], removed: 3000, added: 3000, tooDifferent: true });
	});
});

describe('collapseRuns', () => {
	it('keeps the residues next to each change and counts the rest', () => {
		const d = diffSequences(`${'A'.repeat(50)}K${'C'.repeat(50)}`, `${'A'.repeat(50)}R${'C'.repeat(50)}`);
		expect(collapseRuns(d.runs, 5)).toEqual([
			{ op: 'skipped', count: 45 },
			{ op: 'same', text: 'AAAAA' },
			{ op: 'removed', text: 'K' },
			{ op: 'added', text: 'R' },
			{ op: 'same', text: 'CCCCC' },
			{ op: 'skipped', count: 45 }
		]);
		expect(collapseRuns([{ op: 'same', text: 'MKV' }], 5)).toEqual([{ op: 'same', text: 'MKV' }]);
	});
});
