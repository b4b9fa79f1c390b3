// Pure helpers over structure texts, for the 3D viewer and the files pages:
// SDF records, PDB B-factors, and the
// colours the viewer paints with.

/** The records of an SDF text, each ending with its "$$$$" line. */
export function sdfRecords(text: string): string[] {
	const records: string[] = [];
	let start = 0;
	const re = /^\$\$\$\$[^\S\n]*\r?$/gm;
	for (let m = re.exec(text); m; m = re.exec(text)) {
		const end = m.index + m[0].length;
		const record = text.slice(start, end).replace(/^\s*\n/, '');
		if (record.trim() !== '$$$$') records.push(record + '\n');
		start = end + 1;
	}
	const rest = text.slice(start);
	if (/^M {2}END/m.test(rest)) records.push(rest.replace(/^\s*\n/, ''));
	return records;
}

/** B-factors (columns 61-66) of the ATOM/HETATM records of a PDB text. */
export function pdbBFactors(pdb: string): number[] {
	const values: number[] = [];
	for (const line of pdb.split('\n')) {
		if (!line.startsWith('ATOM  ') && !line.startsWith('HETATM')) continue;
		const b = Number.parseFloat(line.slice(60, 66));
		if (Number.isFinite(b)) values.push(b);
	}
	return values;
}

/** Blue (low) - white - red (high) over [min, max], for B-factor colouring. */
export function blueWhiteRed(value: number, min: number, max: number): string {
	const t = max > min ? Math.min(1, Math.max(0, (value - min) / (max - min))) : 0.5;
	const channel = (a: number, b: number, f: number) => Math.round(a + (b - a) * f);
	const [r, g, b] = t < 0.5 ? [channel(33, 255, t * 2), channel(102, 255, t * 2), channel(172, 255, t * 2)] : [channel(255, 178, (t - 0.5) * 2), channel(255, 24, (t - 0.5) * 2), channel(255, 43, (t - 0.5) * 2)];
	return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
