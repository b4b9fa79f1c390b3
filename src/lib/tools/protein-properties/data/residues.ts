// Per-residue constants, indexed like PROTEIN_RESIDUES: the 20 standard
// amino acids (ACDEFGHIKLMNPQRSTVWY), then selenocysteine (U) and
// pyrrolysine (O), which only have masses.

/** Free amino-acid masses (IUPAC average atomic weights), as Biopython's IUPACData.protein_weights. */
export const AVERAGE_MASS = [
	89.0932, 121.1582, 133.1027, 147.1293, 165.1891, 75.0666, 155.1546, 131.1729, 146.1876, 131.1729,
	149.2113, 132.1179, 115.1305, 146.1445, 174.201, 105.0926, 119.1192, 117.1463, 204.2252, 181.1885,
	168.0532, 255.3134
];
/** Free amino-acid monoisotopic masses, as Biopython's IUPACData.monoisotopic_protein_weights. */
export const MONOISOTOPIC_MASS = [
	89.047678, 121.019749, 133.037508, 147.053158, 165.078979, 75.032028, 155.069477, 131.094629, 146.105528,
	131.094629, 149.051049, 132.053492, 115.063329, 146.069142, 174.111676, 105.042593, 119.058243, 117.078979,
	204.089878, 181.073893, 168.964203, 255.158292
];
/** Water lost per peptide bond (Biopython's constants). */
export const WATER_AVERAGE = 18.0153;
export const WATER_MONOISOTOPIC = 18.010565;

/** Kyte & Doolittle (1982) hydropathy; the 20 standard residues only (the scale has no U or O). */
export const KYTE_DOOLITTLE = [
	1.8, 2.5, -3.5, -3.5, 2.8, -0.4, -3.2, 4.5, -3.9, 3.8, 1.9, -3.5, -1.6, -3.5, -4.5, -0.8, -0.7, 4.2, -0.9, -1.3
];

/**
 * Estimated half-life by the N-terminal residue (N-end rule), as ExPASy
 * ProtParam reports it: mammalian reticulocytes in vitro, yeast in vivo,
 * E. coli in vivo.
 */
export const HALF_LIFE: Record<string, [string, string, string]> = {
	A: ['4.4 hours', '>20 hours', '>10 hours'],
	C: ['1.2 hours', '>20 hours', '>10 hours'],
	D: ['1.1 hours', '3 min', '>10 hours'],
	E: ['1 hour', '30 min', '>10 hours'],
	F: ['1.1 hours', '3 min', '2 min'],
	G: ['30 hours', '>20 hours', '>10 hours'],
	H: ['3.5 hours', '10 min', '>10 hours'],
	I: ['20 hours', '30 min', '>10 hours'],
	K: ['1.3 hours', '3 min', '2 min'],
	L: ['5.5 hours', '3 min', '2 min'],
	M: ['30 hours', '>20 hours', '>10 hours'],
	N: ['1.4 hours', '3 min', '>10 hours'],
	P: ['>20 hours', '>20 hours', 'unknown'],
	Q: ['0.8 hour', '10 min', '>10 hours'],
	R: ['1 hour', '2 min', '2 min'],
	S: ['1.9 hours', '>20 hours', '>10 hours'],
	T: ['7.2 hours', '>20 hours', '>10 hours'],
	V: ['100 hours', '>20 hours', '>10 hours'],
	W: ['2.8 hours', '3 min', '2 min'],
	Y: ['2.8 hours', '10 min', '2 min']
};
