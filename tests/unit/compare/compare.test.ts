// The compare page's pure parts: its address, the settings side by side
// (defaults filled from the tool's schema), inputs record by record, results
// aligned by each tool's record key with deltas, and the overlaid plots.
import { describe, expect, it } from 'vitest';
import { compareLink, parseCompareIds } from '#lib/compare/compare-ids.ts';
import { compareInputs, inputRecords } from '#lib/compare/input-diff.ts';
import { comparisonPlots, overlayById } from '#lib/compare/plots.ts';
import { compareResults } from '#lib/compare/result-align.ts';
import { compareSettings } from '#lib/compare/settings-diff.ts';

const A = '0b9f3c4e-7d1a-4c2b-9e8f-1a2b3c4d5e6f';
const B = '1c8e2d3f-6a5b-4d4c-8f7e-2b3c4d5e6f70';
const C = '2d7f1e2a-5b4c-4e3d-9a6f-3c4d5e6f7081';
const D = '3e6a0f1b-4c3d-4f2e-8b5a-4d5e6f708192';
const E = '4f5b9a0c-3d2e-4a1f-9c4b-5e6f708192a3';

describe('compare ids', () => {
	it('keeps well-formed ids in order, drops repeats, reports junk and caps at four', () => {
		expect(parseCompareIds(`${A}, ${B.toUpperCase()},${A},nope,,${C}`)).toEqual({ ids: [A, B, C], malformed: ['nope'], truncated: false });
		expect(parseCompareIds([A, B, C, D, E].join(','))).toEqual({ ids: [A, B, C, D], malformed: [], truncated: true });
		expect(parseCompareIds(null)).toEqual({ ids: [], malformed: [], truncated: false });
		expect(compareLink([A, B])).toBe(`/app/compare?ids=${A},${B}`);
	});
});

describe('compareSettings', () => {
	it('fills the defaults in and marks only the settings that differ, labelled as the form labels them', () => {
		const rows = compareSettings('protein-properties', [{}, { pH: 5 }]);
		const ph = rows.find((r) => r.key === 'pH');
		expect(ph).toMatchObject({ shown: ['7', '5'], differs: true });
		expect(ph?.label).toMatch(/pH/);
		const others = rows.filter((r) => r.key !== 'pH');
		expect(others.length).toBeGreaterThan(0);
		expect(others.every((r) => !r.differs)).toBe(true);
	});

	it('treats a stored default and an omitted one as the same, and shows option labels', () => {
		const rows = compareSettings('pairwise-alignment', [{ mode: 'global' }, {}, { mode: 'local' }]);
		const mode = rows.find((r) => r.key === 'mode');
		expect(mode?.differs).toBe(true);
		expect(mode?.shown[0]).toBe(mode?.shown[1]);
		expect(rows.find((r) => r.key === 'matrix')?.differs).toBe(false);
		expect(compareSettings('pairwise-alignment', [{ mode: 'global' }, {}]).some((r) => r.differs)).toBe(false);
	});
});

