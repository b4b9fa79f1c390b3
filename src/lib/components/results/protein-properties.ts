// The protein-properties table split the way its page shows it: the key
// figures a scientist looks for first, the composition, and the rest. Any
// column this page does not know (a newer tool version) goes with the rest,
// so nothing in the result is hidden.
import type { ResultTable, TableColumn } from '#lib/tools/types.ts';

/** The answer first: size, mass, pI, charge, absorbance, stability with its verdict, hydropathy, thermostability. */
const KEY = ['length', 'average_mass', 'pi', 'charge', 'ext_coeff_reduced', 'ext_coeff_cystines', 'instability_index', 'stability', 'gravy', 'aliphatic_index'];

export interface ProteinPropertiesParts {
	key: ResultTable;
	composition: ResultTable;
	other: ResultTable;
}

/**
 * Three tables over the same rows. Each starts with the ID column when
 * there are several rows; a single record is named in the heading instead.
 */
export function splitColumns(table: ResultTable): ProteinPropertiesParts {
	const byKey = new Map(table.columns.map((c) => [c.key, c]));
	const id = table.rows.length === 1 ? [] : table.columns.filter((c) => c.key === 'id');
	const key = KEY.map((k) => byKey.get(k)).filter((c): c is TableColumn => c !== undefined);
	const composition = table.columns.filter((c) => c.key.startsWith('pct_'));
	const other = table.columns.filter((c) => c.key !== 'id' && !KEY.includes(c.key) && !c.key.startsWith('pct_'));
	const over = (columns: TableColumn[]): ResultTable => ({ columns: [...id, ...columns], rows: table.rows });
	return { key: over(key), composition: over(composition), other: over(other) };
}
