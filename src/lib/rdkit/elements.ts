// Element symbols from RDKit's commonchem JSON (mol.get_json()): the
// periodic table by atomic number, and the molecule's atoms grouped into
// fragments (connected by bonds), as Open Babel's -r ("keep the largest
// fragment") would see them.
export const ELEMENT_SYMBOLS = (
	'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
	'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu ' +
	'Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr ' +
	'Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og'
).split(' ');

/** The symbol of atomic number `z`; 0 (a dummy atom, "*" in SMILES) is "*". */
export function elementSymbol(z: number): string {
	return z === 0 ? '*' : (ELEMENT_SYMBOLS[z - 1] ?? `element ${z}`);
}

interface CommonChem {
	defaults?: { atom?: { z?: number } };
	molecules?: Array<{ atoms?: Array<{ z?: number }>; bonds?: Array<{ atoms?: number[] }> }>;
}

/**
 * Each fragment's distinct element symbols (sorted, implicit hydrogens not
 * counted), the fragment with the most heavy atoms first (the first one
 * written on a tie).
 */
export function fragmentElementsFromJson(json: string): string[][] {
	const doc = JSON.parse(json) as CommonChem;
	const molecule = doc.molecules?.[0];
	const atoms = molecule?.atoms ?? [];
	const defaultZ = doc.defaults?.atom?.z ?? 6;
	const parent = atoms.map((_, i) => i);
	const root = (i: number): number => {
		while (parent[i] !== i) i = parent[i] = parent[parent[i]];
		return i;
	};
	for (const bond of molecule?.bonds ?? []) {
		const [a, b] = bond.atoms ?? [];
		if (a === undefined || b === undefined || !atoms[a] || !atoms[b]) continue;
		parent[root(a)] = root(b);
	}
	const fragments = new Map<number, { symbols: Set<string>; heavy: number; first: number }>();
	atoms.forEach((atom, i) => {
		const z = atom.z ?? defaultZ;
		const r = root(i);
		let fragment = fragments.get(r);
		if (!fragment) fragments.set(r, (fragment = { symbols: new Set(), heavy: 0, first: i }));
		fragment.symbols.add(elementSymbol(z));
		if (z !== 1) fragment.heavy++;
	});
	return [...fragments.values()].sort((x, y) => y.heavy - x.heavy || x.first - y.first).map((f) => [...f.symbols].sort());
}
