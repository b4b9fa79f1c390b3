import { describe, expect, it } from 'vitest';
import { settingLabel, settingValue, summarizeInput } from '#lib/components/job-detail/input-summary.ts';
import { cachedLoader } from '#lib/components/results/file-text.ts';
import { attachmentDisposition, decodeBytea } from '#lib/jobs/job-view.ts';

const bytes = (n: number) => `${n} B`;

describe('file content from PostgREST', () => {
	it('decodes hex bytea', () => {
		expect(new TextDecoder().decode(decodeBytea('\\x69642c706f736974696f6e0a'))).toBe('id,position\n');
		expect(decodeBytea('\\x')).toEqual(new Uint8Array());
		expect([...decodeBytea('\\xFF00')]).toEqual([255, 0]);
	});

	it('refuses anything else', () => {
		expect(() => decodeBytea('hello')).toThrow(/hex bytea/);
		expect(() => decodeBytea('\\x6')).toThrow();
		expect(() => decodeBytea('\\xzz')).toThrow(/not valid hex/);
	});

	it('names downloads safely, keeping the exact UTF-8 name', () => {
		expect(attachmentDisposition('hydropathy.csv')).toBe(`attachment; filename="hydropathy.csv"; filename*=UTF-8''hydropathy.csv`);
		expect(attachmentDisposition('Ångström "x".pdb')).toBe(`attachment; filename="_ngstr_m _x_.pdb"; filename*=UTF-8''%C3%85ngstr%C3%B6m%20%22x%22.pdb`);
		expect(attachmentDisposition("it's (1).fasta")).toContain(`filename*=UTF-8''it%27s%20%281%29.fasta`);
	});
});

describe('input summary', () => {
	it('shows sequences as FASTA, cutting long ones', () => {
		const s = summarizeInput({ sequences: [{ id: 'P1', description: 'demo', sequence: 'M'.repeat(1000) }] }, bytes);
		expect(s.headline).toBe('1 sequence');
		expect(s.blocks[0].text.split('\n')[0]).toBe('>P1 demo');
		expect(s.blocks[0].text).toContain('(1,000 residues)');
	});

	it('shows a pairwise query and targets', () => {
		const s = summarizeInput({ query: { id: 'q', sequence: 'AC' }, targets: [{ id: 't1', sequence: 'AC' }, { id: 't2', sequence: 'AG' }] }, bytes);
		expect(s.headline).toBe('1 query, 2 targets');
		expect(s.blocks.map((b) => b.heading)).toEqual(['Query (FASTA)', 'Targets (FASTA)']);
	});

	it('shows molecules, structures and docking inputs', () => {
		expect(summarizeInput({ molecules: [{ id: 'aspirin', smiles: 'CC(=O)Oc1ccccc1C(=O)O' }] }, bytes).blocks[0].text).toBe('CC(=O)Oc1ccccc1C(=O)O aspirin');
		const st = summarizeInput({ structures: [{ name: '1crn', format: 'pdb', content: 'ATOM' }] }, bytes);
		expect(st.items).toEqual([{ name: '1crn', detail: 'PDB, 4 B' }]);
		const dock = summarizeInput({ receptor: { name: '1iep', text: 'ATOM  ' }, ligands: [{ name: 'x', smiles: 'CCO' }], box: { mode: 'manual' } }, bytes);
		expect(dock.headline).toBe('1 receptor, 1 ligand');
	});

	it('falls back to JSON for anything else', () => {
		expect(summarizeInput({ weird: 1 }, bytes).blocks[0].heading).toBe('Input (JSON)');
	});

	it('labels settings readably', () => {
		expect(settingLabel('hydropathyWindow')).toBe('Hydropathy window');
		expect(settingLabel('num_modes')).toBe('Num modes');
		expect(settingLabel('pH')).toBe('pH');
		expect(settingValue(true)).toBe('Yes');
		expect(settingValue({ a: 1 })).toBe('{"a":1}');
	});
});

describe('cachedLoader', () => {
	it('reads each file once, and again after a failure', async () => {
		let calls = 0;
		let fail = true;
		const load = cachedLoader(async (id) => {
			calls++;
			if (fail) throw new Error('offline');
			return `text of ${id}`;
		});
		await expect(load('a')).rejects.toThrow('offline');
		fail = false;
		expect(await load('a')).toBe('text of a');
		expect(await load('a')).toBe('text of a');
		expect(calls).toBe(2);
	});
});
