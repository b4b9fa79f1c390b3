import { describe, expect, it } from 'vitest';
import { countLines, isTextLike, previewText } from '#lib/components/results/text-preview.ts';

describe('previewText', () => {
	it('keeps a short text whole', () => {
		expect(previewText('>a\nMKV\n', 10)).toEqual({ text: '>a\nMKV', shownLines: 2, totalLines: 2, truncated: false });
	});

	it('cuts after the first lines and counts them all', () => {
		const text = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
		const p = previewText(text, 3);
		expect(p.text).toBe('line 1\nline 2\nline 3');
		expect([p.shownLines, p.totalLines, p.truncated]).toEqual([3, 100, true]);
	});

	it('cuts one very long line at the character limit', () => {
		const p = previewText('A'.repeat(50_000), 40, 1000);
		expect(p.text).toHaveLength(1000);
		expect(p.truncated).toBe(true);
	});

	it('counts lines with or without a final newline', () => {
		expect(countLines('')).toBe(0);
		expect(countLines('a')).toBe(1);
		expect(countLines('a\nb')).toBe(2);
		expect(countLines('a\nb\n')).toBe(2);
	});
});

describe('file kinds', () => {
	it('previews text, FASTA, CSV and chemical files, not binaries', () => {
		expect(isTextLike('text/csv')).toBe(true);
		expect(isTextLike('text/x-fasta')).toBe(true);
		expect(isTextLike('chemical/x-pdb')).toBe(true);
		expect(isTextLike('application/octet-stream', 'orfs.fasta')).toBe(true);
		expect(isTextLike('application/octet-stream', 'model.bin')).toBe(false);
		expect(isTextLike('image/png')).toBe(false);
	});
});
