// CSV request bodies (`Content-Type: text/csv`), read the way PostgREST does:
// the first line names the columns, each later line is one row, every value
// is text except NULL (quoted or not, as PostgREST reads it), which is null.
import { PgrstError } from './errors.ts';

/** Splits RFC 4180 CSV into records of fields (quotes double to escape; CRLF or LF). */
function records(text: string): Array<Array<{ value: string; quoted: boolean }>> {
	const out: Array<Array<{ value: string; quoted: boolean }>> = [];
	let row: Array<{ value: string; quoted: boolean }> = [];
	let i = 0;
	const n = text.length;
	for (;;) {
		let value = '';
		let quoted = false;
		if (text[i] === '"') {
			quoted = true;
			i++;
			for (;;) {
				if (i >= n) throw new PgrstError(400, 'PGRST102', 'Invalid CSV: a quoted field is not closed');
				if (text[i] === '"') {
					if (text[i + 1] === '"') {
						value += '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				value += text[i++];
			}
			if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
				throw new PgrstError(400, 'PGRST102', 'Invalid CSV: text after a closing quote');
			}
		} else {
			while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
		}
		row.push({ value, quoted });
		if (i < n && text[i] === ',') {
			i++;
			continue;
		}
		out.push(row);
		row = [];
		if (text[i] === '\r') i++;
		if (text[i] === '\n') i++;
		if (i >= n) return out;
	}
}

export function parseCsv(text: string): Array<Record<string, string | null>> {
	const [head, ...rows] = records(text);
	const names = head.map((f) => f.value);
	return rows.map((fields) => {
		if (fields.length !== names.length) throw new PgrstError(400, 'PGRST102', 'All lines must have same number of fields');
		const row: Record<string, string | null> = {};
		fields.forEach((f, k) => (row[names[k]] = f.value === 'NULL' ? null : f.value));
		return row;
	});
}
