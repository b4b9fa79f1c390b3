// pairwise-alignment against EMBOSS needle and water: every alignment block
// (header with length/identity/similarity/gaps/score, then the aligned
// sequences) must be byte-identical.
import { describe, expect, it } from 'vitest';
import type { PairwiseSettings } from '#lib/tools/pairwise-alignment/index.ts';
import { pairwiseAlignmentTool as tool } from '#lib/tools/runners.server.ts';
import { HEN_LYSOZYME, HUMAN_INSULIN_B } from '#lib/tools/well-known-sequences.ts';
import { emboss, randomSequence, runContext, seededRandom } from './reference.ts';

const AA = 'ACDEFGHIKLMNPQRSTVWY';
const rand = seededRandom(4242);

/** A relative of `seq`: point mutations and short insertions/deletions. */
function mutate(seq: string, alphabet: string, rate: number): string {
	let out = '';
	for (const c of seq) {
		const r = rand();
		if (r < rate / 3) continue;
		if (r < (2 * rate) / 3) out += c + randomSequence(rand, alphabet, 1 + Math.floor(rand() * 4));
		else if (r < rate) out += alphabet[Math.floor(rand() * alphabet.length)];
		else out += c;
	}
	return out || alphabet[0];
}

interface Case {
	name: string;
	query: string;
	targets: string[];
	nucleic: boolean;
}

function proteinCase(name: string): Case {
	const query = randomSequence(rand, AA, 1 + Math.floor(rand() * 300));
	const targets = [
		query,
		mutate(query, AA, 0.2),
		mutate(query, AA, 0.5),
		randomSequence(rand, AA, 1 + Math.floor(rand() * 300)),
		randomSequence(rand, AA, 1 + Math.floor(rand() * 5)),
		mutate(query.slice(Math.floor(query.length / 3)), AA, 0.1)
	];
	return { name, query, targets, nucleic: false };
}

const proteinCases: Case[] = [
	{ name: 'insulin B vs lysozyme', query: HUMAN_INSULIN_B, targets: [HEN_LYSOZYME, HUMAN_INSULIN_B, 'FVNQHLCGSHLVEALYLVCGERGFFYTPKA', 'X', 'BZXW'], nucleic: false },
	...Array.from({ length: 8 }, (_, i) => proteinCase(`random protein set ${i}`))
];
const DNA = 'ACGT';
const dnaCases: Case[] = Array.from({ length: 4 }, (_, i) => {
	const query = randomSequence(rand, DNA, 5 + Math.floor(rand() * 400));
	return {
		name: `random DNA set ${i}`,
		query,
		targets: [mutate(query, DNA, 0.15), mutate(query, 'ACGTRYN', 0.3), randomSequence(rand, DNA, 1 + Math.floor(rand() * 300)), 'N'],
		nucleic: true
	};
});

const EMBOSS_MATRIX = { BLOSUM62: 'EBLOSUM62', BLOSUM45: 'EBLOSUM45', BLOSUM80: 'EBLOSUM80', PAM250: 'EPAM250', DNAFULL: 'EDNAFULL' } as const;

