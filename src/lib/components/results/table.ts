// Pure helpers behind ResultTable: headings with units, cell formatting by
// column type, sorting and paging (only one page of rows is ever rendered,
// so a 10,000-row result stays responsive).
import type { CellValue, TableColumn } from '#lib/tools/types.ts';

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** Units as tools write them in ASCII ("A^2", "M^-1 cm^-1") as a scientist reads them ("Å²", "M⁻¹ cm⁻¹"). */
export function formatUnit(unit: string): string {
	return unit
		.replace(/\bA(?=\^|$|\b)/g, 'Å')
		.replace(/\^(-?\d+)/g, (_, exp: string) => [...exp].map((c) => SUPERSCRIPT[c] ?? c).join(''));
}

/** "Average mass (Da)"; a bare "%" unit already in the label is not repeated. */
export function columnHeading(column: TableColumn): string {
	if (!column.unit) return column.label;
	const unit = formatUnit(column.unit);
	return column.label.endsWith(unit) ? column.label : `${column.label} (${unit})`;
}

export function isNumeric(column: TableColumn): boolean {
	return column.type === 'number' || column.type === 'integer';
}

const integerFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const numberFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 4 });

/** A cell as text: numbers grouped (1,234.5678), booleans as Yes/No, missing as an em dash. */
export function formatCell(value: CellValue | undefined, column: TableColumn): string {
	if (value === null || value === undefined || value === '') return '—';
	if (typeof value === 'boolean') return value ? 'Yes' : 'No';
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return Number.isNaN(value) ? '—' : value > 0 ? '∞' : '−∞';
		if (column.type === 'integer') return integerFormat.format(value);
		const abs = Math.abs(value);
		if (abs !== 0 && (abs < 1e-4 || abs >= 1e12)) return value.toExponential(3);
		return numberFormat.format(value);
	}
	return String(value);
}

export type SortDirection = 'ascending' | 'descending';
export interface SortState {
	key: string;
	direction: SortDirection;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Two present cells (sortRows puts missing ones last itself). */
function compareCells(a: CellValue, b: CellValue): number {
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
	return collator.compare(String(a), String(b));
}

/**
 * The rows in `sort` order (a new array; the input is not touched). Missing
 * values go last in either direction; equal values keep their order.
 */
export function sortRows<T extends Record<string, CellValue>>(rows: readonly T[], sort: SortState | null): T[] {
	if (!sort) return rows.slice();
	const sign = sort.direction === 'ascending' ? 1 : -1;
	const indexed = rows.map((row, index) => ({ row, index }));
	indexed.sort((x, y) => {
		const a = x.row[sort.key];
		const b = y.row[sort.key];
		const aMissing = a === null || a === undefined || a === '';
		const bMissing = b === null || b === undefined || b === '';
		if (aMissing || bMissing) return aMissing === bMissing ? x.index - y.index : aMissing ? 1 : -1;
		return sign * compareCells(a, b) || x.index - y.index;
	});
	return indexed.map((e) => e.row);
}

/** Next sort when a heading is pressed: ascending, then descending, then back to the tool's order. */
export function nextSort(current: SortState | null, key: string): SortState | null {
	if (!current || current.key !== key) return { key, direction: 'ascending' };
	return current.direction === 'ascending' ? { key, direction: 'descending' } : null;
}

export function pageCount(total: number, pageSize: number): number {
	return Math.max(1, Math.ceil(total / pageSize));
}

/** Clamps `page` (0-based) into range and returns that page's slice with its 1-based row range. */
export function pageOf<T>(rows: readonly T[], page: number, pageSize: number): { rows: T[]; page: number; first: number; last: number } {
	const pages = pageCount(rows.length, pageSize);
	const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
	const start = p * pageSize;
	const slice = rows.slice(start, start + pageSize);
	return { rows: slice, page: p, first: slice.length ? start + 1 : 0, last: start + slice.length };
}

/** Rows whose text contains `query` in any column (case-insensitive); all rows when it is blank. */
export function filterRows<T extends Record<string, CellValue>>(rows: readonly T[], columns: readonly TableColumn[], query: string): T[] {
	const q = query.trim().toLowerCase();
	if (!q) return rows.slice();
	return rows.filter((row) => columns.some((c) => {
		const v = row[c.key];
		return v !== null && v !== undefined && String(v).toLowerCase().includes(q);
	}));
}
