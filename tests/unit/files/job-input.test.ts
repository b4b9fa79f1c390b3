import { describe, expect, it } from 'vitest';
import { inputFileName, jobInputFile } from '../../../src/lib/files/job-input.ts';

describe("a job's input as a file", () => {
	it('writes a sequence tool input as FASTA, 60 residues a line', () => {
		const file = jobInputFile({
			name: 'Lysozyme run',
			tool_id: 'protein-properties',
			input: { sequences: [{ id: 'P00698', description: 'Lysozyme C', sequence: 'K'.repeat(61) }, { id: 'short one', sequence: 'MK' }] }
		});
		expect(file.name).toBe('Lysozyme run-input.fasta');
		expect(file.mediaType).toBe('text/x-fasta');
		expect(file.text).toBe(`>P00698 Lysozyme C\n${'K'.repeat(60)}\nK\n>short_one\nMK\n`);
	});

	it('puts a pairwise alignment query before its targets', () => {
		const file = jobInputFile({ name: 'pair', tool_id: 'pairwise-alignment', input: { query: { id: 'q', sequence: 'AC' }, targets: [{ id: 't', sequence: 'AG' }] } });
		expect(file.text).toBe('>q\nAC\n>t\nAG\n');
	});

	it('keeps other inputs as the JSON they are stored as', () => {
		const input = { molecules: [{ id: 'aspirin', smiles: 'CC(=O)Oc1ccccc1C(=O)O' }] };
		const file = jobInputFile({ name: 'mols', tool_id: 'molecule-properties', input });
		expect(file.name).toBe('mols-input.json');
		expect(JSON.parse(file.text)).toEqual(input);
	});

	it('makes a safe file name of any job name', () => {
		expect(inputFileName({ name: 'a/b: "c"?', tool_id: 'docking' })).toBe('a-b c-input.json');
		// Not mangled: the colon goes, the words stay as they were.
		expect(inputFileName({ name: 'API: bad SMILES', tool_id: 'molecule-properties' })).toBe('API bad SMILES-input.json');
		expect(inputFileName({ name: 'Kinase 3/4 screen', tool_id: 'docking' })).toBe('Kinase 3-4 screen-input.json');
		expect(inputFileName({ name: '***', tool_id: 'docking' })).toBe('job-input.json');
		expect(inputFileName({ name: '   ', tool_id: 'sequence-tools' })).toBe('job-input.fasta');
	});
});
