// The receptor as the tool reads it from PDB text, before Open Babel sees
// it: the first model only, waters removed (a crystal water in the pocket
// blocks poses), one alternate location per residue, and, when the box is
// placed around a bound ligand, that ligand removed so its site is free.
// Pure text handling, so the form can check a receptor without the worker.
import type { InputIssue } from '../types.ts';
import { MAX_RECEPTOR_ATOMS } from './schema.ts';
import { count } from '#lib/ui/plural.ts';

export interface PdbAtom {
	hetero: boolean;
	name: string;
	resName: string;
	chain: string;
	resSeq: number;
	iCode: string;
	x: number;
	y: number;
	z: number;
	/** The line as written, with its alternate-location column blanked. */
	line: string;
}

export interface ReceptorStructure {
	atoms: PdbAtom[];
	watersRemoved: number;
	/** Atoms dropped because their residue's first alternate location was kept instead. */
	altLocsDropped: number;
	/** The file had more than one model; only the first is used. */
	otherModelsIgnored: boolean;
}

const WATER_NAMES = new Set(['HOH', 'WAT', 'H2O', 'DOD', 'TIP', 'TIP3', 'SOL']);
const MAX_ISSUES = 10;

export const residueKey = (a: Pick<PdbAtom, 'resName' | 'chain' | 'resSeq' | 'iCode'>) => `${a.chain}|${a.resSeq}|${a.iCode}|${a.resName}`;
/** As a scientist writes it: `STI A201`. */
export const residueLabel = (a: Pick<PdbAtom, 'resName' | 'chain' | 'resSeq' | 'iCode'>) => `${a.resName} ${a.chain}${a.resSeq}${a.iCode}`;

/** Why a text that is not PDB was given as the receptor, or null when it might be PDB. */
function wrongFormat(text: string): string | null {
	if (/^data_/m.test(text) && /^_atom_site\./m.test(text)) {
		return 'this is mmCIF; save the structure as PDB (e.g. with PyMOL or Open Babel) and give that';
	}
	if (/^M {2}END\s*$/m.test(text) || /^\$\$\$\$\s*$/m.test(text)) return 'this is an SDF/MOL file (a ligand?); the receptor must be a PDB file';
	if (/^(ROOT|TORSDOF)\b/m.test(text)) return 'this is a PDBQT ligand; give the receptor as a PDB file';
	return null;
}

/** PDBQT puts a charge and an AutoDock atom type where PDB has its element column. */
const PDBQT_TAIL = /^\s*[+-]?\d+\.\d{3} [A-Z][A-Za-z]?\s*$/;

export function readReceptor(text: string): { ok: true; structure: ReceptorStructure } | { ok: false; issues: InputIssue[] } {
	const field = 'receptor';
	if (text.trim() === '') return { ok: false, issues: [{ field, message: 'the receptor is empty: give a PDB file' }] };
	const wrong = wrongFormat(text);
	if (wrong) return { ok: false, issues: [{ field, message: wrong }] };
	const lines = text.split(/\r\n|\r|\n/);
	const issues: InputIssue[] = [];
	const atoms: PdbAtom[] = [];
	const firstAltLoc = new Map<string, string>();
	let watersRemoved = 0;
	let altLocsDropped = 0;
	let otherModelsIgnored = false;
	let seenModel = false;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		if (line.startsWith('MODEL')) {
			if (seenModel) {
				otherModelsIgnored = true;
				break;
			}
			seenModel = true;
			continue;
		}
		if (line.startsWith('ENDMDL')) {
			otherModelsIgnored = lines.slice(i + 1).some((l) => l.startsWith('ATOM  ') || l.startsWith('HETATM'));
			break;
		}
		const hetero = line.startsWith('HETATM');
		if (!hetero && !line.startsWith('ATOM  ')) continue;
		const where = { field, line: i + 1 };
		if (PDBQT_TAIL.test(line.slice(66))) {
			return { ok: false, issues: [{ ...where, message: 'this is PDBQT (charges and AutoDock types); give the PDB file, the tool prepares the PDBQT itself' }] };
		}
		const [x, y, z] = [line.slice(30, 38), line.slice(38, 46), line.slice(46, 54)].map((s) => (s.trim() === '' ? NaN : Number(s)));
		const resSeq = Number(line.slice(22, 26));
		if (line.length < 54 || ![x, y, z].every(Number.isFinite)) {
			if (issues.length < MAX_ISSUES) issues.push({ ...where, message: 'an atom line without readable x, y, z (PDB columns 31-54)' });
			continue;
		}
		if (line.slice(22, 26).trim() === '' || !Number.isInteger(resSeq)) {
			if (issues.length < MAX_ISSUES) issues.push({ ...where, message: 'an atom line without a residue number (PDB columns 23-26)' });
			continue;
		}
		const atom: PdbAtom = {
			hetero,
			name: line.slice(12, 16).trim(),
			resName: line.slice(17, 20).trim(),
			chain: line.slice(21, 22).trim(),
			resSeq,
			iCode: line.slice(26, 27).trim(),
			x,
			y,
			z,
			line: `${line.slice(0, 16)} ${line.slice(17, 80)}`.trimEnd()
		};
		if (WATER_NAMES.has(atom.resName.toUpperCase())) {
			watersRemoved++;
			continue;
		}
		const altLoc = line.slice(16, 17).trim();
		if (altLoc !== '') {
			const key = residueKey(atom);
			const first = firstAltLoc.get(key) ?? altLoc;
			firstAltLoc.set(key, first);
			if (altLoc !== first) {
				altLocsDropped++;
				continue;
			}
		}
		atoms.push(atom);
	}
	if (issues.length) return { ok: false, issues };
	if (atoms.length === 0) {
		return { ok: false, issues: [{ field, message: 'no ATOM or HETATM records: the receptor must be a PDB file' }] };
	}
	if (!atoms.some((a) => !a.hetero)) {
		return { ok: false, issues: [{ field, message: 'no ATOM records: the receptor must be a protein or nucleic acid structure, not only hetero groups' }] };
	}
	if (atoms.length > MAX_RECEPTOR_ATOMS) {
		return {
			ok: false,
			issues: [{ field, message: `${count(atoms.length, 'atom')}; at most ${MAX_RECEPTOR_ATOMS} are accepted (keep the chains around the binding site)` }]
		};
	}
	return { ok: true, structure: { atoms, watersRemoved, altLocsDropped, otherModelsIgnored } };
}

/** Hetero groups (ligands, ions, cofactors) in file order: the candidates for a box "around this ligand". */
export function heteroGroups(structure: ReceptorStructure): Array<{ label: string; resName: string; chain: string; resSeq: number; atoms: number }> {
	const groups = new Map<string, { label: string; resName: string; chain: string; resSeq: number; atoms: number }>();
	for (const a of structure.atoms) {
		if (!a.hetero) continue;
		const key = residueKey(a);
		const group = groups.get(key) ?? { label: residueLabel(a), resName: a.resName, chain: a.chain, resSeq: a.resSeq, atoms: 0 };
		group.atoms++;
		groups.set(key, group);
	}
	return [...groups.values()];
}

/** PDB text for Open Babel: the kept atoms, without the residues in `exclude` (residue keys). */
export function receptorPdbText(structure: ReceptorStructure, exclude: ReadonlySet<string>): string {
	const out: string[] = [];
	for (const a of structure.atoms) if (!exclude.has(residueKey(a))) out.push(a.line);
	out.push('END');
	return out.join('\n') + '\n';
}
