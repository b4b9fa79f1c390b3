// The search box Vina samples: given outright, or the extent of a bound
// ligand's or of chosen residues' atoms plus padding on every side.
import type { InputIssue } from '../types.ts';
import { residueKey, residueLabel, heteroGroups, type PdbAtom, type ReceptorStructure } from './receptor.ts';
import { LARGE_BOX_VOLUME, MAX_BOX_SIDE, RESIDUE_SPEC, type BoxInput } from './schema.ts';
import { count } from '#lib/ui/plural.ts';

export type Vec3 = [number, number, number];

export interface SearchBox {
	center: Vec3;
	size: Vec3;
	/** How it was placed, for the result: "manual", "around STI A201 + 4 Å", ... */
	source: string;
}

export interface ResolvedBox {
	box: SearchBox;
	/** Residue keys to leave out of the receptor (the ligand whose site is docked into). */
	exclude: Set<string>;
	notes: string[];
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
const AXES = ['x', 'y', 'z'] as const;

function boxAround(atoms: PdbAtom[], padding: number): { center: Vec3; size: Vec3 } {
	const min: Vec3 = [Infinity, Infinity, Infinity];
	const max: Vec3 = [-Infinity, -Infinity, -Infinity];
	for (const a of atoms) {
		const p = [a.x, a.y, a.z];
		for (let k = 0; k < 3; k++) {
			min[k] = Math.min(min[k], p[k]);
			max[k] = Math.max(max[k], p[k]);
		}
	}
	return {
		center: [0, 1, 2].map((k) => round3((min[k] + max[k]) / 2)) as Vec3,
		size: [0, 1, 2].map((k) => round3(max[k] - min[k] + 2 * padding)) as Vec3
	};
}

function checkSides(size: Vec3, what: string): InputIssue[] {
	const issues: InputIssue[] = [];
	size.forEach((side, k) => {
		if (side > MAX_BOX_SIDE) {
			issues.push({ field: 'search box', message: `the box ${what} is ${side} Å along ${AXES[k]}; at most ${MAX_BOX_SIDE} Å (choose fewer residues or less padding)` });
		} else if (side < 1) {
			issues.push({ field: 'search box', message: `the box ${what} is ${side} Å along ${AXES[k]}; add padding so the ligand fits` });
		}
	});
	return issues;
}

function largeBoxNote(size: Vec3): string[] {
	const volume = size[0] * size[1] * size[2];
	return volume > LARGE_BOX_VOLUME
		? [`the search box is ${Math.round(volume)} Å³; above ${LARGE_BOX_VOLUME} Å³ Vina may miss the best pose unless exhaustiveness is raised`]
		: [];
}

export function resolveBox(structure: ReceptorStructure, spec: BoxInput): { ok: true; resolved: ResolvedBox } | { ok: false; issues: InputIssue[] } {
	if (spec.mode === 'manual') {
		const size = spec.size.map(round3) as Vec3;
		return {
			ok: true,
			resolved: { box: { center: spec.center.map(round3) as Vec3, size, source: 'manual' }, exclude: new Set(), notes: largeBoxNote(size) }
		};
	}
	if (spec.mode === 'ligand') {
		const resname = spec.resname.toUpperCase();
		const matching = structure.atoms.filter(
			(a) =>
				a.hetero &&
				a.resName.toUpperCase() === resname &&
				(spec.chain === undefined || a.chain === spec.chain) &&
				(spec.resnum === undefined || a.resSeq === spec.resnum)
		);
		if (matching.length === 0) {
			const wanted = [resname, spec.chain && `chain ${spec.chain}`, spec.resnum !== undefined && `number ${spec.resnum}`].filter(Boolean).join(', ');
			const present = heteroGroups(structure).map((g) => g.label);
			const listed = present.length ? `hetero groups in the receptor: ${present.slice(0, 12).join(', ')}${present.length > 12 ? ', ...' : ''}` : 'the receptor has no hetero groups (HETATM); give the box by center and size or by residues';
			return { ok: false, issues: [{ field: 'search box', message: `no hetero group ${wanted} in the receptor; ${listed}` }] };
		}
		const first = residueKey(matching[0]);
		const instances = [...new Set(matching.map(residueKey))];
		const atoms = matching.filter((a) => residueKey(a) === first);
		const label = residueLabel(atoms[0]);
		const { center, size } = boxAround(atoms, spec.padding);
		const issues = checkSides(size, `around ${label}`);
		if (issues.length) return { ok: false, issues };
		const notes = [`${label} was removed from the receptor so its site is free for docking`];
		if (instances.length > 1) {
			const labels = instances.map((k) => residueLabel(matching.find((a) => residueKey(a) === k)!));
			notes.push(`${resname} occurs ${instances.length} times (${labels.join(', ')}); the box is around the first, ${label}`);
		}
		return {
			ok: true,
			resolved: { box: { center, size, source: `around ${label} + ${spec.padding} Å` }, exclude: new Set([first]), notes: [...notes, ...largeBoxNote(size)] }
		};
	}
	const issues: InputIssue[] = [];
	const atoms: PdbAtom[] = [];
	for (const text of spec.residues) {
		const [, chain, number, iCode] = RESIDUE_SPEC.exec(text) ?? [];
		const found = structure.atoms.filter(
			(a) => (chain === undefined || a.chain === chain) && a.resSeq === Number(number) && a.iCode === (iCode ?? '')
		);
		if (found.length === 0) issues.push({ field: 'search box', message: `residue ${text} is not in the receptor` });
		atoms.push(...found);
	}
	if (issues.length) return { ok: false, issues };
	const { center, size } = boxAround(atoms, spec.padding);
	const what = `around ${spec.residues.length === 1 ? `residue ${spec.residues[0]}` : count(spec.residues.length, 'residue')}`;
	const sideIssues = checkSides(size, what);
	if (sideIssues.length) return { ok: false, issues: sideIssues };
	return {
		ok: true,
		resolved: { box: { center, size, source: `${what} + ${spec.padding} Å` }, exclude: new Set(), notes: largeBoxNote(size) }
	};
}
