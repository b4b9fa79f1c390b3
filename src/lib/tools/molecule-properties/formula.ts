// Molecular formula in Hill order from RDKit's commonchem JSON (as RDKit's
// CalcMolFormula writes it: C, H, then alphabetical; no carbon: all
// alphabetical; net charge appended as +, -, +2, -2 ...).
import { elementSymbol } from '#lib/rdkit/elements.ts';

interface CommonChemAtom {
	z?: number;
	impHs?: number;
	chg?: number;
}

export function formulaFromJson(json: string): string {
	const doc = JSON.parse(json) as {
		defaults?: { atom?: CommonChemAtom };
		molecules: Array<{ atoms: CommonChemAtom[] }>;
	};
	const defaults = doc.defaults?.atom ?? {};
	const counts = new Map<string, number>();
	let charge = 0;
	const add = (symbol: string, n: number) => counts.set(symbol, (counts.get(symbol) ?? 0) + n);
	for (const atom of doc.molecules[0]?.atoms ?? []) {
		const z = atom.z ?? defaults.z ?? 6;
		add(elementSymbol(z), 1);
		const hs = atom.impHs ?? defaults.impHs ?? 0;
		if (hs) add('H', hs);
		charge += atom.chg ?? defaults.chg ?? 0;
	}
	const part = (symbol: string) => {
		const n = counts.get(symbol)!;
		return n === 1 ? symbol : `${symbol}${n}`;
	};
	const symbols = [...counts.keys()].filter((s) => counts.get(s)! > 0);
	let order: string[];
	if (counts.has('C')) {
		order = ['C', ...(counts.has('H') ? ['H'] : []), ...symbols.filter((s) => s !== 'C' && s !== 'H').sort()];
	} else order = symbols.sort();
	let formula = order.map(part).join('');
	if (charge > 0) formula += charge === 1 ? '+' : `+${charge}`;
	else if (charge < 0) formula += charge === -1 ? '-' : `${charge}`;
	return formula;
}
