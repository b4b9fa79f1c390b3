import { describe, expect, it } from 'vitest';
import { describeBox, settingLabel, settingValue, summarizeInput } from '#lib/components/job-detail/input-summary.ts';
import { cachedLoader } from '#lib/components/results/file-text.ts';

const bytes = (n: number) => `${n} B`;

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

	it('says where the docking search box is in words, not JSON', () => {
		const dock = summarizeInput(
			{ receptor: { name: '1iep', text: 'ATOM  ' }, ligands: [{ name: 'x', smiles: 'CCO' }], box: { mode: 'manual', center: [12.5, -3, 8], size: [20, 22.25, 18] } },
			bytes
		);
		expect(dock.blocks.find((b) => b.heading === 'Search box')?.text).toBe('Centre (x, y, z) (12.5, -3, 8) Å, size 20 × 22.25 × 18 Å');
		expect(describeBox({ mode: 'ligand', resname: 'STI', chain: 'A', resnum: 201, padding: 4 })).toBe('Around the bound ligand STI (chain A, residue 201), with 4 Å of padding');
		expect(describeBox({ mode: 'ligand', resname: 'STI' })).toBe('Around the bound ligand STI');
		expect(describeBox({ mode: 'residues', residues: ['A:315'], padding: 6 })).toBe('Around residue A:315, with 6 Å of padding');
		expect(describeBox({ mode: 'residues', residues: ['A:315', 'A:318'], padding: 6 })).toBe('Around residues A:315, A:318, with 6 Å of padding');
		for (const box of [{ mode: 'manual', center: [1, 2, 3], size: [4, 5, 6] }, { mode: 'residues', residues: ['A:1'] }]) expect(describeBox(box)).not.toMatch(/[{}"]/);
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
