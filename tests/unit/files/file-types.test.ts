import { describe, expect, it } from 'vitest';
import { fileTypeFilter, fileTypeOf, previewKindOf } from '../../../src/lib/files/file-types.ts';

describe('file types', () => {
	it('reads the type from the media type the worker gave', () => {
		expect(fileTypeOf({ name: 'hydropathy.csv', media_type: 'text/csv' })).toBe('csv');
		expect(fileTypeOf({ name: 'orfs.fasta', media_type: 'text/x-fasta' })).toBe('fasta');
		expect(fileTypeOf({ name: 'model_1.pdb', media_type: 'chemical/x-pdb' })).toBe('pdb');
		expect(fileTypeOf({ name: 'poses.sdf', media_type: 'chemical/x-mdl-sdfile' })).toBe('sdf');
		expect(fileTypeOf({ name: 'x', media_type: 'text/csv; charset=utf-8' })).toBe('csv');
	});

	it('falls back to the extension when the media type is generic, and to text for other text', () => {
		expect(fileTypeOf({ name: '1CRN.cif', media_type: 'application/octet-stream' })).toBe('mmcif');
		expect(fileTypeOf({ name: 'ligands.SMI', media_type: 'application/octet-stream' })).toBe('smiles');
		expect(fileTypeOf({ name: 'notes.md', media_type: 'text/markdown' })).toBe('text');
		expect(fileTypeOf({ name: 'blob.bin', media_type: 'application/octet-stream' })).toBe('other');
	});

	it('picks the preview that fits each type', () => {
		expect(previewKindOf('csv')).toBe('table');
		expect(previewKindOf('fasta')).toBe('text');
		expect(previewKindOf('mmcif')).toBe('structure');
		expect(previewKindOf('smiles')).toBe('molecule');
		expect(previewKindOf('other')).toBe('none');
	});

	it('filters by media type or extension, quoting what PostgREST would split on', () => {
		expect(fileTypeFilter('csv')).toBe('media_type.in.("text/csv"),name.ilike."*.csv"');
	});
});
