// Reading what AutoDock Vina 1.2 writes: the progress bar and result table
// on stdout, and the poses (one MODEL each, "REMARK VINA RESULT: affinity
// rmsd_lb rmsd_ub") in its output PDBQT.
//
// Vina 1.2.3 prints every mode it found in the table but writes only those
// within energy_range of the best to the file (AutoDock-Vina issue #409).
// The tool reports the written poses, the ones energy_range asks for, with
// the file's three decimals; the table is read to check they agree.

import { VINA_ATOM_TYPES } from './vina-types.ts';
import { count } from '#lib/ui/plural.ts';

export interface VinaMode {
	mode: number;
	affinity: number;
	rmsdLb: number;
	rmsdUb: number;
}

export interface VinaPose extends VinaMode {
	/** The MODEL's PDBQT text, MODEL to ENDMDL. */
	pdbqt: string;
}

/** Stars in Vina's bar: "0%   10 ... 100%", "|----|...|", then 51 stars as the search runs. */
export const PROGRESS_STARS = 51;

/** Follows Vina's stdout chunk by chunk; `fraction` is how far the search has got. */
export class VinaProgress {
	#text = '';
	#barStart = -1;
	#stars = 0;

	push(chunk: string): void {
		if (this.#barStart === -1) {
			this.#text += chunk;
			const bar = this.#text.indexOf('|----|');
			if (bar === -1) return;
			const lineEnd = this.#text.indexOf('\n', bar);
			if (lineEnd === -1) return;
			this.#barStart = lineEnd + 1;
			chunk = this.#text.slice(this.#barStart);
			this.#text = '';
		}
		for (const c of chunk) if (c === '*') this.#stars++;
	}

	get searching(): boolean {
		return this.#barStart !== -1;
	}

