// What AutoDock Vina 1.2 can type, shared by the form's check of the
// ligands (before anything is charged) and the worker's check of the
// prepared PDBQT files.

// AutoDock atom types Vina 1.2 reads (its atom_constants.h: the AutoDock
// kinds, Se read as S, and the metals it treats generically). Anything else
// (boron, noble gases, most metals) makes Vina stop with "not a valid
// AutoDock type", so it is caught before any docking starts.
export const VINA_ATOM_TYPES = new Set([
	'C', 'A', 'N', 'O', 'P', 'S', 'H', 'F', 'I', 'NA', 'OA', 'SA', 'HD', 'Mg', 'Mn', 'Zn', 'Ca', 'Fe', 'Cl', 'Br', 'Si', 'At',
	'G0', 'G1', 'G2', 'G3', 'CG0', 'CG1', 'CG2', 'CG3', 'W', 'Se', 'Cu', 'Na', 'K', 'Hg', 'Co', 'U', 'Cd', 'Ni'
]);

/**
 * Elements an atom of a ligand may be, so that Open Babel gives it one of
 * those types (the types above that are elements; G*, CG* and W are Vina's
 * own pseudo-atoms for macrocycles and waters).
 */
export const VINA_ELEMENTS = new Set([
	'C', 'N', 'O', 'P', 'S', 'H', 'F', 'I', 'Cl', 'Br', 'Si', 'At', 'Se', 'Mg', 'Mn', 'Zn', 'Ca', 'Fe', 'Cu', 'Na', 'K', 'Hg', 'Co', 'U', 'Cd', 'Ni'
]);

/**
 * Why the docked part of a ligand (its largest fragment, as Open Babel's -r
 * keeps it) cannot be docked, from its element symbols; null when it can.
 * Vina scores organic molecules: a ligand without carbon (a lone metal ion,
 * water) "docks" into a meaningless pose.
 */
export function ligandElementProblem(elements: readonly string[]): string | null {
	const unknown = elements.filter((e) => !VINA_ELEMENTS.has(e));
	if (unknown.length) {
		const named = unknown.map((e) => (e === '*' ? 'dummy atoms (*)' : e));
		return `AutoDock Vina has no atom type for ${named.join(', ')}; it docks molecules of C, H, N, O, S, P, Si, Se, halogens and a few metal ions`;
	}
	if (!elements.includes('C')) {
		return `it has no carbon (only ${elements.join(', ') || 'hydrogen'}); AutoDock Vina docks organic molecules, not lone ions or inorganic species`;
	}
	return null;
}
