// What the shared viewers (src/lib/components/results) need from a file: the
// molecules of an SDF/MOL or SMILES file, named, for 2D depiction; and how to
// draw a structure file in 3D.
import { sdfRecords } from './structures.ts';

export interface NamedMolecule {
	id: string;
	/** A molblock, or a SMILES string. */
	structure: string;
}

/** Each record named by its title line (the molblock's first line). */
export function sdfMolecules(text: string): NamedMolecule[] {
	return sdfRecords(text).map((record, i) => ({ id: record.split(/\r?\n/, 1)[0].trim() || `Molecule ${i + 1}`, structure: record }));
}

/** "SMILES name" per line; '#' comments and a "smiles" header row skipped. */
export function smilesMolecules(text: string): NamedMolecule[] {
	const molecules: NamedMolecule[] = [];
	for (const raw of text.split(/\r?\n/)) {
		const line = raw.trim();
		if (!line || line.startsWith('#')) continue;
		const [smiles, ...rest] = line.split(/\s+/);
		if (molecules.length === 0 && /^smiles$/i.test(smiles)) continue;
		molecules.push({ id: rest.join(' ') || `Molecule ${molecules.length + 1}`, structure: smiles });
	}
	return molecules;
}

export function moleculesOf(text: string, format: string): NamedMolecule[] {
	return format === 'smiles' ? smilesMolecules(text) : sdfMolecules(text);
}

/**
 * Cartoon for proteins; sticks for a file without a protein backbone (a
 * ligand or docking poses as PDB), where a cartoon would draw nothing.
 */
export function structureStyle(text: string, format: string): 'cartoon' | 'ligand' {
	if (format !== 'pdb' && format !== 'pdbqt') return 'cartoon';
	return /^ATOM  .{6} CA /m.test(text) ? 'cartoon' : 'ligand';
}
