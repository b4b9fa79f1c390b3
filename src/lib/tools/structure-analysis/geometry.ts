// Geometry on atom coordinates: dihedrals (IUPAC sign), radius of gyration
// and summary statistics.
import type { Atom } from './model.ts';

/** Dihedral angle a-b-c-d in degrees, in (-180, 180] (Biopython's calc_dihedral convention). */
export function dihedral(a: Atom, b: Atom, c: Atom, d: Atom): number {
	const b1x = b.x - a.x, b1y = b.y - a.y, b1z = b.z - a.z;
	const b2x = c.x - b.x, b2y = c.y - b.y, b2z = c.z - b.z;
	const b3x = d.x - c.x, b3y = d.y - c.y, b3z = d.z - c.z;
	// n1 = b1 x b2, n2 = b2 x b3
	const n1x = b1y * b2z - b1z * b2y, n1y = b1z * b2x - b1x * b2z, n1z = b1x * b2y - b1y * b2x;
	const n2x = b2y * b3z - b2z * b3y, n2y = b2z * b3x - b2x * b3z, n2z = b2x * b3y - b2y * b3x;
	// Wikipedia's atan2 form: y = |b2| b1 . (b2 x b3), x = (b1 x b2) . (b2 x b3).
	const y = Math.hypot(b2x, b2y, b2z) * (b1x * n2x + b1y * n2y + b1z * n2z);
	const x = n1x * n2x + n1y * n2y + n1z * n2z;
	return (Math.atan2(y, x) * 180) / Math.PI;
}

export function distance(a: Atom, b: Atom): number {
	return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

/**
 * Radius of gyration with every atom weighted equally: the root mean square
 * distance of the atoms from their centroid (no masses, so hydrogens and
 * unknown elements need no table).
 */
export function radiusOfGyration(atoms: Atom[]): number {
	const n = atoms.length;
	if (n === 0) return NaN;
	let cx = 0, cy = 0, cz = 0;
	for (const a of atoms) {
		cx += a.x;
		cy += a.y;
		cz += a.z;
	}
	cx /= n;
	cy /= n;
	cz /= n;
	let sum = 0;
	for (const a of atoms) sum += (a.x - cx) ** 2 + (a.y - cy) ** 2 + (a.z - cz) ** 2;
	return Math.sqrt(sum / n);
}

export interface Stats {
	mean: number;
	/** Population standard deviation. */
	sd: number;
	min: number;
	median: number;
	max: number;
}

export function stats(values: ArrayLike<number>): Stats {
	const n = values.length;
	if (n === 0) return { mean: NaN, sd: NaN, min: NaN, median: NaN, max: NaN };
	// A typed array sorts numerically, without a comparator call per step.
	const sorted = Float64Array.from(values).sort();
	let sum = 0;
	for (let i = 0; i < n; i++) sum += sorted[i];
	const mean = sum / n;
	let ss = 0;
	for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
	const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	return { mean, sd: Math.sqrt(ss / n), min: sorted[0], median, max: sorted[n - 1] };
}
