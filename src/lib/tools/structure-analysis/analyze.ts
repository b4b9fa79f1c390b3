// Per-chain analysis of a parsed structure (first model).
import { dsspKey } from './dssp.ts';
import { dihedral, distance, radiusOfGyration, stats, type Stats } from './geometry.ts';
import type { Atom, Chain, MissingResidue, Residue, Structure } from './model.ts';
import { isNucleotideName, isPolymerName, isWater, oneLetter, parentOf } from './residues.ts';

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
 * Polymer residues: ATOM records, and HETATM records of modified residues
 * (MSE, SEP, ... or any named by MODRES). Everything else but water is a ligand.
 */
function isPolymerResidue(r: Residue, modified: Map<string, string>): boolean {
	if (!r.hetero) return !isWater(r.name);
	return parentOf(r.name, modified) !== r.name && isPolymerName(r.name, modified);
}

const backbone = (r: Residue, name: string): Atom | undefined => r.atoms.get(name);

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
	const aminoAcids = nucleic ? [] : polymer.filter((r) => isPolymerName(r.name, modified) && !isNucleotideName(r.name, modified));
	const angles: ResidueAngles[] = [];
	let breaks = 0;
	for (let i = 0; i < aminoAcids.length; i++) {
		const r = aminoAcids[i];
		const prev = i > 0 ? aminoAcids[i - 1] : undefined;
		const next = i + 1 < aminoAcids.length ? aminoAcids[i + 1] : undefined;
		const n = backbone(r, 'N'), ca = backbone(r, 'CA'), c = backbone(r, 'C');
		const prevC = prev && backbone(prev, 'C');
		const nextN = next && backbone(next, 'N');
		const linkedBefore = prevC && n && distance(prevC, n) < MAX_PEPTIDE_BOND;
		const linkedAfter = nextN && c && distance(c, nextN) < MAX_PEPTIDE_BOND;
		if (next && !linkedAfter) breaks++;
		const ss = dssp ? (dssp.get(dsspKey(chain.id, r.seq, r.icode)) ?? '-') : null;
		angles.push({
			name: r.name,
			seq: r.seq,
			icode: r.icode,
			phi: linkedBefore && ca && c ? dihedral(prevC, n, ca, c) : null,
			psi: linkedAfter && n && ca ? dihedral(n, ca, c, nextN) : null,
			ss
		});
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
		bFactor: stats(atoms.map((a) => a.bFactor)),
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