describe('compareInputs', () => {
	it('matches sequences by id, diffs the changed ones and notes the missing', () => {
		const rows = compareInputs([
			{ sequences: [{ id: 'a', sequence: 'MKTAYIAK' }, { id: 'b', sequence: 'GGGG' }] },
			{ sequences: [{ id: 'a', sequence: 'mktvyiak\n' }, { id: 'c', sequence: 'WW' }] }
		]);
		expect(rows.map((r) => [r.key, r.cells.map((c) => c.state), r.differs])).toEqual([
			['sequence:a', ['same', 'changed'], true],
			['sequence:b', ['same', 'missing'], true],
			['sequence:c', ['missing', 'added'], true]
		]);
		expect(rows[0].cells[1].diff?.runs.map((r) => r.op)).toEqual(['same', 'removed', 'added', 'same']);
	});

	it('sees identical inputs as the same, whatever the case and line breaks', () => {
		const rows = compareInputs([{ sequences: [{ id: 'x', sequence: 'MKV\nLA' }] }, { sequences: [{ id: 'x', sequence: 'mkvla' }] }]);
		expect(rows.map((r) => r.differs)).toEqual([false]);
	});

	it('reads every tool input shape as named records', () => {
		expect(inputRecords({ query: { id: 'q', sequence: 'MK' }, targets: [{ id: 't1', sequence: 'MV' }] }).map((r) => [r.key, r.kind])).toEqual([
			['query', 'sequence'],
			['target:t1', 'sequence']
		]);
		expect(inputRecords({ molecules: [{ id: 'aspirin', smiles: 'CC(=O)O' }] }).map((r) => [r.key, r.text])).toEqual([['molecule:aspirin', 'CC(=O)O']]);
		expect(inputRecords({ structures: [{ name: '1crn', format: 'pdb', content: 'ATOM' }] }).map((r) => [r.key, r.kind])).toEqual([['structure:1crn', 'text']]);
		const docking = inputRecords({ receptor: { name: 'abl', text: 'ATOM' }, ligands: [{ name: 'imatinib', smiles: 'C' }], box: { mode: 'ligand', resname: 'STI' } });
		expect(docking.map((r) => r.key)).toEqual(['receptor', 'ligand:imatinib', 'field:box']);
		// A long sequence stored as a file reference is compared as that reference.
		expect(inputRecords({ sequences: [{ id: 'big', sequence: { $file: 'big.fasta' } }] })[0]).toMatchObject({ kind: 'value', text: '{"$file":"big.fasta"}' });
	});
});

const ppTable = (pH: number, rows: Array<Record<string, unknown>>) => ({
	table: {
		columns: [
			{ key: 'id', label: 'ID', type: 'string' },
			{ key: 'average_mass', label: 'Average mass', type: 'number', unit: 'Da' },
			{ key: 'pi', label: 'Theoretical pI', type: 'number' },
			{ key: 'charge', label: `Net charge at pH ${pH}`, type: 'number' },
			{ key: 'stability', label: 'Stability', type: 'string' }
		],
		rows
	}
});

