// The result table: one row per chain, columns for CSV export.
import type { CellValue, ResultTable, TableColumn } from '../types.ts';
import type { ChainAnalysis } from './analyze.ts';
import { csvText } from '../../csv/cells.ts';

const round = (x: number, digits: number) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null);

const columns: TableColumn[] = [
	{ key: 'structure', label: 'Structure', type: 'string' },
	{ key: 'chain', label: 'Chain', type: 'string' },
	{ key: 'kind', label: 'Polymer', type: 'string' },
	{ key: 'residues', label: 'Observed residues', type: 'integer' },
	{ key: 'atoms', label: 'Polymer atoms', type: 'integer' },
	{ key: 'seqres_length', label: 'SEQRES length', type: 'integer' },
	{ key: 'missing_residues', label: 'Missing residues', type: 'integer' },
	{ key: 'missing_list', label: 'Missing residues (list)', type: 'string' },
	{ key: 'breaks', label: 'Backbone breaks', type: 'integer' },
	{ key: 'ligands', label: 'Ligands', type: 'string' },
	{ key: 'ligand_groups', label: 'Ligand groups', type: 'integer' },
	{ key: 'waters', label: 'Waters', type: 'integer' },
	{ key: 'radius_of_gyration', label: 'Radius of gyration', type: 'number', unit: 'A' },
	{ key: 'b_mean', label: 'B-factor mean', type: 'number', unit: 'A^2' },
	{ key: 'b_sd', label: 'B-factor SD', type: 'number', unit: 'A^2' },
	{ key: 'b_min', label: 'B-factor min', type: 'number', unit: 'A^2' },
	{ key: 'b_median', label: 'B-factor median', type: 'number', unit: 'A^2' },
	{ key: 'b_max', label: 'B-factor max', type: 'number', unit: 'A^2' },
	{ key: 'helix_pct', label: 'Helix (H, G, I)', type: 'number', unit: '%' },
	{ key: 'strand_pct', label: 'Strand (E, B)', type: 'number', unit: '%' },
	{ key: 'secondary_structure', label: 'DSSP', type: 'string' },
	{ key: 'seqres_sequence', label: 'SEQRES sequence', type: 'string' },
	{ key: 'observed_sequence', label: 'Observed sequence', type: 'string' }
];

function percentOf(ss: string | null, states: string): number | null {
	if (ss === null || ss.length === 0) return null;
	let n = 0;
	for (const ch of ss) if (states.includes(ch)) n++;
	return round((100 * n) / ss.length, 2);
}

const residueLabel = (m: { name: string; seq: number; icode: string }) => `${m.name}${m.seq}${m.icode}`;

export function buildRow(c: ChainAnalysis): Record<string, CellValue> {
	return {
		structure: c.structure,
		chain: c.chain,
		kind: c.kind,
		residues: c.residues,
		atoms: c.atoms,
		seqres_length: c.seqresSequence.length || null,
		missing_residues: c.missingCount,
		missing_list: c.missing ? c.missing.map(residueLabel).join(' ') : c.missingCount === 0 ? '' : null,
		breaks: c.breaks,
		ligands: c.ligands.map((l) => (l.count > 1 ? `${l.name} x${l.count}` : l.name)).join(', '),
		ligand_groups: c.ligands.reduce((s, l) => s + l.count, 0),
		waters: c.waters,
		radius_of_gyration: round(c.radiusOfGyration, 3),
		b_mean: round(c.bFactor.mean, 2),
		b_sd: round(c.bFactor.sd, 2),
		b_min: round(c.bFactor.min, 2),
		b_median: round(c.bFactor.median, 2),
		b_max: round(c.bFactor.max, 2),
		helix_pct: percentOf(c.secondaryStructure, 'HGI'),
		strand_pct: percentOf(c.secondaryStructure, 'EB'),
		secondary_structure: c.secondaryStructure,
		seqres_sequence: c.seqresSequence || null,
		observed_sequence: c.observedSequence
	};
}

export function buildTable(chains: ChainAnalysis[]): ResultTable {
	return { columns, rows: chains.map(buildRow) };
}

/** Per-residue phi/psi and DSSP state, one row per observed amino acid: the data behind a Ramachandran plot. */
export function residuesCsv(chains: ChainAnalysis[]): string {
	const rows: unknown[][] = [['structure', 'chain', 'residue', 'number', 'insertion_code', 'phi', 'psi', 'dssp']];
	const angle = (a: number | null) => (a === null ? null : Math.round(a * 1000) / 1000);
	for (const c of chains) for (const r of c.angles) rows.push([c.structure, c.chain, r.name, r.seq, r.icode, angle(r.phi), angle(r.psi), r.ss]);
	return csvText(rows);
}
