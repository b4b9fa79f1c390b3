// Properties of one molecule with RDKit's own descriptor implementations.
import type { RDKit } from './rdkit-loader.ts';
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

/** RDKit's log lines without their time stamps, joined into one sentence. */
export function cleanRdkitLog(buffer: string): string {
	const lines = buffer
		.split('\n')
		.map((l) => l.replace(/^\[\d\d:\d\d:\d\d\]\s*/, '').trim())
		.filter((l) => l !== '' && !/^~*\^$/.test(l));
	return lines.slice(0, 2).join('; ') || 'RDKit could not read the molecule';
}

/** Parses a SMILES string or molblock; the reason is RDKit's own message. */
export function withMolecule<T>(rdkit: RDKit, text: string, use: (mol: NonNullable<ReturnType<RDKit['get_mol']>>) => T): { ok: true; value: T } | { ok: false; reason: string } {
	const log = rdkit.set_log_capture('rdApp.error');
	let mol: ReturnType<RDKit['get_mol']> = null;
	try {
		mol = rdkit.get_mol(text);
		if (!mol || !mol.is_valid()) {
			return { ok: false, reason: cleanRdkitLog(log?.get_buffer() ?? '') };
		}
		return { ok: true, value: use(mol) };
	} finally {
		mol?.delete();
		log?.clear_buffer();
		log?.delete();
	}
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
