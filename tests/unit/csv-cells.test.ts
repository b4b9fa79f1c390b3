// CSV cells (#lib/csv/cells.ts): what a spreadsheet would run as a formula is
// escaped as OWASP recommends (a leading single quote, and the cell quoted);
// numbers, negative ones included, stay numbers; everything reads back whole.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, csvText, isFormulaLike } from '#lib/csv/cells.ts';

/** Reads CSV back as a spreadsheet-neutral parser would. */
const readBack = (csv: string) => Papa.parse<string[]>(csv, { newline: '\r\n', skipEmptyLines: true }).data;

describe('csvCell: CSV injection', () => {
	it('escapes a sequence id that is a formula', () => {
		expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
	});

	it('escapes text starting with -, @, + and =', () => {
		expect(csvCell('-abc')).toBe('"\'-abc"');
		expect(csvCell('@SUM(1)')).toBe('"\'@SUM(1)"');
		expect(csvCell('+1+1')).toBe('"\'+1+1"');
		expect(csvCell('-2+3')).toBe('"\'-2+3"');
		expect(csvCell("=cmd|' /C calc'!A0")).toBe('"\'=cmd|\' /C calc\'!A0"');
	});

	it('escapes text starting with a tab or a carriage return, and a formula after spaces or in full-width form', () => {
		expect(csvCell('\t=1')).toBe('"\'\t=1"');
		expect(csvCell('\r=1')).toBe('"\'\r=1"');
		expect(csvCell('\tplain')).toBe('"\'\tplain"');
		expect(csvCell('  =1+1')).toBe('"\'  =1+1"');
		expect(csvCell('＝1+1')).toBe('"\'＝1+1"');
	});

	it('leaves numbers alone, as numbers and as text that reads as a number', () => {
		expect(csvCell(-0.49)).toBe('-0.49');
		expect(csvCell(-8.9)).toBe('-8.9');
		expect(csvCell('-0.49')).toBe('-0.49');
		expect(csvCell('-8.9')).toBe('-8.9');
		expect(csvCell('+4e-3')).toBe('+4e-3');
		expect(csvCell(-1e-7)).toBe('-1e-7');
		expect(csvCell(0)).toBe('0');
		expect(isFormulaLike('-0.49')).toBe(false);
	});

	it('escapes what only looks like a number', () => {
		expect(csvCell('-1+2')).toBe('"\'-1+2"');
		expect(csvCell('-')).toBe('"\'-"');
		expect(csvCell(Number.NEGATIVE_INFINITY)).toBe('"\'-Infinity"');
	});

	it('keeps ordinary text as it is', () => {
		for (const text of ['MKTAYIAKQR', 'stable', 'e-mail', 'a=b', '1-2', 'P1', '']) expect(csvCell(text)).toBe(text);
	});
});

describe('csvCell: RFC 4180', () => {
	it('quotes commas, quotes, line breaks and edge spaces, doubling quotes', () => {
		expect(csvCell('a,b')).toBe('"a,b"');
		expect(csvCell('say "hi"')).toBe('"say ""hi"""');
		expect(csvCell('two\nlines')).toBe('"two\nlines"');
		expect(csvCell(' padded ')).toBe('" padded "');
	});

	it('writes null and undefined empty, booleans as words, other values as JSON', () => {
		expect([null, undefined, true, false].map(csvCell)).toEqual(['', '', 'true', 'false']);
		expect(csvCell({ nested: '=1' })).toBe('"{""nested"":""=1""}"');
		expect(csvCell(['=x'])).toBe('"[""=x""]"');
	});
});

describe('csvText', () => {
	it('ends every line with CRLF and reads back cell for cell, escaped formulas with their quote', () => {
		const rows = [
			['id', 'gravy', 'note'],
			['=HYPERLINK("http://x")', -0.49, 'a,b'],
			['@SUM(1)', -8.9, 'say "hi"'],
			['-abc', 1.5, '']
		];
		const csv = csvText(rows);
		expect(csv.endsWith('\r\n')).toBe(true);
		expect(csv.split('\r\n')).toHaveLength(5);
		expect(readBack(csv)).toEqual([
			['id', 'gravy', 'note'],
			['\'=HYPERLINK("http://x")', '-0.49', 'a,b'],
			["'@SUM(1)", '-8.9', 'say "hi"'],
			["'-abc", '1.5', '']
		]);
		expect(csvRow(rows[1])).toBe('"\'=HYPERLINK(""http://x"")",-0.49,"a,b"');
	});
});
