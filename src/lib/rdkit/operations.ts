// The MoleculeApi's work against one loaded RDKit, shared by the browser's
// RDKit worker and by Node, so both give the same answers.
import type { RDKit } from './load.ts';
import type { MoleculeOperations } from './molecule-api.ts';
import { withMolecule } from './read-molecule.ts';

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
		}
	};
}
