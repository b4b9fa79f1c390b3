// Residue names: one-letter codes, polymer membership and waters.
import type { Residue } from './model.ts';

const AMINO: Record<string, string> = {
	ALA: 'A', ARG: 'R', ASN: 'N', ASP: 'D', CYS: 'C', GLN: 'Q', GLU: 'E', GLY: 'G', HIS: 'H', ILE: 'I',
	LEU: 'L', LYS: 'K', MET: 'M', PHE: 'F', PRO: 'P', SER: 'S', THR: 'T', TRP: 'W', TYR: 'Y', VAL: 'V',
	SEC: 'U', PYL: 'O', ASX: 'B', GLX: 'Z', UNK: 'X'
};

const NUCLEIC: Record<string, string> = {
	A: 'A', C: 'C', G: 'G', U: 'U', I: 'I', T: 'T', N: 'N',
	DA: 'A', DC: 'C', DG: 'G', DT: 'T', DU: 'U', DI: 'I', DN: 'N'
};

/** Modified residues common enough to know without MODRES records. */
const COMMON_MODIFIED: Record<string, string> = {
	MSE: 'MET', SEP: 'SER', TPO: 'THR', PTR: 'TYR', HYP: 'PRO', MLY: 'LYS', CSO: 'CYS', CSD: 'CYS',
	KCX: 'LYS', LLP: 'LYS', PCA: 'GLN', CME: 'CYS', OCS: 'CYS', M3L: 'LYS', MLZ: 'LYS', SCH: 'CYS',
	CAS: 'CYS', CSX: 'CYS', ALY: 'LYS', NEP: 'HIS', HIC: 'HIS', TYS: 'TYR', FME: 'MET', DAL: 'ALA',
	'5MC': 'C', PSU: 'U', H2U: 'U', '1MA': 'A', '2MG': 'G', M2G: 'G', '7MG': 'G', OMC: 'C', OMG: 'G'
};

const WATERS = new Set(['HOH', 'DOD', 'WAT', 'H2O', 'OH2', 'TIP', 'TIP3', 'SOL']);

export const isWater = (name: string) => WATERS.has(name);

export function isStandardAminoAcid(name: string): boolean {
	return Object.hasOwn(AMINO, name) && name !== 'ASX' && name !== 'GLX' && name !== 'UNK' && name !== 'SEC' && name !== 'PYL';
}

/** Standard parent of a residue name, through the file's MODRES records and a short built-in list. */
export function parentOf(name: string, modified: Map<string, string>): string {
	return modified.get(name) ?? (Object.hasOwn(COMMON_MODIFIED, name) ? COMMON_MODIFIED[name] : name);
}

/** One-letter code of a polymer residue, 'X' when unknown. */
export function oneLetter(name: string, modified: Map<string, string>): string {
	const parent = parentOf(name, modified);
	if (Object.hasOwn(AMINO, parent)) return AMINO[parent];
	if (Object.hasOwn(NUCLEIC, parent)) return NUCLEIC[parent];
	return 'X';
}

/** Whether a residue name belongs to a polymer chain (amino acid, nucleotide or known modified form). */
export function isPolymerName(name: string, modified: Map<string, string>): boolean {
	const parent = parentOf(name, modified);
	return Object.hasOwn(AMINO, parent) || Object.hasOwn(NUCLEIC, parent);
}

export function isNucleotideName(name: string, modified: Map<string, string>): boolean {
	return Object.hasOwn(NUCLEIC, parentOf(name, modified));
}

/**
 * Polymer residues: ATOM records, and HETATM records of modified residues
 * (MSE, SEP, ... or any named by MODRES). Everything else but water is a ligand.
 */
export function isPolymerResidue(r: Residue, modified: Map<string, string>): boolean {
	if (!r.hetero) return !isWater(r.name);
	return parentOf(r.name, modified) !== r.name && isPolymerName(r.name, modified);
}

/** A polymer residue that is an amino acid (has phi/psi and a DSSP state). */
export function isAminoAcidResidue(r: Residue, modified: Map<string, string>): boolean {
	return isPolymerResidue(r, modified) && isPolymerName(r.name, modified) && !isNucleotideName(r.name, modified);
}
