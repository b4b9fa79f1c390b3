// The results of 2-4 jobs of one tool, record by record: each result's table
// (the part every tool's result has, src/lib/tools/result-table.ts) is keyed
// by what names a record in that tool (a protein's id, a ligand and its pose,
// a structure's chain, a query-target pair), records are matched by key, and
// every numeric field gets its difference from the first job (the baseline),
// in the column's unit.
import { toolResultSchema } from '#lib/tools/result-table.ts';
import type { CellValue, TableColumn } from '#lib/tools/types.ts';

/** The columns that name a record, per tool; any other tool keys by its table's first column. */
export const RECORD_KEYS: Readonly<Record<string, readonly string[]>> = {
	'protein-properties': ['id'],
	'sequence-tools': ['sequence_id', 'output', 'name'],
	'pairwise-alignment': ['query', 'target'],
	'molecule-properties': ['id'],
	'structure-analysis': ['structure', 'chain'],
	docking: ['ligand', 'mode'],
	'structure-prediction': ['id'],
	'gpu-selftest': ['id']
};

export interface FieldComparison {
	key: string;
	/** The baseline's column; where jobs label it differently ("Net charge at pH 7.0" / "… pH 5.0"), the labels joined. */
	column: TableColumn;
	/** One per job; undefined where the job lacks the record or the field. */
	values: (CellValue | undefined)[];
	/** Each job's value minus the baseline's, for numbers present in both; null otherwise (and for the baseline). */
	deltas: (number | null)[];
	differs: boolean;
}

export interface RecordComparison {
	key: string;
	label: string;
	/** Which jobs have this record. */
	present: boolean[];
	fields: FieldComparison[];
	differs: boolean;
}

export interface ResultComparison {
	records: RecordComparison[];
	/** Jobs whose result has no table to compare (not completed, or an unreadable result). */
	withoutTable: boolean[];
}

interface KeyedRow {
	key: string;
	label: string;
	row: Record<string, CellValue>;
}

function keyColumns(toolId: string, columns: readonly TableColumn[]): string[] {
	const wanted = RECORD_KEYS[toolId]?.filter((k) => columns.some((c) => c.key === k)) ?? [];
	if (wanted.length) return wanted;
	return columns.length ? [columns[0].key] : [];
}

function keyedRows(toolId: string, columns: readonly TableColumn[], rows: readonly Record<string, CellValue>[]): KeyedRow[] {
	const keys = keyColumns(toolId, columns);
	const seen = new Map<string, number>();
	return rows.map((row, i) => {
		const parts = keys.map((k) => (row[k] === null || row[k] === undefined ? '' : String(row[k])));
		let label = keys.length ? parts.join(' · ') : `Row ${i + 1}`;
		if (toolId === 'docking' && parts.length === 2) label = `${parts[0]} · pose ${parts[1]}`;
		const base = JSON.stringify(parts);
		// The same key twice in one result (two chains without ids, repeated names): matched by occurrence.
		const n = (seen.get(base) ?? 0) + 1;
		seen.set(base, n);
		return { key: n === 1 ? base : `${base}#${n}`, label: n === 1 ? label : `${label} (${n})`, row };
	});
}

const isNumeric = (c: TableColumn) => c.type === 'number' || c.type === 'integer';

function sameCell(a: CellValue | undefined, b: CellValue | undefined): boolean {
	if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
	return a === b;
}

/** Rounding noise below this (relative to the larger value) is not a difference. */
const EPSILON = 1e-9;

export function compareResults(toolId: string, results: readonly unknown[]): ResultComparison {
	const tables = results.map((r) => {
		const parsed = toolResultSchema.safeParse(r);
		return parsed.success ? parsed.data.table : null;
	});
	const keyed = tables.map((t) => (t ? new Map(keyedRows(toolId, t.columns, t.rows).map((k) => [k.key, k])) : new Map<string, KeyedRow>()));

	// Columns in the baseline's order, then any another job adds; key columns are the record's name, not fields.
	const columns = new Map<string, TableColumn>();
	const labels = new Map<string, Set<string>>();
	for (const t of tables) {
		if (!t) continue;
		const keys = new Set(keyColumns(toolId, t.columns));
		for (const c of t.columns) {
			if (keys.has(c.key)) continue;
			if (!columns.has(c.key)) columns.set(c.key, c);
			labels.set(c.key, (labels.get(c.key) ?? new Set()).add(c.label));
		}
	}
	const fieldColumns = [...columns.values()].map((c) => {
		const all = [...(labels.get(c.key) ?? [])];
		return all.length > 1 ? { ...c, label: all.join(' / ') } : c;
	});

	const order = new Map<string, string>();
	for (const rows of keyed) for (const [key, k] of rows) if (!order.has(key)) order.set(key, k.label);

	const records = [...order].map(([key, label]): RecordComparison => {
		const rows = keyed.map((m) => m.get(key)?.row);
		const present = rows.map((r) => r !== undefined);
		const fields = fieldColumns.map((column): FieldComparison => {
			const values = rows.map((r) => (r ? r[column.key] : undefined));
			const base = values[0];
			const deltas = values.map((v, j) => (j > 0 && isNumeric(column) && typeof v === 'number' && typeof base === 'number' && Number.isFinite(v) && Number.isFinite(base) ? v - base : null));
			const differs = values.some((v, j) => {
				if (j === 0) return false;
				const d = deltas[j];
				if (d !== null) return Math.abs(d) > EPSILON * Math.max(Math.abs(v as number), Math.abs(base as number), 1);
				return !sameCell(v, base);
			});
			return { key: column.key, column, values, deltas, differs };
		});
		return { key, label, present, fields, differs: present.some((p) => !p) || fields.some((f) => f.differs) };
	});
	return { records, withoutTable: tables.map((t) => t === null) };
}
