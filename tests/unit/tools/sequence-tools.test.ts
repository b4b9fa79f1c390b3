// sequence-tools against EMBOSS revseq, transeq and getorf (Debian's emboss).
import { describe, expect, it } from 'vitest';
import { sequenceToolsTool as tool } from '#lib/tools/runners.server.ts';
import type { SequenceToolsSettings } from '#lib/tools/sequence-tools/index.ts';
import { emboss, randomSequence, runContext, seededRandom } from './reference.ts';

const rand = seededRandom(777);
// Mostly unambiguous bases, some IUPAC codes, so stops, starts and ambiguous codons all occur.
const BASES = 'ACGTACGTACGTACGTACGTACGTRYSWKMBDHVN';
const records = [
	'ATGAAACCCGGGTTTTAGCATGCATGCNNATGATAGRYATGCCCCCCCCCCCCCCCCCCCCCCCCCCCCTGAAA',
	'A',
	'AC',
	'ACGU',
	'TTATTGCTGATGTAGTAATGA',
	...Array.from({ length: 60 }, () => randomSequence(rand, BASES, 1 + Math.floor(rand() * 900))),
	...Array.from({ length: 20 }, () => randomSequence(rand, 'ACGT', 500 + Math.floor(rand() * 3000))),
	// Soft-masked (lower-case) stretches, as genome FASTA has them: revseq and
	// getorf's nucleotide output keep each base's case, transeq reads through it.
	'atgAAACCCgggTTTtagCATGcatgcNNatgATAGryATGcccccccccCCCCCCCCCCcccccccctgaaa',
	'acgu',
	...Array.from({ length: 10 }, () => softMasked(randomSequence(rand, BASES, 30 + Math.floor(rand() * 900))))
];

/** Lower-cases random stretches of a sequence. */
function softMasked(seq: string): string {
	let out = '';
	let lower = false;
	for (const c of seq) {
		if (rand() < 0.05) lower = !lower;
		out += lower ? c.toLowerCase() : c;
	}
	return out;
}
const fasta = records.map((s, i) => `>seq${i} random record ${i}\n${s}\n`).join('');

async function ours(settings: Partial<SequenceToolsSettings>) {
	const parsed = tool.parseInput({ text: fasta });
	if (!('input' in parsed)) throw new Error('parse failed');
	return tool.run(parsed.input, tool.settingsSchema.parse(settings), runContext());
}

describe(`sequence-tools vs EMBOSS on ${records.length} sequences`, () => {
	it('reverse complement is identical to revseq', async () => {
		const r = await ours({ translate: false, findOrfs: false });
		expect(r.fasta.reverseComplement).toBe(emboss('revseq', { 'in.fa': fasta }, () => ['in.fa', 'stdout']));
	});

	for (const table of [1, 2, 3, 4, 5, 11]) {
		it(`translation in all six frames with genetic code ${table} is identical to transeq`, async () => {
			const r = await ours({ reverseComplement: false, findOrfs: false, frames: '6', geneticCode: table });
			expect(r.fasta.translations).toBe(emboss('transeq', { 'in.fa': fasta }, () => ['in.fa', 'stdout', '-frame', '6', '-table', String(table)]));
		});
	}

	for (const frames of ['1', '-2', 'F', 'R'] as const) {
		it(`translation of frames ${frames} is identical to transeq`, async () => {
			const r = await ours({ reverseComplement: false, findOrfs: false, frames });
			expect(r.fasta.translations).toBe(emboss('transeq', { 'in.fa': fasta }, () => ['in.fa', 'stdout', '-frame', frames]));
		});
	}

	const orfCases: Array<{ settings: Partial<SequenceToolsSettings>; args: string[] }> = [
		{ settings: { orfMode: 'stop-to-stop', orfMinLength: 30 }, args: ['-find', '0', '-minsize', '30', '-table', '0'] },
		{ settings: { orfMode: 'start-to-stop', orfMinLength: 30 }, args: ['-find', '1', '-minsize', '30', '-table', '0'] },
		{ settings: { orfMode: 'start-to-stop', orfMinLength: 6, orfStartCodons: 'code' }, args: ['-find', '1', '-minsize', '6', '-table', '1'] },
		{ settings: { orfMode: 'start-to-stop', orfMinLength: 60, geneticCode: 11, orfStartCodons: 'code' }, args: ['-find', '1', '-minsize', '60', '-table', '11'] },
		{ settings: { orfMode: 'start-to-stop', orfMinLength: 30, geneticCode: 2, orfStartCodons: 'code', orfMethionine: false }, args: ['-find', '1', '-minsize', '30', '-table', '2', '-nomethionine'] },
		{ settings: { orfMode: 'stop-to-stop', orfOutput: 'nucleotide', orfMinLength: 90, geneticCode: 4, orfStartCodons: 'code' }, args: ['-find', '2', '-minsize', '90', '-table', '4'] },
		{ settings: { orfMode: 'start-to-stop', orfOutput: 'nucleotide', orfMinLength: 30, orfMaxLength: 300 }, args: ['-find', '3', '-minsize', '30', '-maxsize', '300', '-table', '0'] },
		{ settings: { orfMode: 'start-to-stop', orfMinLength: 30, orfBothStrands: false, geneticCode: 5, orfStartCodons: 'code' }, args: ['-find', '1', '-minsize', '30', '-table', '5', '-noreverse'] },
		{ settings: { orfMode: 'stop-to-stop', orfMinLength: 3, geneticCode: 3, orfStartCodons: 'code' }, args: ['-find', '0', '-minsize', '3', '-table', '3'] }
	];
	for (const { settings, args } of orfCases) {
		it(`ORFs are identical to getorf ${args.join(' ')}`, async () => {
			const r = await ours({ reverseComplement: false, translate: false, ...settings });
			expect(r.fasta.orfs!.length).toBeGreaterThan(0);
			expect(r.fasta.orfs).toBe(emboss('getorf', { 'in.fa': fasta }, () => ['in.fa', 'stdout', ...args]));
		});
	}

	it('reads RNA (U) as DNA and keeps the case of each base, like EMBOSS revseq', async () => {
		const parsed = tool.parseInput({ text: '>r\r\nacgu uuAG\r\n' });
		if (!('input' in parsed)) throw new Error('parse failed');
		const r = await tool.run(parsed.input, tool.settingsSchema.parse({ findOrfs: false }), runContext());
		expect(r.fasta.reverseComplement).toBe('>r Reversed:\nCTaaacgt\n');
		expect(r.fasta.reverseComplement).toBe(emboss('revseq', { 'in.fa': '>r\nacguuuAG\n' }, () => ['in.fa', 'stdout']));
		expect(r.table.rows[0].sequence).toBe('CTaaacgt');
		expect(r.fasta.translations).toBe('>r_1\nTFX\n');
	});

	it('names a wrong letter in lower-case input as it was typed', () => {
		const parsed = tool.parseInput({ text: '>p\nacgtacgtacgtacgtacgtjacgt\n' });
		expect(parsed).toEqual({ ok: false, errors: [{ record: 'p', position: 21, message: "'j' is not a nucleotide code (A C G T U or IUPAC ambiguity)" }] });
	});
});
