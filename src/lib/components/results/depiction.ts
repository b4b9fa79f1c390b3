// 2D depictions for the page: RDKit draws (in its Web Worker, `#rdkit`) and
// sanitizeSvg rebuilds the drawing before it reaches {@html}.
import { molecules } from '#rdkit';
import { sanitizeSvg } from './svg-sanitize.ts';

/** A sanitised SVG depiction of a SMILES string or molblock, or null when RDKit cannot read it. */
export async function depictMolecule(structure: string, width = 260, height = 200): Promise<string | null> {
	const svg = await molecules.depict(structure, { width, height });
	return svg === null ? null : sanitizeSvg(svg) || null;
}
