// The CLI's reading of input files into a tool's input JSON: FASTA records,
// SMILES lines and SD files, structure files, .json inputs, one job or one
// per record, pairwise alignment's query and targets, --set values; and each
// unreadable file refused with what to fix.
import { describe, expect, it } from 'vitest';
import { buildInputs, fastaRecords, InputFileError, moleculeRecords, parseSettings } from '../../../cli/src/inputs.ts';
import type { ApiTool } from '../../../cli/src/client.ts';

const tool = (id: string, input_kind: ApiTool['input_kind'], items_field: string): ApiTool => ({
	id,
	name: id,
	category: 'x',
	description: '',
	compute_class: 'cpu',
	input_kind,
	items_field,
	pricing: { kind: 'free' },
	time_limit_seconds: 60,
	max_input_bytes: 1e6,
	max_items: 100,
	enabled: true
});
const proteins = tool('protein-properties', 'sequences', 'sequences');

describe('the CLI reads input files', () => {
	it('FASTA: ids, descriptions, wrapped sequences joined; a bare sequence named after its file', () => {
		expect(fastaRecords({ name: 'a.fasta', text: '>p1 first one\nMKT\nAYI\n\n>p2\nGG G1 0\n' })).toEqual([
			{ id: 'p1', sequence: 'MKTAYI', description: 'first one' },
			{ id: 'p2', sequence: 'GGG' }
		]);
		expect(fastaRecords({ name: 'dir/lysozyme.txt', text: 'KVFGRC\nELAAAM\n' })).toEqual([{ id: 'lysozyme', sequence: 'KVFGRCELAAAM' }]);
		expect(() => fastaRecords({ name: 'x.fasta', text: '>\nMKT' })).toThrow("x.fasta line 1: a FASTA header needs an id after '>'");
	});

	it('one job of all records, or one per record', () => {
		const files = [{ name: 'a.fasta', text: '>p1\nMKT\n>p2\nAYI\n' }];
		expect(buildInputs(proteins, files, false)).toEqual([{ input: { sequences: [{ id: 'p1', sequence: 'MKT' }, { id: 'p2', sequence: 'AYI' }] }, label: 'a.fasta' }]);
		expect(buildInputs(proteins, files, true)).toEqual([
			{ input: { sequences: [{ id: 'p1', sequence: 'MKT' }] }, label: 'p1' },
			{ input: { sequences: [{ id: 'p2', sequence: 'AYI' }] }, label: 'p2' }
		]);
	});

	it("pairwise alignment: the first record is the query, the rest its targets (per record: a job per target)", () => {
		const pairwise = tool('pairwise-alignment', 'sequences', 'targets');
		const files = [{ name: 'a.fasta', text: '>q\nMKT\n>t1\nMKS\n>t2\nMKA\n' }];
		expect(buildInputs(pairwise, files, false)[0].input).toEqual({ query: { id: 'q', sequence: 'MKT' }, targets: [{ id: 't1', sequence: 'MKS' }, { id: 't2', sequence: 'MKA' }] });
		expect(buildInputs(pairwise, files, true).map((i) => i.label)).toEqual(['t1', 't2']);
		expect(() => buildInputs(pairwise, [{ name: 'q.fasta', text: '>q\nMKT\n' }], false)).toThrow('needs a query and at least one target');
	});

	it('molecules from SMILES lines (names optional, # comments skipped) and from SD files', () => {
		expect(moleculeRecords({ name: 'drugs.smi', text: '# drugs\nCCO ethanol\nc1ccccc1\n' })).toEqual([
			{ id: 'ethanol', smiles: 'CCO' },
			{ id: 'drugs_2', smiles: 'c1ccccc1' }
		]);
		const sdf = 'water\n  made\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\nM  END\n$$$$\n';
		expect(moleculeRecords({ name: 'w.sdf', text: sdf })).toEqual([{ id: 'water', molblock: sdf.replace('$$$$\n', '') }]);
	});

	it('a structure per file (mmCIF by extension); a .json file is the input itself; mixing them is refused', () => {
		const structures = tool('structure-analysis', 'structures', 'structures');
		expect(buildInputs(structures, [{ name: 'x/1abc.cif', text: 'data_1abc' }], false)[0].input).toEqual({ structures: [{ name: '1abc', format: 'mmcif', content: 'data_1abc' }] });
		expect(buildInputs(proteins, [{ name: 'in.json', text: '{"sequences": []}' }], false)).toEqual([{ input: { sequences: [] }, label: 'in' }]);
		expect(() => buildInputs(proteins, [{ name: 'in.json', text: '[1]' }], false)).toThrow('must hold a JSON object');
		expect(() => buildInputs(proteins, [{ name: 'in.json', text: '{' }], false)).toThrow('in.json is not JSON');
		expect(() => buildInputs(proteins, [{ name: 'in.json', text: '{}' }, { name: 'a.fasta', text: '>a\nM' }], false)).toThrow('not both');
		const docking = tool('docking', 'structures', 'ligands');
		expect(() => buildInputs(docking, [{ name: 'r.pdb', text: 'ATOM' }], false)).toThrow('give its input as a .json file');
		expect(() => buildInputs(proteins, [{ name: 'empty.fasta', text: '\n' }], false)).toThrow(InputFileError);
	});

	it('--set values: numbers, booleans and JSON as such, anything else as text; key=value required', () => {
		expect(parseSettings(['pH=7.4', 'translate=false', 'frames="1"', 'matrix=BLOSUM62', 'note=a=b'])).toEqual({ pH: 7.4, translate: false, frames: '1', matrix: 'BLOSUM62', note: 'a=b' });
		expect(() => parseSettings(['pH'])).toThrow('--set takes key=value, not "pH"');
		expect(() => parseSettings(['=1'])).toThrow('--set takes key=value');
	});
});
