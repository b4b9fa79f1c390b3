// The parsed structure both readers (PDB, mmCIF) produce: the first model
// only; per residue one atom per name (the most occupied conformer), with
// every conformer kept aside for the few places that choose differently.

export interface Atom {
	name: string;
	element: string;
	/** Alternate location label, '' when none. */
	altloc: string;
	x: number;
	y: number;
	z: number;
	occupancy: number;
	bFactor: number;
}

export interface Residue {
	name: string;
	/** Author residue number and insertion code (blank when none). */
	seq: number;
	icode: string;
	/** Written as HETATM. */
	hetero: boolean;
	/** One atom per name: the most occupied conformer (the first of equals). */
	atoms: Map<string, Atom>;
	/** Every conformer, in file order, of the atoms given more than one; absent when none are. */
	conformers?: Map<string, Atom[]>;
}

/** A residue's identity within a structure: author chain, number and insertion code. */
export const residueKey = (chain: string, seq: number, icode: string) => `${chain}|${seq}|${icode}`;

/** All conformers of one atom, in file order (none when the residue lacks it). */
export function conformersOf(r: Residue, name: string): Atom[] {
	const all = r.conformers?.get(name);
	if (all) return all;
	const atom = r.atoms.get(name);
	return atom ? [atom] : [];
}

export interface MissingResidue {
	name: string;
	seq: number;
	icode: string;
}

export interface Chain {
	id: string;
	/** Observed residues in file order. */
	residues: Residue[];
	/** SEQRES (PDB) or _pdbx_poly_seq_scheme (mmCIF) residue names; empty when the file has none. */
	seqres: string[];
	/** REMARK 465 (PDB) or unobserved _pdbx_poly_seq_scheme rows (mmCIF); null when the file does not say. */
	missing: MissingResidue[] | null;
}

export interface Structure {
	name: string;
	format: 'pdb' | 'mmcif';
	models: number;
	chains: Chain[];
	/** Modified residue name -> standard parent (MODRES / _pdbx_struct_mod_residue). */
	modifiedParents: Map<string, string>;
	/** Conformers beyond the first of an atom (alternate locations). */
	alternateAtoms: number;
	/** Atoms the reader left out (see StructureBuilder). */
	atomsDropped: number;
}

function completelyDisordered(r: Residue): boolean {
	for (const a of r.atoms.values()) if (a.altloc === '') return false;
	if (r.conformers) for (const all of r.conformers.values()) for (const a of all) if (a.altloc === '') return false;
	return true;
}

/** The residues sharing one number and insertion code in a chain: one, or several for a point mutation. */
interface ResidueSlot {
	/** Where the chosen residue sits in chain.residues. */
	index: number;
	/** Residue types given as alternate locations (microheterogeneity), by name; null while there is one. */
	variants: Map<string, Residue> | null;
}

/**
 * Collects atoms into chains and residues, resolving alternate locations as
 * Biopython's StructureBuilder does: an atom's later conformer replaces the
 * kept one only when its occupancy is strictly higher (ties keep the first),
 * and of residue types given as alternate locations (a point mutation) the
 * one named last in the file is kept.
 */
export class StructureBuilder {
	private readonly chains = new Map<string, { chain: Chain; slots: Map<number | string, ResidueSlot> }>();
	/** The residue the previous atom went to: consecutive atoms nearly always share one. */
	private last: { chain: string; seq: number; icode: string; name: string; residue: Residue | null } | null = null;
	/** Conformers beyond the first of an atom. */
	alternateAtoms = 0;
	/** Atoms left out: repeated without an alternate location, or of a residue type refused at a taken number. */
	atomsDropped = 0;

	private chainEntry(id: string) {
		let entry = this.chains.get(id);
		if (!entry) {
			entry = { chain: { id, residues: [], seqres: [], missing: null }, slots: new Map() };
			this.chains.set(id, entry);
		}
		return entry;
	}

	/**
	 * The residue an atom goes to, or null when it is dropped: a second
	 * ATOM residue type under one number is a point mutation only when every
	 * atom of the first has an alternate location; otherwise Biopython
	 * refuses it, and so do we.
	 */
	private residueFor(chainId: string, resName: string, seq: number, icode: string, hetero: boolean): Residue | null {
		const entry = this.chainEntry(chainId);
		// Numbers without insertion codes, nearly all of them, are their own keys: no string to build.
		const key: number | string = icode === '' ? seq : `${seq}|${icode}`;
		const residues = entry.chain.residues;
		const slot = entry.slots.get(key);
		if (!slot) {
			const residue: Residue = { name: resName, seq, icode, hetero, atoms: new Map() };
			entry.slots.set(key, { index: residues.length, variants: null });
			residues.push(residue);
			return residue;
		}
		const current = residues[slot.index];
		let residue = current.name === resName ? current : slot.variants?.get(resName);
		if (!residue) {
			if (hetero || current.hetero) {
				// Biopython keys HETATM groups by name: a ligand or water reusing a number is a residue of its own.
				const otherKey = `${key}|${resName}`;
				const other = entry.slots.get(otherKey);
				if (other) return residues[other.index];
				residue = { name: resName, seq, icode, hetero, atoms: new Map() };
				entry.slots.set(otherKey, { index: residues.length, variants: null });
				residues.push(residue);
				return residue;
			}
			if (slot.variants === null && !completelyDisordered(current)) return null;
			slot.variants ??= new Map([[current.name, current]]);
			residue = { name: resName, seq, icode, hetero, atoms: new Map() };
			slot.variants.set(resName, residue);
		}
		// Of the residue types at one place, the one named last in the file is kept.
		residues[slot.index] = residue;
		return residue;
	}

	addAtom(chainId: string, resName: string, seq: number, icode: string, hetero: boolean, atom: Atom): void {
		const last = this.last;
		let residue: Residue | null;
		if (last && last.seq === seq && last.chain === chainId && last.icode === icode && last.name === resName) residue = last.residue;
		else {
			residue = this.residueFor(chainId, resName, seq, icode, hetero);
			this.last = { chain: chainId, seq, icode, name: resName, residue };
		}
		if (!residue) {
			this.atomsDropped++;
			return;
		}
		const kept = residue.atoms.get(atom.name);
		if (!kept) {
			residue.atoms.set(atom.name, atom);
			return;
		}
		// The same atom twice without alternate locations: an error in the file; the first stays (as in Biopython).
		if (atom.altloc === '' && kept.altloc === '') {
			this.atomsDropped++;
			return;
		}
		this.alternateAtoms++;
		residue.conformers ??= new Map();
		let all = residue.conformers.get(atom.name);
		if (!all) residue.conformers.set(atom.name, (all = [kept]));
		all.push(atom);
		if (atom.occupancy > kept.occupancy) residue.atoms.set(atom.name, atom);
	}

	build(name: string, format: 'pdb' | 'mmcif', models: number, modifiedParents: Map<string, string>): Structure {
		return {
			name,
			format,
			models,
			chains: [...this.chains.values()].map((e) => e.chain),
			modifiedParents,
			alternateAtoms: this.alternateAtoms,
			atomsDropped: this.atomsDropped
		};
	}
}
