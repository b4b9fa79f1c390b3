// Per-chain analysis of a parsed structure (first model).
import { dihedral, distance, radiusOfGyration, stats, type Stats } from './geometry.ts';
import { conformersOf, residueKey, type Atom, type Chain, type MissingResidue, type Residue, type Structure } from './model.ts';
import { isAminoAcidResidue, isNucleotideName, isPolymerResidue, isWater, oneLetter } from './residues.ts';

/** Longest C(i-1)-N(i) distance still read as a peptide bond (Biopython PPBuilder's 1.8 A). */
export const MAX_PEPTIDE_BOND = 1.8;

export interface ResidueAngles {
	name: string;
	seq: number;
	icode: string;
	/** Degrees; null at chain ends and breaks, or when a backbone atom is missing. */
	phi: number | null;
	psi: number | null;
	/** DSSP state ('H', 'G', 'I', 'E', 'B', 'T', 'S', 'P', '-'), null when unavailable. */
	ss: string | null;
}

export interface LigandCount {
	name: string;
	/** Separate groups (residues) with this name. */
	count: number;
	atoms: number;
}

export interface ChainAnalysis {
	structure: string;
	chain: string;
	kind: 'protein' | 'nucleic acid' | 'other';
	seqresSequence: string;
	observedSequence: string;
	residues: number;
	atoms: number;
	/** Unobserved residues listed by the file; null when it lists none and SEQRES cannot tell. */
	missing: MissingResidue[] | null;
	missingCount: number | null;
	/** Breaks in the observed backbone (C-N longer than a peptide bond). */
	breaks: number;
	ligands: LigandCount[];
	waters: number;
	radiusOfGyration: number;
	bFactor: Stats;
	angles: ResidueAngles[];
	/** DSSP string over the observed amino acids; null when unavailable. */
	secondaryStructure: string | null;
}

/**
 * The conformers of C (of `prev`) and N (of `next`) that form a peptide bond,
 * or null: the first pair in file order whose alternate locations match (or
 * one is blank) closer than MAX_PEPTIDE_BOND. Biopython's PPBuilder picks
 * the same pair and then uses it for phi and psi.
 */
function peptideBond(prev: Residue, next: Residue): [Atom, Atom] | null {
	if (!prev.conformers && !next.conformers) {
		const c = prev.atoms.get('C'), n = next.atoms.get('N');
		return c && n && distance(c, n) < MAX_PEPTIDE_BOND ? [c, n] : null;
	}
	const cs = conformersOf(prev, 'C');
	const ns = conformersOf(next, 'N');
	for (const n of ns) {
		for (const c of cs) {
			if ((n.altloc === c.altloc || n.altloc === '' || c.altloc === '') && distance(c, n) < MAX_PEPTIDE_BOND) return [c, n];
		}
	}
	return null;
}

export function analyzeChain(structure: Structure, chain: Chain, dssp: Map<string, string> | null): ChainAnalysis {
	const modified = structure.modifiedParents;
	const polymer: Residue[] = [];
	const ligands = new Map<string, LigandCount>();
	let waters = 0;
	for (const r of chain.residues) {
		if (isPolymerResidue(r, modified)) polymer.push(r);
		else if (isWater(r.name)) waters++;
		else {
			const l = ligands.get(r.name) ?? { name: r.name, count: 0, atoms: 0 };
			l.count++;
			l.atoms += r.atoms.size;
			ligands.set(r.name, l);
		}
	}
	const atoms: Atom[] = [];
	for (const r of polymer) for (const a of r.atoms.values()) atoms.push(a);

	const nucleic = polymer.length > 0 && polymer.every((r) => isNucleotideName(r.name, modified));
	const aminoAcids = nucleic ? [] : polymer.filter((r) => isAminoAcidResidue(r, modified));
	const angles: ResidueAngles[] = [];
	let breaks = 0;
	let bondBefore: [Atom, Atom] | null = null;
	for (let i = 0; i < aminoAcids.length; i++) {
		const r = aminoAcids[i];
		const next = i + 1 < aminoAcids.length ? aminoAcids[i + 1] : undefined;
		const bondAfter = next ? peptideBond(r, next) : null;
		if (next && !bondAfter) breaks++;
		// The bonded conformers stand in for the most occupied ones, as in Biopython.
		const n = bondBefore ? bondBefore[1] : r.atoms.get('N');
		const ca = r.atoms.get('CA');
		const c = bondAfter ? bondAfter[0] : r.atoms.get('C');
		const ss = dssp ? (dssp.get(residueKey(chain.id, r.seq, r.icode)) ?? '-') : null;
		angles.push({
			name: r.name,
			seq: r.seq,
			icode: r.icode,
			phi: bondBefore && ca && c ? dihedral(bondBefore[0], n!, ca, c) : null,
			psi: bondAfter && n && ca ? dihedral(n, ca, c!, bondAfter[1]) : null,
			ss
		});
		bondBefore = bondAfter;
	}

	const seqresSequence = chain.seqres.map((name) => oneLetter(name, modified)).join('');
	const observedSequence = polymer.map((r) => oneLetter(r.name, modified)).join('');
	const missingCount = chain.missing ? chain.missing.length : chain.seqres.length ? Math.max(0, chain.seqres.length - polymer.length) : null;
	return {
		structure: structure.name,
		chain: chain.id,
		kind: polymer.length === 0 ? 'other' : nucleic ? 'nucleic acid' : 'protein',
		seqresSequence,
		observedSequence,
		residues: polymer.length,
		atoms: atoms.length,
		missing: chain.missing,
		missingCount,
		breaks,
		ligands: [...ligands.values()],
		waters,
		radiusOfGyration: radiusOfGyration(atoms),
		bFactor: stats(Float64Array.from(atoms, (a) => a.bFactor)),
		angles,
		secondaryStructure: dssp && angles.length ? angles.map((a) => a.ss).join('') : null
	};
}

/** FASTA of the chain sequences: SEQRES where the file has it, else the observed residues. */
export function chainsFasta(chains: ChainAnalysis[]): string {
	const out: string[] = [];
	for (const c of chains) {
		const fromSeqres = c.seqresSequence.length > 0;
		const sequence = fromSeqres ? c.seqresSequence : c.observedSequence;
		if (!sequence) continue;
		out.push(`>${c.structure}_${c.chain.trim() || '_'} ${c.kind} length=${sequence.length} source=${fromSeqres ? 'SEQRES' : 'observed'}`);
		for (let i = 0; i < sequence.length; i += 60) out.push(sequence.slice(i, i + 60));
	}
	return out.length ? out.join('\n') + '\n' : '';
}
