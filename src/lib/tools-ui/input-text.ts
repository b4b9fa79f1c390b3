// Stored job inputs written back as the text a scientist would paste, so a
// duplicated job's form shows what it ran on; and small readers for JSON of
// unknown shape (a stored input is whatever the database accepted).

export const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string => (typeof v === 'string' ? v : '');

const LINE = 60;

/** Records ({id, sequence, description?}) as FASTA, 60 residues a line. */
export function fastaText(records: unknown[]): string {
	return records
		.map((r) => {
			const { id, sequence, description } = asRecord(r);
			const seq = asString(sequence);
			const lines: string[] = [];
			for (let i = 0; i < seq.length; i += LINE) lines.push(seq.slice(i, i + LINE));
			const header = [asString(id), asString(description)].filter(Boolean).join(' ');
			return `>${header}\n${lines.join('\n')}\n`;
		})
		.join('');
}

/** Splits FASTA text into its first record and the rest (a query and its targets). */
export function firstRecordSplit(text: string): [string, string] {
	const second = text.search(/\n\s*>/);
	if (second === -1) return [text, ''];
	return [text.slice(0, second + 1), text.slice(second + 1).replace(/^\s+/, '')];
}

/** Molecules as SMILES lines ("SMILES name"), then any SDF records. */
export function moleculesText(records: unknown[], nameKey: string, blockKey: string): string {
	const smiles: string[] = [];
	const blocks: string[] = [];
	for (const r of records) {
		const m = asRecord(r);
		const name = asString(m[nameKey]);
		if (typeof m.smiles === 'string') smiles.push(name ? `${m.smiles} ${name}` : m.smiles);
		else if (typeof m[blockKey] === 'string') blocks.push(`${(m[blockKey] as string).replace(/\n?$/, '\n')}$$$$\n`);
	}
	return [smiles.length ? smiles.join('\n') + '\n' : '', ...blocks].join('');
}
