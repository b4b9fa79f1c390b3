// Per-residue pLDDT from a predicted structure in PDB format. ESMFold writes
// each residue's pLDDT into the B-factor column of all of its atoms; we read
// it from the CA atom. Servers differ in the scale: the ESM Atlas API and the
// Hugging Face port write 0-1, the `esm` package's own PDB writer 0-100.
// Real pLDDT never stays at or below 1 on the 0-100 scale (the model's floor
// is far above it), so a structure whose CA values are all <= 1 is read as
// 0-1 and multiplied by 100. Everything returned is on the 0-100 scale.

export interface ResiduePlddt {
	chain: string;
	/** Residue number and insertion code as written in the file. */
	residue: string;
	resName: string;
	plddt: number;
}

export interface PlddtProfile {
	residues: ResiduePlddt[];
	/** The scale the file used. */
	scale: '0-1' | '0-100';
}

/** pLDDT at or above this is "confident" (AlphaFold/ESMFold convention). */
export const CONFIDENT_PLDDT = 70;

/**
 * CA atoms of the first model, one per residue (the first alternate location
 * wins). Throws when the text has no CA atoms or a B-factor is not a number.
 */
export function readPlddt(pdb: string): PlddtProfile {
	const residues: ResiduePlddt[] = [];
	const seen = new Set<string>();
	for (const line of pdb.split(/\r\n|\r|\n/)) {
		if (line.startsWith('ENDMDL')) break;
		if (!line.startsWith('ATOM  ') && !line.startsWith('HETATM')) continue;
		if (line.slice(12, 16).trim() !== 'CA') continue;
		const resName = line.slice(17, 20).trim();
		// Calcium ions are HETATM "CA" too; only amino-acid CA atoms count.
		if (line.startsWith('HETATM') && resName === 'CA') continue;
		const chain = line.slice(21, 22);
		const residue = line.slice(22, 27).trim();
		const key = `${chain}:${residue}`;
		if (seen.has(key)) continue;
		seen.add(key);
		const bFactor = Number(line.slice(60, 66));
		if (line.length < 66 || !Number.isFinite(bFactor) || line.slice(60, 66).trim() === '') {
			throw new Error(`PDB atom line for residue ${residue} has no B-factor (pLDDT)`);
		}
		residues.push({ chain: chain.trim(), residue, resName, plddt: bFactor });
	}
	if (!residues.length) throw new Error('the PDB text has no CA atoms');
	const fraction = residues.every((r) => r.plddt >= 0 && r.plddt <= 1);
	if (fraction) for (const r of residues) r.plddt *= 100;
	return { residues, scale: fraction ? '0-1' : '0-100' };
}

export function meanPlddt(values: number[]): number {
	return values.reduce((s, v) => s + v, 0) / values.length;
}

export function confidentFraction(values: number[]): number {
	return values.filter((v) => v >= CONFIDENT_PLDDT).length / values.length;
}
