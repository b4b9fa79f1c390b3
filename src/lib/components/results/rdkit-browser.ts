// RDKit (WebAssembly) in the browser, loaded on first use only: the .wasm is
// served by Vite from the package (the `?url` import gives its address).
import wasmUrl from '@rdkit/rdkit/RDKit_minimal.wasm?url';
import { loadRDKit, type RDKit } from '#lib/tools/molecule-properties/rdkit-loader.ts';
import { sanitizeSvg } from './svg-sanitize.ts';

export function browserRDKit(): Promise<RDKit> {
	return loadRDKit({ locateFile: () => wasmUrl });
}

/** A sanitised SVG depiction of a SMILES string or molblock, or null when RDKit cannot read it. */
export async function depictMolecule(structure: string, width = 260, height = 200): Promise<string | null> {
	const rdkit = await browserRDKit();
	const mol = rdkit.get_mol(structure);
	if (!mol) return null;
	try {
		if (!mol.is_valid()) return null;
		return sanitizeSvg(mol.get_svg(width, height)) || null;
	} finally {
		mol.delete();
	}
}