/** The per-alignment blocks of an EMBOSS pair file, without the file header and trailer. */
function embossBlocks(text: string): string[] {
	return text
		.split(/^(?=#=======================================\n#\n# Aligned_sequences)/m)
		.slice(1)
		.map((b) => b.replace(/(#-+\n)+$/, '').trimEnd());
}

async function compare(c: Case, settings: Partial<PairwiseSettings>) {
	const s = tool.settingsSchema.parse(settings);
	const fasta = (prefix: string, seqs: string[]) => seqs.map((q, i) => `>${prefix}${i}\n${q}\n`).join('');
	const parsed = tool.parseInput({ fields: { query: fasta('query', [c.query]), targets: fasta('target', c.targets) } }, s);
	if (!('input' in parsed)) throw new Error(JSON.stringify((parsed as any).errors));
	const ours = await tool.run(parsed.input, s, runContext());
	const type = c.nucleic ? ['-snucleotide1', '-snucleotide2'] : ['-sprotein1', '-sprotein2'];
	const args = ['-asequence', 'a.fa', '-bsequence', 'b.fa', '-datafile', EMBOSS_MATRIX[s.matrix], '-gapopen', String(s.gapOpen), '-gapextend', String(s.gapExtend), ...type, '-outfile', 'stdout'];
	if (s.mode === 'global' && s.endGapPenalties) args.push('-endweight', '-endopen', String(s.endGapOpen), '-endextend', String(s.endGapExtend));
	const theirs = embossBlocks(emboss(s.mode === 'global' ? 'needle' : 'water', { 'a.fa': fasta('query', [c.query]), 'b.fa': fasta('target', c.targets) }, () => args));
	expect(theirs).toHaveLength(c.targets.length);
	ours.alignments.forEach((a, i) => {
		const expected = theirs[i];
		// Documented difference: water never scores the first row and column, so
		// a one-residue sequence gets -3.4e38; we report the best cell's score.
		if (s.mode === 'local' && /# Score: -3402823466385288/.test(expected)) {
			expect(Math.min(c.query.length, c.targets[i].length)).toBe(1);
			const withoutScore = (t: string) => t.replace(/# Score: .*/, '');
			expect(withoutScore(a.pair.trimEnd()), `${c.name}, target ${i}`).toBe(withoutScore(expected));
			expect(a.score).toBeGreaterThan(-1e30);
			return;
		}
		expect(a.pair.trimEnd(), `${c.name}, target ${i}`).toBe(expected);
	});
	// The table repeats the score, counts and percentages of the pair text, rounded the same way.
	ours.table.rows.forEach((row, i) => {
		expect(row.score).toBeCloseTo(ours.alignments[i].score, 3);
		expect(tablePercents(row), `${c.name}, target ${i}`).toEqual(pairPercents(ours.alignments[i].pair));
	});
	return ours;
}

/** Identity, similarity and gaps as the pair text prints them ("(56.2%)"). */
function pairPercents(pair: string): number[] {
	return ['Identity', 'Similarity', 'Gaps'].map((label) => {
		const m = new RegExp(`^# ${label}: +\\d+/\\d+ \\( *([0-9.]+)%\\)$`, 'm').exec(pair);
		return m ? Number(m[1]) : 0;
	});
}

const tablePercents = (row: Record<string, unknown>) => [row.identity_pct, row.similarity_pct, row.gaps_pct];

const proteinSettings: Array<Partial<PairwiseSettings>> = [
	{ matrix: 'BLOSUM62', gapOpen: 10, gapExtend: 0.5 },
	{ matrix: 'BLOSUM45', gapOpen: 14, gapExtend: 2 },
	{ matrix: 'BLOSUM80', gapOpen: 5, gapExtend: 0.25 },
	{ matrix: 'PAM250', gapOpen: 12.5, gapExtend: 1.5 }
];

describe('pairwise-alignment vs EMBOSS', () => {
	it('rounds an exact tie in the table as in the alignment text, as EMBOSS does (1 gap in 80 columns is 1.2 %)', async () => {
		const query = randomSequence(seededRandom(80), AA, 80);
		const target = query.slice(0, 40) + query.slice(41);
		const ours = await compare({ name: 'one deletion in 80', query, targets: [target], nucleic: false }, { mode: 'global' });
		expect(ours.table.rows[0]).toMatchObject({ length: 80, gaps: 1, gaps_pct: 1.2, identity: 79, identity_pct: 98.8 });
	});

	it('scores local alignments of sequences with no positive pair exactly as water does', async () => {
		// In BLOSUM62 W, P, D and G score at most 0 against each other: every
		// 2- and 3-residue query over some of them against every target over
		// the others. water's score is then its best (negative) cell, which
		// need not be the pair it prints: WW against PG scores -2, its W/P -4.
		const words = (letters: string, n: number): string[] => (n === 0 ? [''] : words(letters, n - 1).flatMap((w) => [...letters].map((c) => w + c)));
		const upTo3 = (letters: string) => [...words(letters, 2), ...words(letters, 3)];
		for (const [queryLetters, targetLetters] of [['WP', 'DG'], ['W', 'PDG'], ['DG', 'WP'], ['G', 'WPD']]) {
			for (const query of upTo3(queryLetters)) {
				const ours = await compare({ name: `no positive pair: ${query}`, query, targets: upTo3(targetLetters), nucleic: false }, { mode: 'local' });
				expect(Math.max(...ours.alignments.map((a) => a.score))).toBeLessThanOrEqual(0);
			}
		}
		const wwPg = await compare({ name: 'WW against PG', query: 'WW', targets: ['PG'], nucleic: false }, { mode: 'local' });
		expect(wwPg.alignments[0]).toMatchObject({ score: -2, query: 'W', subject: 'P' });
	});

	for (const mode of ['global', 'local'] as const) {
		for (const settings of proteinSettings) {
			it(`${mode}, ${settings.matrix} ${settings.gapOpen}/${settings.gapExtend}: ${proteinCases.length} protein queries, ${proteinCases.reduce((n, c) => n + c.targets.length, 0)} pairs`, async () => {
				for (const c of proteinCases) await compare(c, { mode, ...settings });
			});
		}
		it(`${mode}, DNAFULL: ${dnaCases.length} DNA queries`, async () => {
			for (const c of dnaCases) await compare(c, { mode, matrix: 'DNAFULL', gapOpen: 10, gapExtend: 0.5 });
		});
	}
	it('global with end-gap penalties (needle -endweight)', async () => {
		for (const c of proteinCases) await compare(c, { mode: 'global', endGapPenalties: true, endGapOpen: 10, endGapExtend: 0.5 });
		for (const c of proteinCases.slice(0, 3)) await compare(c, { mode: 'global', matrix: 'BLOSUM45', endGapPenalties: true, endGapOpen: 5, endGapExtend: 1 });
	});
});
