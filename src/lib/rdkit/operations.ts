// The MoleculeApi's work against one loaded RDKit, shared by the browser's
// RDKit worker and by Node, so both give the same answers.
import type { RDKit } from './load.ts';
import { fragmentElementsFromJson } from './elements.ts';
import type { MoleculeOperations } from './molecule-api.ts';
import { withMolecule } from './read-molecule.ts';

// Atoms as written: syntax is checked, chemistry (valence, aromaticity) is not.
const AS_WRITTEN = { sanitize: false, kekulize: false, removeHs: false };

export function moleculeOperations(rdkit: RDKit): MoleculeOperations {
	return {
		problems: (structures) =>
			structures.map((text) => {
				const read = withMolecule(rdkit, text, () => true);
				return read.ok ? null : read.reason;
			}),
		depict: (structure, { width, height }) => {
			const drawn = withMolecule(rdkit, structure, (mol) => mol.get_svg(width, height));
			return drawn.ok ? drawn.value : null;
		},
		elements: (structures) =>
			structures.map((text) => {
				const read = withMolecule(rdkit, text, (mol) => fragmentElementsFromJson(mol.get_json()), AS_WRITTEN);
				return read.ok ? { ok: true, fragments: read.value } : read;
			})
	};
}
