// Writing CSV that spreadsheets open safely. One place for every CSV the
// platform writes (job exports, tools' output files):
// * RFC 4180 fields: quoted when they hold a comma, a quote, a line break or
//   leading/trailing spaces, with quotes doubled;
// * CSV injection (OWASP): a text cell that a spreadsheet would run as a
//   formula (starting with =, +, -, @, tab or carriage return, also after
//   spaces or as the full-width forms some spreadsheets accept) gets a
//   leading single quote and is always quoted. A cell that reads as a
//   number is left alone, so -0.49 or -8.9 stay numbers.

// What a spreadsheet may run as a formula.
const FORMULA_START = /^\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/;
// A plain decimal number (what a spreadsheet reads as a number, not a formula).
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** True when a spreadsheet would run this text as a formula (and it is not a plain number). */
export function isFormulaLike(text: string): boolean {
	return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text.trim());
}

/**
 * One value as an RFC 4180 field, formulas escaped (OWASP: a leading single
 * quote, and the field quoted). Text, numbers and booleans as they read;
 * null and undefined as an empty cell; anything else as JSON.
 */
export function csvCell(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? '');
	if (isFormulaLike(text)) return `"'${text.replaceAll('"', '""')}"`;
	return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line of fields, without its line end. */
export function csvRow(values: readonly unknown[]): string {
	return values.map(csvCell).join(',');
}

/** A whole CSV file: each row a line ending in CRLF (RFC 4180), the last one too. */
export function csvText(rows: readonly (readonly unknown[])[]): string {
	return rows.map((row) => `${csvRow(row)}\r\n`).join('');
}