	get fraction(): number {
		return Math.min(1, this.#stars / PROGRESS_STARS);
	}
}

const NUMBER = '(-?\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?)';
const TABLE_ROW = new RegExp(`^\\s*(\\d+)\\s+${NUMBER}\\s+${NUMBER}\\s+${NUMBER}\\s*$`);

/** The "mode | affinity | rmsd l.b. | rmsd u.b." table from Vina's stdout. */
export function parseVinaTable(stdout: string): VinaMode[] {
	const lines = stdout.split(/\r?\n/);
	const start = lines.findIndex((l) => l.startsWith('-----+'));
	if (start === -1) return [];
	const modes: VinaMode[] = [];
	for (const line of lines.slice(start + 1)) {
		const m = TABLE_ROW.exec(line);
		if (!m) break;
		modes.push({ mode: Number(m[1]), affinity: Number(m[2]), rmsdLb: Number(m[3]), rmsdUb: Number(m[4]) });
	}
	return modes;
}

/** The poses in Vina's output PDBQT, in file order (best first). */
export function parseVinaPoses(pdbqt: string): VinaPose[] {
	const poses: VinaPose[] = [];
	const blocks = pdbqt.split(/^(?=MODEL\b)/m).filter((b) => b.startsWith('MODEL'));
	for (const block of blocks) {
		const mode = Number(/^MODEL\s+(\d+)/.exec(block)?.[1]);
		const result = new RegExp(`^REMARK VINA RESULT:\\s+${NUMBER}\\s+${NUMBER}\\s+${NUMBER}`, 'm').exec(block);
		if (!Number.isInteger(mode) || !result) throw new Error(`Vina's output has a MODEL without a "REMARK VINA RESULT" line`);
		const end = block.search(/^ENDMDL/m);
		poses.push({
			mode,
			affinity: Number(result[1]),
			rmsdLb: Number(result[2]),
			rmsdUb: Number(result[3]),
			pdbqt: end === -1 ? block : block.slice(0, block.indexOf('\n', end) + 1 || block.length)
		});
	}
	return poses;
}

/**
 * The written poses must be the table's first modes (the table rounds
 * affinity to 4 significant digits, rmsd to 4). A mismatch means the output
 * was not read as Vina meant it; that is a fault, not a result.
 */
export function checkPosesAgainstTable(poses: VinaPose[], table: VinaMode[]): string | null {
	if (poses.length === 0) return 'Vina wrote no poses';
	if (table.length < poses.length) return `Vina's table lists ${table.length} modes but its file has ${poses.length}`;
	for (const [i, pose] of poses.entries()) {
		const row = table[i];
		const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(0.0051, Math.abs(b) * 5e-4);
		if (row.mode !== pose.mode || !close(pose.affinity, row.affinity) || !close(pose.rmsdLb, row.rmsdLb) || !close(pose.rmsdUb, row.rmsdUb)) {
			return `mode ${pose.mode} in Vina's file (${pose.affinity}, ${pose.rmsdLb}, ${pose.rmsdUb}) differs from its table (${row.affinity}, ${row.rmsdLb}, ${row.rmsdUb})`;
		}
	}
	return null;
}

/** Heavy atoms and active torsions of a prepared ligand PDBQT. */
export function ligandPdbqtStats(pdbqt: string): { atoms: number; heavyAtoms: number; torsions: number } {
	let atoms = 0;
	let heavyAtoms = 0;
	for (const line of pdbqt.split('\n')) {
		if (!line.startsWith('ATOM  ') && !line.startsWith('HETATM')) continue;
		atoms++;
		const type = line.slice(77, 79).trim();
		if (type !== 'HD' && type !== 'H' && type !== 'HS') heavyAtoms++;
	}
	const torsdof = /^TORSDOF\s+(\d+)/m.exec(pdbqt);
	const active = /^REMARK\s+(\d+)\s+active torsions/m.exec(pdbqt);
	return { atoms, heavyAtoms, torsions: Number(active?.[1] ?? torsdof?.[1] ?? 0) };
}

/**
 * Open Babel's SDF of the poses, retitled and with Vina's numbers as SDF
 * properties (Open Babel copies the PDBQT remarks in as odd properties).
 */
export function posesSdf(obabelSdf: string, ligand: string, poses: VinaMode[]): string {
	const records = obabelSdf.replace(/\r\n/g, '\n').split(/^\$\$\$\$\n?/m).filter((r) => r.trim() !== '');
	if (records.length !== poses.length) throw new Error(`Open Babel wrote ${count(records.length, 'SDF record')} for ${count(poses.length, 'pose')}`);
	return records
		.map((record, i) => {
			const pose = poses[i];
			const lines = record.split('\n');
			const end = lines.findIndex((l) => /^M {2}END/.test(l));
			const molblock = [`${ligand} mode ${pose.mode}`, ...lines.slice(1, end + 1)];
			const props: Array<[string, string | number]> = [
				['ligand', ligand],
				['mode', pose.mode],
				['affinity_kcal_mol', pose.affinity],
				['rmsd_lb', pose.rmsdLb],
				['rmsd_ub', pose.rmsdUb]
			];
			return `${molblock.join('\n')}\n${props.map(([k, v]) => `> <${k}>\n${v}\n`).join('\n')}\n$$$$\n`;
		})
		.join('');
}

/**
 * Open Babel's PDB of the poses, cleaned of the PDBQT remarks it copies in
 * (among them a malformed "MODEL n" line that stops some viewers), one MODEL
 * per pose (Open Babel writes none for a single pose) with a remark giving
 * Vina's numbers.
 */
export function posesPdb(obabelPdb: string, ligand: string, poses: VinaMode[]): string {
	const models: string[][] = [];
	let current: string[] | null = null;
	for (const line of obabelPdb.replace(/\r\n/g, '\n').split('\n')) {
		if (/^MODEL {4,}\d+/.test(line)) {
			current = [];
			models.push(current);
		} else if (line.startsWith('ENDMDL')) {
			current = null;
		} else if (/^(ATOM  |HETATM|CONECT|TER)/.test(line)) {
			if (!current) {
				current = [];
				models.push(current);
			}
			current.push(line);
		}
	}
	if (models.length !== poses.length) throw new Error(`Open Babel wrote ${count(models.length, 'PDB model')} for ${count(poses.length, 'pose')}`);
	const out = [`REMARK   1 DOCKED POSES OF ${ligand.toUpperCase().slice(0, 50)} (AUTODOCK VINA)`];
	models.forEach((lines, i) => {
		const pose = poses[i];
		out.push(
			`MODEL     ${String(i + 1).padStart(4)}`,
			`REMARK   1 MODE ${pose.mode} AFFINITY ${pose.affinity} KCAL/MOL RMSD LB ${pose.rmsdLb} UB ${pose.rmsdUb}`,
			...lines,
			'ENDMDL'
		);
	});
	out.push('END');
	return out.join('\n') + '\n';
}

const ELEMENT_OF_TYPE: Record<string, string> = { A: 'C', NA: 'N', OA: 'O', SA: 'S', HD: 'H' };

/** The elements of a PDBQT's atoms, from their AutoDock types (aromatic carbon A is C, acceptor OA is O, ...), each once. */
export function pdbqtElements(pdbqt: string): string[] {
	const found = new Set<string>();
	for (const line of pdbqt.split('\n')) {
		if (!line.startsWith('ATOM  ') && !line.startsWith('HETATM')) continue;
		const type = line.slice(77, 79).trim();
		found.add(ELEMENT_OF_TYPE[type] ?? type);
	}
	return [...found];
}

/** AutoDock types in a PDBQT (columns 78-79) that Vina 1.2 cannot use, each once. */
export function unsupportedAtomTypes(pdbqt: string): string[] {
	const found = new Set<string>();
	for (const line of pdbqt.split('\n')) {
		if (!line.startsWith('ATOM  ') && !line.startsWith('HETATM')) continue;
		const type = line.slice(77, 79).trim();
		if (!VINA_ATOM_TYPES.has(type)) found.add(type || '(none)');
	}
	return [...found];
}
