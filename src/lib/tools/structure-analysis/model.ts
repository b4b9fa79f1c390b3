// The parsed structure both readers (PDB, mmCIF) produce: the first model
// only, one atom per name after alternate locations are resolved.

export interface Atom {
	name: string;
	element: string;
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
	atoms: Map<string, Atom>;
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
	/** Atoms that lost to another alternate location. */
	altlocsDropped: number;
}

/**
 * Collects atoms into chains and residues. An alternate location replaces the
 * kept atom only when its occupancy is strictly higher, so ties keep the first
 * (Biopython's DisorderedAtom rule).
 */
export class StructureBuilder {
	private readonly chains = new Map<string, { chain: Chain; byKey: Map<string, Residue> }>();
	altlocsDropped = 0;

	chain(id: string): Chain {
		let entry = this.chains.get(id);
		if (!entry) {
			entry = { chain: { id, residues: [], seqres: [], missing: null }, byKey: new Map() };
			this.chains.set(id, entry);
		}
		return entry.chain;
	}

	addAtom(chainId: string, resName: string, seq: number, icode: string, hetero: boolean, altloc: string, atom: Atom): void {
		this.chain(chainId);
		const entry = this.chains.get(chainId)!;
		const key = `${seq}|${icode}`;
		let residue = entry.byKey.get(key);
		if (residue && residue.name !== resName) {
			// A point mutation in alternate locations: keep the first residue type.
			if (altloc !== '') {
				this.altlocsDropped++;
				return;
			}
			// Otherwise a different group reusing the number (e.g. a water): its own residue.
			const otherKey = `${key}|${resName}`;
			residue = entry.byKey.get(otherKey);
			if (!residue) {
				residue = { name: resName, seq, icode, hetero, atoms: new Map() };
				entry.byKey.set(otherKey, residue);
				entry.chain.residues.push(residue);
			}
		} else if (!residue) {
			residue = { name: resName, seq, icode, hetero, atoms: new Map() };
			entry.byKey.set(key, residue);
			entry.chain.residues.push(residue);
		}
		const kept = residue.atoms.get(atom.name);
		if (kept) {
			this.altlocsDropped++;
			if (atom.occupancy > kept.occupancy) residue.atoms.set(atom.name, atom);
			return;
		}
		residue.atoms.set(atom.name, atom);
	}

	build(name: string, format: 'pdb' | 'mmcif', models: number, modifiedParents: Map<string, string>): Structure {
		return {
			name,
			format,
			models,
			chains: [...this.chains.values()].map((e) => e.chain),
			modifiedParents,
			altlocsDropped: this.altlocsDropped
		};
	}
}
