// The first lines of a text output (FASTA, CSV, alignments) for an on-page
// preview: a 10 MB FASTA must not be put into the page whole.

export interface TextPreview {
	text: string;
	/** Lines shown, and lines in the whole text. */
	shownLines: number;
	totalLines: number;
	truncated: boolean;
}

export function previewText(text: string, maxLines = 40, maxChars = 20_000): TextPreview {
	let end = 0;
	let lines = 0;
	while (lines < maxLines && end < text.length && end < maxChars) {
		const next = text.indexOf('\n', end);
		if (next === -1) {
			end = text.length;
			lines++;
			break;
		}
		end = next + 1;
		lines++;
	}
	const cut = Math.min(end, maxChars);
	const shown = text.slice(0, cut).replace(/\n$/, '');
	const totalLines = countLines(text);
	return { text: shown, shownLines: Math.min(lines, totalLines), totalLines, truncated: cut < text.length };
}

export function countLines(text: string): number {
	if (text.length === 0) return 0;
	let n = 1;
	for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) if (i < text.length - 1) n++;
	return n;
}

/** Media types shown as text in a preview. */
export function isTextLike(mediaType: string, name = ''): boolean {
	const type = mediaType.toLowerCase().split(';')[0].trim();
	if (type.startsWith('text/')) return true;
	if (['application/json', 'application/csv', 'application/x-fasta'].includes(type)) return true;
	if (type.startsWith('chemical/')) return true;
	return /\.(fasta|fa|faa|fna|csv|tsv|txt|pair|pdb|pdbqt|sdf|mol|cif|json)$/i.test(name);
}
