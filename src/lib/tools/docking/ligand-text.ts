// Ligands as scientists paste them: "SMILES name" lines, or SDF records.
// Only cheap checks happen here (characters, lengths, counts); whether a
// SMILES is chemistry is for Open Babel on the worker to say.
import { parseSdf, renameRepeats } from '../parse/molecules.ts';
import type { InputIssue } from '../types.ts';
import { MAX_LIGANDS, MAX_NAME_LENGTH, MAX_SDF_CHARS, MAX_SMILES_LENGTH, SMILES_CHARACTERS, type LigandInput } from './schema.ts';
import { count } from '#lib/ui/plural.ts';

export interface LigandParse {
	ligands: LigandInput[];
	issues: InputIssue[];
	notices: string[];
}

export function looksLikeSdfText(text: string): boolean {
	return /^M {2}END\s*$/m.test(text) || /^\$\$\$\$\s*$/m.test(text);
}

/** Why the ligand text is some other kind of file, or null. */
export function ligandTextWrongFormat(text: string): string | null {
	if (/^(ATOM {2}|HETATM)/m.test(text) && !/^M {2}END/m.test(text)) {
		return 'this looks like a PDB structure; give ligands as SMILES lines ("SMILES name") or SDF (the receptor goes in its own field)';
	}
	if (/^data_/m.test(text) && /^_atom_site\./m.test(text)) return 'this is mmCIF; give ligands as SMILES lines or SDF';
	return null;
}

/** True when a molblock has no depth (all z = 0): 2D drawings need 3D coordinates made before docking. */
export function isFlatMolblock(molblock: string): boolean {
	const lines = molblock.split(/\r\n|\r|\n/);
	const counts = lines[3] ?? '';
	if (/V3000/.test(counts)) {
		const atoms = lines.filter((l) => /^M {2}V30 \d+ \S+ \S+ \S+ \S+/.test(l) && !/^M {2}V30 (BEGIN|END|COUNTS)/.test(l));
		return atoms.every((l) => Number(l.split(/\s+/)[6]) === 0);
	}
	const n = Number(counts.slice(0, 3));
	if (!Number.isInteger(n) || n <= 0) return false;
	return lines.slice(4, 4 + n).every((l) => Number(l.slice(20, 30)) === 0);
}

function checkCount(ligands: LigandInput[], issues: InputIssue[]): void {
	if (ligands.length === 0 && issues.length === 0) issues.push({ field: 'ligands', message: 'no ligands given: paste SMILES lines ("SMILES name") or SDF' });
	if (ligands.length > MAX_LIGANDS) issues.push({ field: 'ligands', message: `${count(ligands.length, 'ligand')} given; at most ${MAX_LIGANDS} are docked in one job` });
}

/** "SMILES name" per line; '#' comments and a "smiles name" header are skipped. */
export function parseSmilesLines(text: string): LigandParse {
	const ligands: LigandInput[] = [];
	const issues: InputIssue[] = [];
	const notices: string[] = [];
	const lines = text.split(/\r\n|\r|\n/);
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();
		if (line === '' || line.startsWith('#')) continue;
		const [smiles, ...rest] = line.split(/\s+/);
		if (ligands.length === 0 && /^smiles$/i.test(smiles)) continue;
		const name = rest.join(' ').replace(/[\u0000-\u001f\u007f]/g, '').trim() || `ligand_${ligands.length + 1}`;
		const where = { line: i + 1, field: 'ligand', record: name };
		if (smiles.length > MAX_SMILES_LENGTH) issues.push({ ...where, message: `the SMILES has ${smiles.length} characters; at most ${MAX_SMILES_LENGTH}` });
		else if (!SMILES_CHARACTERS.test(smiles) || !/[A-Za-z]/.test(smiles)) {
			const bad = [...smiles].find((c) => !SMILES_CHARACTERS.test(c));
			issues.push({ ...where, message: bad ? `'${bad}' cannot appear in a SMILES` : 'a SMILES needs at least one atom' });
		} else if (name.length > MAX_NAME_LENGTH) issues.push({ ...where, message: `the name has ${name.length} characters; at most ${MAX_NAME_LENGTH}` });
		ligands.push({ name, smiles });
		if (issues.length >= 50) break;
	}
	checkCount(ligands, issues);
	renameRepeats(ligands, 'name', 'ligand', notices);
	return { ligands, issues, notices };
}

/** SDF records, one ligand each; 2D records are noted (the worker makes 3D coordinates). */
export function parseSdfLigands(text: string): LigandParse {
	const parsed = parseSdf(text, Number.MAX_SAFE_INTEGER);
	const issues: InputIssue[] = parsed.issues.map((i) => ({ ...i, field: i.record === undefined ? 'ligands' : 'ligand' }));
	const notices = [...parsed.notices];
	const ligands: LigandInput[] = [];
	for (const record of parsed.records) {
		const name = record.id.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, MAX_NAME_LENGTH) || `ligand_${ligands.length + 1}`;
		const molblock = record.molblock!;
		if (molblock.length > MAX_SDF_CHARS) issues.push({ record: name, message: `the SDF record has ${molblock.length} characters; at most ${MAX_SDF_CHARS}` });
		if (isFlatMolblock(molblock)) notices.push(`ligand '${name}' has 2D coordinates; 3D coordinates will be generated before docking`);
		ligands.push({ name, sdf: molblock });
	}
	checkCount(ligands, issues);
	renameRepeats(ligands, 'name', 'ligand', notices);
	return { ligands, issues, notices };
}
