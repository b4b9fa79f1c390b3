import { describe, expect, it } from 'vitest';
import { parseResult } from '#lib/components/results/parse.ts';

const table = { columns: [{ key: 'id', label: 'ID', type: 'string' as const }], rows: [{ id: 'P1' }] };

describe('parseResult', () => {
	it('reads a protein-properties result with its hydropathy profiles', () => {
		const raw = { table, hydropathy: [{ id: 'P1', window: 9, positions: [5, 6], values: [0.4, -1.2] }], hydropathyOmitted: 0 };
		const { result, problem } = parseResult('protein-properties', raw);
		expect(problem).toBeNull();
		expect(result.kind).toBe('protein-properties');
		if (result.kind !== 'protein-properties') throw new Error('kind');
		expect(result.hydropathy[0].values).toEqual([0.4, -1.2]);
	});

	it('reads structure-analysis angles with missing phi/psi as null', () => {
		const raw = {
			table,
			chains: [{ structure: '1crn', chain: 'A', residues: [{ name: 'THR', seq: 1, icode: '', phi: null, psi: 152.1, ss: null }] }],
			fasta: '>1crn_A\nTT\n',
			secondaryStructureUnavailable: [],
			notices: []
		};
		const { result } = parseResult('structure-analysis', raw);
		expect(result.kind).toBe('structure-analysis');
	});

	it('reads docking and structure-prediction results', () => {
		const docking = {
			table,
			box: { center: [1, 2, 3], size: [20, 20, 20], source: 'manual' },
			ligands: [{ name: 'imatinib', best_affinity_kcal_mol: -11.2, poses: 9, heavy_atoms: 37, torsions: 7, files: { sdf: 'imatinib_poses.sdf', pdb: 'a.pdb', pdbqt: 'a.pdbqt', prepared: 'b.pdbqt' } }],
			files: [],
			notes: [],
			programs: { vina: '1.2.5', obabel: '3.1.1' },
			vina_commands: []
		};
		expect(parseResult('docking', docking).result.kind).toBe('docking');
		expect(parseResult('structure-prediction', { table, plddt: [{ id: 'x', plddt: [90.5, 45] }] }).result.kind).toBe('structure-prediction');
	});

	it('keeps the table when the extras do not match, and says so', () => {
		const { result, problem } = parseResult('protein-properties', { table, hydropathy: 'not a list' });
		expect(result.kind).toBe('table');
		expect(problem).toMatch(/could not be drawn/);
	});

	it('shows any tool it does not know as its table', () => {
		expect(parseResult('gpu-selftest', { table, checks: 3 })).toEqual({ result: { kind: 'table', table }, problem: null });
	});

	it('falls back to the raw value without a table, and to nothing for no result', () => {
		expect(parseResult('protein-properties', { rows: [] }).result).toEqual({ kind: 'raw', value: { rows: [] } });
		expect(parseResult('protein-properties', null)).toEqual({ result: { kind: 'raw', value: null }, problem: null });
	});

	it('refuses cells that are not scalars', () => {
		const bad = { table: { columns: table.columns, rows: [{ id: { nested: true } }] } };
		expect(parseResult('gpu-selftest', bad).result.kind).toBe('raw');
	});

	it('reads a 10,000-row table', () => {
		const columns = Array.from({ length: 40 }, (_, k) => ({ key: `c${k}`, label: `C${k}`, type: 'number' as const }));
		const rows = Array.from({ length: 10_000 }, (_, i) => Object.fromEntries(columns.map((c, k) => [c.key, i * k])));
		const { result } = parseResult('gpu-selftest', { table: { columns, rows } });
		expect(result.kind === 'table' && result.table.rows.length).toBe(10_000);
	});
});
