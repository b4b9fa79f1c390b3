// The result table: one row per sequence, columns for CSV export. Every
// column says its unit and the conditions it holds under ("Net charge at
// pH 7.0"), so a spreadsheet of the export reads without the job's page.
import { STANDARD_AMINO_ACIDS } from '../parse/alphabets.ts';
import type { CellValue, ResultTable, TableColumn } from '../types.ts';
import type { ProteinProperties } from './compute.ts';

/** A pH as scientists write it: at least one decimal (7.0, 7.4, 7.25). */
export function formatPH(pH: number): string {
	return Number.isInteger(pH) ? pH.toFixed(1) : String(pH);
}

const round = (x: number, digits: number) => {
	const f = 10 ** digits;
	return Math.round(x * f) / f;
};

const composition = (letters: string) => [...letters].map((aa): TableColumn => ({ key: `pct_${aa}`, label: aa, type: 'number', unit: '%' }));

/** The columns for results computed at `pH`; U and O composition only when a sequence has them. */
export function tableColumns(pH: number, withSecPyl = false): TableColumn[] {
	return [
		{ key: 'id', label: 'ID', type: 'string' },
		{ key: 'length', label: 'Length', type: 'integer', unit: 'aa' },
		{ key: 'average_mass', label: 'Average mass', type: 'number', unit: 'Da' },
		{ key: 'monoisotopic_mass', label: 'Monoisotopic mass', type: 'number', unit: 'Da' },
		{ key: 'pi', label: 'Theoretical pI', type: 'number' },
		{ key: 'charge', label: `Net charge at pH ${formatPH(pH)}`, type: 'number' },
		{ key: 'ext_coeff_reduced', label: 'Extinction coefficient at 280 nm in water, Cys reduced', type: 'integer', unit: 'M^-1 cm^-1' },
		{ key: 'ext_coeff_cystines', label: 'Extinction coefficient at 280 nm in water, all Cys in cystines', type: 'integer', unit: 'M^-1 cm^-1' },
		{ key: 'instability_index', label: 'Instability index', type: 'number' },
		{ key: 'stability', label: 'Stability (stable at index 40 or below)', type: 'string' },
		{ key: 'aliphatic_index', label: 'Aliphatic index', type: 'number' },
		{ key: 'gravy', label: 'GRAVY (Kyte-Doolittle)', type: 'number' },
		{ key: 'aromaticity', label: 'Aromaticity (F+W+Y fraction)', type: 'number' },
		{ key: 'half_life_mammalian', label: 'Half-life (mammalian reticulocytes, in vitro)', type: 'string' },
		{ key: 'half_life_yeast', label: 'Half-life (yeast, in vivo)', type: 'string' },
		{ key: 'half_life_ecoli', label: 'Half-life (E. coli, in vivo)', type: 'string' },
		...composition(STANDARD_AMINO_ACIDS),
		...(withSecPyl ? composition('UO') : [])
	];
}

export function buildTable(results: Array<{ id: string; props: ProteinProperties }>, pH: number): ResultTable {
	const rows = new Array<Record<string, CellValue>>(results.length);
	let withSecPyl = false;
	for (let i = 0; i < results.length; i++) {
		const p = results[i].props;
		rows[i] = buildRow(results[i].id, p);
		if (p.counts[20] || p.counts[21]) withSecPyl = true;
	}
	if (withSecPyl) {
		for (let i = 0; i < results.length; i++) {
			rows[i].pct_U = percent(results[i].props, 20);
			rows[i].pct_O = percent(results[i].props, 21);
		}
	}
	return { columns: tableColumns(pH, withSecPyl), rows };
}

const percent = (p: ProteinProperties, k: number) => round((100 * p.counts[k]) / p.length, 2);
const maybe = (x: number | null, digits: number) => (x === null ? null : round(x, digits));

// One literal with every key, in column order: V8 then builds each row in
// one go with a shared shape, where adding the 20 'pct_' keys in a loop
// made it grow the object 20 times (about a third of the run's time).
function buildRow(id: string, p: ProteinProperties): Record<string, CellValue> {
	return {
		id,
		length: p.length,
		average_mass: round(p.averageMass, 4),
		monoisotopic_mass: round(p.monoisotopicMass, 4),
		pi: round(p.isoelectricPoint, 4),
		charge: round(p.chargeAtPH, 4),
		ext_coeff_reduced: p.extinctionReduced,
		ext_coeff_cystines: p.extinctionCystines,
		instability_index: maybe(p.instabilityIndex, 4),
		stability: p.stable === null ? null : p.stable ? 'stable' : 'unstable',
		aliphatic_index: round(p.aliphaticIndex, 4),
		gravy: maybe(p.gravy, 4),
		aromaticity: round(p.aromaticity, 4),
		half_life_mammalian: p.halfLifeMammalian,
		half_life_yeast: p.halfLifeYeast,
		half_life_ecoli: p.halfLifeEColi,
		// STANDARD_AMINO_ACIDS order (ACDEFGHIKLMNPQRSTVWY), as the columns.
		pct_A: percent(p, 0),
		pct_C: percent(p, 1),
		pct_D: percent(p, 2),
		pct_E: percent(p, 3),
		pct_F: percent(p, 4),
		pct_G: percent(p, 5),
		pct_H: percent(p, 6),
		pct_I: percent(p, 7),
		pct_K: percent(p, 8),
		pct_L: percent(p, 9),
		pct_M: percent(p, 10),
		pct_N: percent(p, 11),
		pct_P: percent(p, 12),
		pct_Q: percent(p, 13),
		pct_R: percent(p, 14),
		pct_S: percent(p, 15),
		pct_T: percent(p, 16),
		pct_V: percent(p, 17),
		pct_W: percent(p, 18),
		pct_Y: percent(p, 19)
	};
}

// The literal above must list the columns' keys, in their order.
const rowKeys = Object.keys(buildRow('', { length: 1, counts: new Int32Array(22), instabilityIndex: null, gravy: null } as ProteinProperties)).join();
if (rowKeys !== tableColumns(7).map((c) => c.key).join()) throw new Error('protein-properties: row keys differ from the columns');
