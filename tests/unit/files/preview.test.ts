import { describe, expect, it } from 'vitest';
import { previewOf, TEXT_PREVIEW_BYTES, VIEWER_MAX_BYTES } from '../../../src/lib/files/preview.ts';
import { moleculesOf, structureStyle } from '../../../src/lib/files/molecule-records.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('file previews', () => {
	it('shows the first 256 KiB of a long text file and says so', () => {
		const line = 'ACDEFGHIKLMNPQRSTVWY'.repeat(3) + '\n';
		const text = '>big\n' + line.repeat(Math.ceil((TEXT_PREVIEW_BYTES * 2) / line.length));
		const p = previewOf('big.fasta', 'fasta', bytes(text));
		expect(p.kind).toBe('text');
		expect(p.truncated).toBe(true);
		expect(p.shownBytes).toBeLessThanOrEqual(TEXT_PREVIEW_BYTES);
		expect(p.text.endsWith('\n')).toBe(true);
		expect(p.totalBytes).toBe(bytes(text).length);
	});

	it('gives a viewer the whole structure, and text past the viewer limit', () => {
		const small = previewOf('m.pdb', 'pdb', bytes('ATOM      1  CA  GLY A   1       0.000   0.000   0.000  1.00 90.00           C\n'));
		expect(small).toMatchObject({ kind: 'structure', truncated: false, reason: null });
		const big = previewOf('big.pdb', 'pdb', new Uint8Array(VIEWER_MAX_BYTES + 1).fill(0x41));
		expect(big.kind).toBe('text');
		expect(big.reason).toMatch(/too large for the 3D viewer/);
	});

	it('shows the start of a file read with a Range request, cut at a line end, and says how large the file is', () => {
		const head = bytes('>seq1\nACDEFG\n>seq2\nACD');
		const p = previewOf('huge.fasta', 'fasta', head, 300 * 1024 * 1024);
		expect(p).toMatchObject({ kind: 'text', text: '>seq1\nACDEFG\n>seq2\n', truncated: true, totalBytes: 300 * 1024 * 1024 });
		// A structure's start is no structure: text, saying why.
		expect(previewOf('huge.pdb', 'pdb', bytes('ATOM\nATOM\n'), 50 * 1024 * 1024)).toMatchObject({ kind: 'text', reason: expect.stringMatching(/too large for the 3D viewer/) });
	});

	it('refuses to show binary content as text', () => {
		expect(previewOf('x.bin', 'other', new Uint8Array([1, 0, 2]))).toMatchObject({ kind: 'none', reason: expect.stringMatching(/binary/) });
	});

	it('finds the molecules of SDF and SMILES files, named', () => {
		const sdf = 'aspirin\n  RDKit\n\n  0  0  0  0  0  0  0  0  0  0999 V2000\nM  END\n$$$$\nethanol\n\n\n  0  0  0  0  0  0  0  0  0  0999 V2000\nM  END\n$$$$\n';
		expect(moleculesOf(sdf, 'sdf').map((m) => m.id)).toEqual(['aspirin', 'ethanol']);
		expect(moleculesOf('smiles name\nCCO ethanol\n# note\nc1ccccc1\n', 'smiles')).toEqual([
			{ id: 'ethanol', structure: 'CCO' },
			{ id: 'Molecule 2', structure: 'c1ccccc1' }
		]);
	});

	it('draws proteins as cartoons and backbone-less structures as sticks', () => {
		expect(structureStyle('ATOM      2  CA  GLY A   1       0.000   0.000   0.000\n', 'pdb')).toBe('cartoon');
		expect(structureStyle('HETATM    1  C1  LIG A   1       0.000   0.000   0.000\n', 'pdb')).toBe('ligand');
	});
});
