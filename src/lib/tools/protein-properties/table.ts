// The result table: one row per sequence, columns for CSV export.
import { STANDARD_AMINO_ACIDS } from '../parse/alphabets.ts';
import type { ResultTable, TableColumn } from '../types.ts';
import type { ProteinProperties } from './compute.ts';

const round = (x: number, digits: number) => {
	const f = 10 ** digits;
	return Math.round(x * f) / f;
};

const columns: TableColumn[] = [
	{ key: 'id', label: 'ID', type: 'string' },
	{ key: 'length', label: 'Length', type: 'integer', unit: 'aa' },
	{ key: 'average_mass', label: 'Average mass', type: 'number', unit: 'Da' },
	{ key: 'monoisotopic_mass', label: 'Monoisotopic mass', type: 'number', unit: 'Da' },
	{ key: 'pi', label: 'Theoretical pI', type: 'number' },
	{ key: 'charge', label: 'Net charge at pH', type: 'number' },
	{ key: 'ext_coeff_reduced', label: 'Ext. coefficient 280 nm (Cys reduced)', type: 'integer', unit: 'M^-1 cm^-1' },
	{ key: 'ext_coeff_cystines', label: 'Ext. coefficient 280 nm (all cystines)', type: 'integer', unit: 'M^-1 cm^-1' },
	{ key: 'instability_index', label: 'Instability index', type: 'number' },
	{ key: 'stability', label: 'Stability', type: 'string' },
	{ key: 'aliphatic_index', label: 'Aliphatic index', type: 'number' },
	{ key: 'gravy', label: 'GRAVY', type: 'number' },
	{ key: 'aromaticity', label: 'Aromaticity', type: 'number' },
	{ key: 'half_life_mammalian', label: 'Half-life (mammalian reticulocytes, in vitro)', type: 'string' },
	{ key: 'half_life_yeast', label: 'Half-life (yeast, in vivo)', type: 'string' },
	{ key: 'half_life_ecoli', label: 'Half-life (E. coli, in vivo)', type: 'string' },
	...[...STANDARD_AMINO_ACIDS].map((aa): TableColumn => ({ key: `pct_${aa}`, label: `${aa} %`, type: 'number', unit: '%' }))
];

export function buildTable(results: Array<{ id: string; props: ProteinProperties }>): ResultTable {
	const rows = results.map(({ id, props: p }) => {
		const row: Record<string, string | number | boolean | null> = {
			id,
			length: p.length,
			average_mass: round(p.averageMass, 4),
			monoisotopic_mass: round(p.monoisotopicMass, 4),
			pi: round(p.isoelectricPoint, 4),
			charge: round(p.chargeAtPH, 4),
			ext_coeff_reduced: p.extinctionReduced,
			ext_coeff_cystines: p.extinctionCystines,
			instability_index: round(p.instabilityIndex, 4),
			stability: p.stable ? 'stable' : 'unstable',
			aliphatic_index: round(p.aliphaticIndex, 4),
			gravy: round(p.gravy, 4),
			aromaticity: round(p.aromaticity, 4),
			half_life_mammalian: p.halfLifeMammalian,
			half_life_yeast: p.halfLifeYeast,
			half_life_ecoli: p.halfLifeEColi
		};
		for (let k = 0; k < 20; k++) row[`pct_${STANDARD_AMINO_ACIDS[k]}`] = round((100 * p.counts[k]) / p.length, 2);
		return row;
	});
	return { columns, rows };
}
