// Molecule lists as scientists paste them: SMILES files ("SMILES name" per
// line, '#' comments, an optional "smiles name" header) or SDF (records
// ending in "$$$$"). SDF records keep their molblock; the name is the
// molblock's first line.
import type { InputIssue } from '../types.ts';
import { count } from '#lib/ui/plural.ts';

export interface MoleculeRecord {
	id: string;
	smiles?: string;
	molblock?: string;
}

export interface MoleculeParseResult {
	records: MoleculeRecord[];
	issues: InputIssue[];
	notices: string[];
}

export function looksLikeSdf(text: string): boolean {
	return /^\$\$\$\$\s*$/m.test(text) || /^\s*M {2}END\s*$/m.test(text) || /V[23]000/.test(text);
}

/** Renames repeats of `key` in place (`x_2`, `x_3`, ...), with a notice naming each `noun` renamed. */
export function renameRepeats<K extends string>(items: Array<Record<K, string>>, key: K, noun: string, notices: string[]): void {
	const seen = new Set<string>();
	for (const item of items) {
		const name = item[key];
		if (!seen.has(name)) {
			seen.add(name);
			continue;
		}
		let n = 2;
		while (seen.has(`${name}_${n}`)) n++;
		notices.push(`${noun} '${name}' appears more than once; a copy was renamed '${name}_${n}'`);
		item[key] = `${name}_${n}`;
		seen.add(item[key]);
	}
}

export function parseSmilesList(text: string, maxRecords: number): MoleculeParseResult {
	const records: MoleculeRecord[] = [];
	const issues: InputIssue[] = [];
	const notices: string[] = [];
	const lines = text.split(/\r\n|\r|\n/);
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();
		if (line === '' || line.startsWith('#')) continue;
		const [smiles, ...rest] = line.split(/\s+/);
		if (records.length === 0 && /^smiles$/i.test(smiles)) continue; // header row
		const name = rest.join(' ').trim();
		records.push({ id: name || `mol_${records.length + 1}`, smiles });
	}
	if (records.length === 0) issues.push({ message: 'no molecules given' });
	if (records.length > maxRecords) issues.push({ message: `${count(records.length, 'molecule')} given; at most ${maxRecords.toLocaleString('en')} are accepted` });
	renameRepeats(records, 'id', 'molecule', notices);
	return { records, issues, notices };
}

export function parseSdf(text: string, maxRecords: number): MoleculeParseResult {
	const records: MoleculeRecord[] = [];
	const issues: InputIssue[] = [];
	const notices: string[] = [];
	const normalized = text.replace(/\r\n|\r/g, '\n');
	const blocks = normalized.split(/^\$\$\$\$[^\n]*\n?/m);
	let line = 1;
	for (const block of blocks) {
		const startLine = line;
		line += block.split('\n').length; // the block plus its $$$$ line
		if (block.trim() === '') continue;
		const end = block.search(/^M {2}END\s*$/m);
		if (end === -1) {
			issues.push({ line: startLine, message: 'an SDF record without an "M  END" line' });
			continue;
		}
		const molblock = block.slice(0, block.indexOf('\n', end) === -1 ? block.length : block.indexOf('\n', end) + 1);
		const name = block.split('\n', 1)[0].trim();
		records.push({ id: name || `mol_${records.length + 1}`, molblock });
	}
	if (records.length === 0 && issues.length === 0) issues.push({ message: 'no molecules given' });
	if (records.length > maxRecords) issues.push({ message: `${count(records.length, 'molecule')} given; at most ${maxRecords.toLocaleString('en')} are accepted` });
	renameRepeats(records, 'id', 'molecule', notices);
	return { records, issues, notices };
}