describe('compareResults', () => {
	it('aligns records by id with deltas against the first job', () => {
		const cmp = compareResults('protein-properties', [
			ppTable(7, [
				{ id: 'lys', average_mass: 14313.1, pi: 9.32, charge: 8.5, stability: 'stable' },
				{ id: 'ins', average_mass: 5807.6, pi: 5.39, charge: -0.8, stability: 'stable' }
			]),
			ppTable(5, [
				{ id: 'ins', average_mass: 5807.6, pi: 5.39, charge: 0.4, stability: 'stable' },
				{ id: 'lys', average_mass: 14313.1, pi: 9.32, charge: 10.25, stability: 'stable' }
			])
		]);
		expect(cmp.records.map((r) => r.label)).toEqual(['lys', 'ins']);
		const charge = cmp.records[0].fields.find((f) => f.key === 'charge');
		expect(charge?.column.label).toBe('Net charge at pH 7 / Net charge at pH 5');
		expect(charge?.deltas[0]).toBeNull();
		expect(charge?.deltas[1]).toBeCloseTo(1.75, 10);
		expect(charge?.differs).toBe(true);
		const pi = cmp.records[0].fields.find((f) => f.key === 'pi');
		expect([pi?.deltas, pi?.differs]).toEqual([[null, 0], false]);
		expect(cmp.records[0].fields.find((f) => f.key === 'stability')?.differs).toBe(false);
		expect(cmp.records[0].fields.some((f) => f.key === 'id')).toBe(false);
		expect(cmp.withoutTable).toEqual([false, false]);
	});

	it('keys docking by ligand and pose, pairwise by query and target, and notes missing records and results', () => {
		const dock = (rows: Array<Record<string, unknown>>) => ({
			table: {
				columns: [
					{ key: 'ligand', label: 'Ligand', type: 'string' },
					{ key: 'mode', label: 'Mode', type: 'integer' },
					{ key: 'affinity_kcal_mol', label: 'Affinity', type: 'number', unit: 'kcal/mol' }
				],
				rows
			}
		});
		const cmp = compareResults('docking', [
			dock([
				{ ligand: 'imatinib', mode: 1, affinity_kcal_mol: -11.2 },
				{ ligand: 'imatinib', mode: 2, affinity_kcal_mol: -10.1 }
			]),
			dock([{ ligand: 'imatinib', mode: 1, affinity_kcal_mol: -11.6 }]),
			null
		]);
		expect(cmp.records.map((r) => [r.label, r.present])).toEqual([
			['imatinib · pose 1', [true, true, false]],
			['imatinib · pose 2', [true, false, false]]
		]);
		expect(cmp.records[0].fields[0].deltas[1]).toBeCloseTo(-0.4, 10);
		expect(cmp.withoutTable).toEqual([false, false, true]);

		const pair = (score: number) => ({
			table: {
				columns: [
					{ key: 'query', label: 'Query', type: 'string' },
					{ key: 'target', label: 'Target', type: 'string' },
					{ key: 'score', label: 'Score', type: 'number' }
				],
				rows: [{ query: 'q', target: 't', score }]
			}
		});
		const aligned = compareResults('pairwise-alignment', [pair(100), pair(92.5)]);
		expect(aligned.records.map((r) => [r.label, r.fields[0].deltas])).toEqual([['q · t', [null, -7.5]]]);
	});

	it('keys a tool it has no rule for by the first column, repeated keys by occurrence', () => {
		const t = (v: number) => ({ table: { columns: [{ key: 'k', label: 'K', type: 'string' }, { key: 'v', label: 'V', type: 'number' }], rows: [{ k: 'x', v }, { k: 'x', v: v + 1 }] } });
		const cmp = compareResults('test-tool', [t(1), t(2)]);
		expect(cmp.records.map((r) => [r.label, r.fields[0].deltas[1]])).toEqual([
			['x', 1],
			['x (2)', 1]
		]);
	});
});

describe('comparison plots', () => {
	it('overlays only what at least two jobs have, one entry per job', () => {
		expect(overlayById([[{ id: 'a' }, { id: 'b' }], [{ id: 'a' }], null], (x) => x.id)).toEqual([{ id: 'a', perJob: [{ id: 'a' }, { id: 'a' }, null] }]);
	});

	it('reads hydropathy, pLDDT and backbone angles from their tools’ results', () => {
		const pp = (values: number[]) => ({ ...ppTable(7, []), hydropathy: [{ id: 'lys', window: 9, positions: values.map((_, i) => i + 5), values }] });
		expect(comparisonPlots('protein-properties', [pp([0.1, 0.2]), pp([0.3, 0.4])]).hydropathy.map((o) => o.id)).toEqual(['lys']);
		const sp = { table: { columns: [], rows: [] }, plddt: [{ id: 's', plddt: [90, 80] }] };
		expect(comparisonPlots('structure-prediction', [sp, sp]).plddt).toHaveLength(1);
		const chain = (structure: string, c: string) => ({ structure, chain: c, residues: [] });
		const sa = (chains: unknown[]) => ({ table: { columns: [], rows: [] }, chains, fasta: '' });
		const rama = comparisonPlots('structure-analysis', [sa([chain('1crn', 'A'), chain('1crn', 'B')]), sa([chain('1crn', 'A')])]).ramachandran;
		expect(rama.map((o) => [o.id, o.perJob.map((p) => p?.length)])).toEqual([['1crn', [2, 1]]]);
		expect(comparisonPlots('docking', [{}, {}])).toEqual({ hydropathy: [], plddt: [], ramachandran: [] });
	});
});
