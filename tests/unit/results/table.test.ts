import { describe, expect, it } from 'vitest';
import { columnHeading, filterRows, formatCell, formatUnit, nextSort, pageCount, pageOf, sortRows } from '#lib/components/results/table.ts';
import type { TableColumn } from '#lib/tools/types.ts';

const num: TableColumn = { key: 'x', label: 'Mass', type: 'number', unit: 'Da' };
const int: TableColumn = { key: 'n', label: 'Length', type: 'integer' };
const str: TableColumn = { key: 's', label: 'ID', type: 'string' };
const bool: TableColumn = { key: 'b', label: 'Lipinski', type: 'boolean' };

describe('headings and units', () => {
	it('writes ASCII units as a scientist reads them', () => {
		expect(formatUnit('A^2')).toBe('Å²');
		expect(formatUnit('A')).toBe('Å');
		expect(formatUnit('M^-1 cm^-1')).toBe('M⁻¹ cm⁻¹');
		expect(formatUnit('kcal/mol')).toBe('kcal/mol');
		expect(formatUnit('Da')).toBe('Da');
	});

	it('puts the unit in brackets unless the label already ends with it', () => {
		expect(columnHeading(num)).toBe('Mass (Da)');
		expect(columnHeading({ key: 'p', label: 'A %', type: 'number', unit: '%' })).toBe('A %');
		expect(columnHeading({ key: 't', label: 'TPSA', type: 'number', unit: 'A^2' })).toBe('TPSA (Å²)');
		expect(columnHeading(str)).toBe('ID');
	});
});

describe('formatCell', () => {
	it('formats by column type', () => {
		expect(formatCell(12345.678912, num)).toBe('12,345.6789');
		expect(formatCell(25470, int)).toBe('25,470');
		expect(formatCell(true, bool)).toBe('Yes');
		expect(formatCell(false, bool)).toBe('No');
		expect(formatCell('P69905', str)).toBe('P69905');
	});

	it('shows missing values as a dash and extreme numbers in exponent form', () => {
		expect(formatCell(null, num)).toBe('—');
		expect(formatCell(undefined, num)).toBe('—');
		expect(formatCell('', str)).toBe('—');
		expect(formatCell(0.0000123, num)).toBe('1.230e-5');
		expect(formatCell(0, num)).toBe('0');
		expect(formatCell(Number.NaN, num)).toBe('—');
	});
});

describe('sorting', () => {
	const rows = [
		{ id: 'b', v: 2 },
		{ id: 'a10', v: null },
		{ id: 'a2', v: -1 },
		{ id: 'c', v: 2 }
	];

	it('sorts numbers numerically and text naturally, keeping ties in order and missing values last', () => {
		expect(sortRows(rows, { key: 'v', direction: 'ascending' }).map((r) => r.id)).toEqual(['a2', 'b', 'c', 'a10']);
		expect(sortRows(rows, { key: 'v', direction: 'descending' }).map((r) => r.id)).toEqual(['b', 'c', 'a2', 'a10']);
		expect(sortRows(rows, { key: 'id', direction: 'ascending' }).map((r) => r.id)).toEqual(['a2', 'a10', 'b', 'c']);
	});

	it('returns a copy in the tool order without a sort, and leaves the input alone', () => {
		const copy = sortRows(rows, null);
		expect(copy).toEqual(rows);
		expect(copy).not.toBe(rows);
		sortRows(rows, { key: 'id', direction: 'descending' });
		expect(rows[0].id).toBe('b');
	});

	it('cycles ascending, descending, none on one heading', () => {
		const a = nextSort(null, 'x');
		expect(a).toEqual({ key: 'x', direction: 'ascending' });
		const d = nextSort(a, 'x');
		expect(d).toEqual({ key: 'x', direction: 'descending' });
		expect(nextSort(d, 'x')).toBeNull();
		expect(nextSort(d, 'y')).toEqual({ key: 'y', direction: 'ascending' });
	});
});

describe('paging', () => {
	const rows = Array.from({ length: 10_000 }, (_, i) => ({ i }));

	it('gives one page of a 10,000-row table with its row range', () => {
		const p = pageOf(rows, 3, 50);
		expect(p.rows).toHaveLength(50);
		expect(p.rows[0].i).toBe(150);
		expect([p.first, p.last, p.page]).toEqual([151, 200, 3]);
		expect(pageCount(rows.length, 50)).toBe(200);
	});

	it('clamps the page into range, including the short last page', () => {
		const last = pageOf(rows, 999, 300);
		expect(last.page).toBe(33);
		expect(last.rows).toHaveLength(10_000 - 33 * 300);
		expect(last.last).toBe(10_000);
		expect(pageOf(rows, -4, 25).page).toBe(0);
		const empty = pageOf([], 0, 25);
		expect([empty.rows.length, empty.first, empty.last, pageCount(0, 25)]).toEqual([0, 0, 0, 1]);
	});

	it('filters rows by text in any column, ignoring case', () => {
		const table = [{ s: 'Lysozyme', n: 129 }, { s: 'insulin', n: 51 }];
		const columns = [str, int];
		expect(filterRows(table, columns, 'LYSO')).toEqual([table[0]]);
		expect(filterRows(table, columns, '51')).toEqual([table[1]]);
		expect(filterRows(table, columns, '  ')).toEqual(table);
	});
});
