// Properties of one molecule with RDKit's own descriptor implementations.
import type { RDKit } from '#lib/rdkit/load.ts';
import { withMolecule } from '#lib/rdkit/read-molecule.ts';
import { formulaFromJson } from './formula.ts';

export interface MoleculeProperties {
	canonicalSmiles: string;
	formula: string;
	exactMass: number;
	averageMass: number;
	clogp: number;
	tpsa: number;
	hbd: number;
	hba: number;
	/** Lipinski's own counts (NH + OH donors, N + O acceptors). */
	lipinskiHbd: number;
	lipinskiHba: number;
	rotatableBonds: number;
	heavyAtoms: number;
	rings: number;
	aromaticRings: number;
	aliphaticRings: number;
	lipinskiViolations: number;
	lipinskiPass: boolean;
	veberPass: boolean;
	inchi: string;
	inchiKey: string;
	svg: string;
}

export type MoleculeOutcome = { ok: true; props: MoleculeProperties } | { ok: false; reason: string };

interface Descriptors {
	exactmw: number;
	amw: number;
	CrippenClogP: number;
	tpsa: number;
	NumHBD: number;
	NumHBA: number;
	lipinskiHBD: number;
	lipinskiHBA: number;
	NumRotatableBonds: number;
	NumHeavyAtoms: number;
	NumRings: number;
	NumAromaticRings: number;
	NumAliphaticRings: number;
}

export function moleculeProperties(rdkit: RDKit, text: string, depiction: { width: number; height: number } | null): MoleculeOutcome {
	const outcome = withMolecule(rdkit, text, (mol): MoleculeProperties => {
		const d = JSON.parse(mol.get_descriptors()) as Descriptors;
		const inchi = mol.get_inchi();
		const violations =
			(d.amw > 500 ? 1 : 0) + (d.CrippenClogP > 5 ? 1 : 0) + (d.lipinskiHBD > 5 ? 1 : 0) + (d.lipinskiHBA > 10 ? 1 : 0);
		return {
			canonicalSmiles: mol.get_smiles(),
			formula: formulaFromJson(mol.get_json()),
			exactMass: d.exactmw,
			averageMass: d.amw,
			clogp: d.CrippenClogP,
			tpsa: d.tpsa,
			hbd: d.NumHBD,
			hba: d.NumHBA,
			lipinskiHbd: d.lipinskiHBD,
			lipinskiHba: d.lipinskiHBA,
			rotatableBonds: d.NumRotatableBonds,
			heavyAtoms: d.NumHeavyAtoms,
			rings: d.NumRings,
			aromaticRings: d.NumAromaticRings,
			aliphaticRings: d.NumAliphaticRings,
			lipinskiViolations: violations,
			// Rule of five: at most one violation.
			lipinskiPass: violations <= 1,
			// Veber (2002): <= 10 rotatable bonds and TPSA <= 140 A^2.
			veberPass: d.NumRotatableBonds <= 10 && d.tpsa <= 140,
			inchi,
			inchiKey: inchi ? rdkit.get_inchikey_for_inchi(inchi) : '',
			svg: depiction ? mol.get_svg(depiction.width, depiction.height) : ''
		};
	});
	return outcome.ok ? { ok: true, props: outcome.value } : outcome;
}
