// One docking job on a worker (Node only): prepare the receptor and every
// ligand with Open Babel, then dock the ligands one by one with AutoDock
// Vina, in a private temporary folder that is removed afterwards. User text
// never reaches a command line or a path: molecules go into files with
// fixed names, names only into results and sanitized output file names.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { checkAborted, ToolInputError, TransientToolError, type CellValue, type InputIssue, type RunContext, type TableColumn } from '../types.ts';
import { resolveBox, type SearchBox } from './box.ts';
import { runChild } from './child-process.server.ts';
import { isFlatMolblock } from './ligand-text.ts';
import { locatePrograms, programVersions, type DockingPrograms, type Env } from './programs.server.ts';
import { readReceptor, receptorPdbText } from './receptor.ts';
import type { DockingResult, LigandSummary, OutputFile } from './result.ts';
import { MAX_LIGAND_HEAVY_ATOMS, MAX_LIGAND_TORSIONS, type DockingInput, type DockingSettings, type LigandInput } from './schema.ts';
import { ligandElementProblem } from './vina-types.ts';
import {
	checkPosesAgainstTable,
	ligandPdbqtStats,
	parseVinaPoses,
	parseVinaTable,
	pdbqtElements,
	posesPdb,
	posesSdf,
	unsupportedAtomTypes,
	VinaProgress,
	type VinaPose
} from './vina-output.ts';
import { count } from '#lib/ui/plural.ts';

export interface DockingRunOptions {
	env: Env;
	/** Where the job's private folder is made (default the OS temporary folder). */
	tempRoot?: string;
	/** Threads for Vina; default: every core this process may use. */
	cpu?: number;
	onSpawn?(pid: number, program: string): void;
}

export const columns: TableColumn[] = [
	{ key: 'ligand', label: 'Ligand', type: 'string' },
	{ key: 'mode', label: 'Mode', type: 'integer' },
	{ key: 'affinity_kcal_mol', label: 'Affinity', type: 'number', unit: 'kcal/mol' },
	{ key: 'rmsd_lb', label: 'RMSD l.b.', type: 'number', unit: 'Å' },
	{ key: 'rmsd_ub', label: 'RMSD u.b.', type: 'number', unit: 'Å' }
];

// Progress: the receptor 0-3 %, ligand preparation 3-8 %, then an equal
// share of the rest per ligand: Vina's grid 5 % of it, its search (the bar
// of stars) 90 %, pose files 5 %.
const RECEPTOR_DONE = 3;
const PREPARED = 8;

const PDBQT_TYPE = 'chemical/x-pdbqt';

/** A file-name stem from a ligand name: letters, digits, . _ - only, unique within the job. */
export function fileStem(name: string, taken: Set<string>): string {
	const base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').replace(/_+$/, '').slice(0, 60) || 'ligand';
	let stem = base;
	for (let n = 2; taken.has(stem.toLowerCase()); n++) stem = `${base}_${n}`;
	taken.add(stem.toLowerCase());
	return stem;
}

/** Open Babel's own complaint, without its banner lines. */
function obabelComplaint(stderr: string): string {
	const lines = stderr
		.split('\n')
		.map((l) => l.trim())
		.filter((l) => l !== '' && !/^=+$/.test(l) && !/^\*\*\* Open Babel/.test(l) && !/molecules? converted$/.test(l));
	return lines.slice(0, 3).join('; ').slice(0, 400) || 'Open Babel could not read it';
}

function convertedCount(stderr: string): number {
	const m = /(\d+) molecules? converted/.exec(stderr);
	return m ? Number(m[1]) : 0;
}

/** Vina's reason for failing (its ERROR lines), for the message. */
function vinaComplaint(stdout: string, stderr: string): string {
	const lines = `${stderr}\n${stdout}`
		.split('\n')
		.map((l) => l.trim())
		.filter((l) => /error/i.test(l));
	return lines.slice(0, 3).join('; ').slice(0, 400) || stderr.trim().split('\n').slice(-2).join('; ').slice(0, 400) || 'no reason given';
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

interface PreparedLigand {
	ligand: LigandInput;
	index: number;
	stem: string;
	pdbqtFile: string;
	pdbqt: string;
	heavyAtoms: number;
	torsions: number;
}

export async function runDocking(input: DockingInput, settings: DockingSettings, ctx: RunContext, options: DockingRunOptions): Promise<DockingResult> {
	const located = locatePrograms(options.env);
	// A worker without the programs should not have taken the job: another one may have them.
	if (!located.ok) throw new TransientToolError(located.reason);
	const programs = located.programs;
	const versions = await programVersions(programs, options.env).catch((error: Error) => {
		throw new TransientToolError(`docking programs do not run on this worker: ${error.message}`);
	});
	checkAborted(ctx.signal);

	const receptor = readReceptor(input.receptor.text);
	if (!receptor.ok) throw new ToolInputError(receptor.issues);
	const resolved = resolveBox(receptor.structure, input.box);
	if (!resolved.ok) throw new ToolInputError(resolved.issues);
	const { box, exclude } = resolved.resolved;
	const notes = [...resolved.resolved.notes];
	if (receptor.structure.watersRemoved) notes.push(`${count(receptor.structure.watersRemoved, 'water atom')} ${receptor.structure.watersRemoved === 1 ? 'was' : 'were'} removed from the receptor`);
	if (receptor.structure.altLocsDropped) notes.push(`${count(receptor.structure.altLocsDropped, 'atom')} in second alternate locations ${receptor.structure.altLocsDropped === 1 ? 'was' : 'were'} left out`);
	if (receptor.structure.otherModelsIgnored) notes.push('the receptor has several models; the first was used');

	const dir = await mkdtemp(path.join(options.tempRoot ?? tmpdir(), 'foldwork-docking-'));
	try {
		const job = new DockingJob(dir, programs, input, settings, ctx, options);
		const total = input.ligands.length;
		ctx.progress(0, 'preparing the receptor');
		const receptorFile = await job.prepareReceptor(receptorPdbText(receptor.structure, exclude));
		ctx.progress(RECEPTOR_DONE, 'receptor prepared');

		const prepared = await job.prepareLigands();
		for (const p of prepared) if (p.ligand.smiles?.includes('.')) notes.push(`ligand '${p.ligand.name}' has several fragments; the largest was docked`);
		const files: OutputFile[] = [];
		const writeOutput = async (name: string, mediaType: string, content: string, description: string) => {
			if (!ctx.writeFile) return;
			await ctx.writeFile(name, mediaType, content);
			files.push({ name, media_type: mediaType, description });
		};
		await writeOutput('receptor_prepared.pdbqt', PDBQT_TYPE, await readFile(path.join(dir, receptorFile), 'utf8'), 'receptor as docked (Open Babel, polar hydrogens)');
		for (const p of prepared) await writeOutput(`${p.stem}_prepared.pdbqt`, PDBQT_TYPE, p.pdbqt, `${p.ligand.name} as docked (Open Babel, pH ${settings.ph})`);

		const rows: Array<Record<string, CellValue>> = [];
		const summaries: LigandSummary[] = [];
		const commands: DockingResult['vina_commands'] = [];
		const share = (100 - PREPARED) / total;
		for (const p of prepared) {
			checkAborted(ctx.signal);
			const base = PREPARED + p.index * share;
			const label = `ligand ${p.index + 1}/${total} (${p.ligand.name})`;
			const outName = `${p.stem}_poses.pdbqt`;
			const poses = await job.dock(p, receptorFile, box, (fraction, stage) => ctx.progress(round(base + share * fraction, 2), `${label}: ${stage}`));
			commands.push({
				ligand: p.ligand.name,
				args: vinaArgs({ receptor: 'receptor_prepared.pdbqt', ligand: `${p.stem}_prepared.pdbqt`, out: outName }, box, settings, job.cpu)
			});
			ctx.progress(round(base + share * 0.95, 2), `${label}: writing poses`);
			const pdbqtOut = poses.map((pose) => pose.pdbqt).join('');
			const [sdf, pdb] = await job.poseFiles(p, poses);
			await writeOutput(`${p.stem}_poses.sdf`, 'chemical/x-mdl-sdfile', sdf, `${p.ligand.name} poses (SDF)`);
			await writeOutput(`${p.stem}_poses.pdb`, 'chemical/x-pdb', pdb, `${p.ligand.name} poses (PDB, one model each)`);
			await writeOutput(outName, PDBQT_TYPE, pdbqtOut, `${p.ligand.name} poses as Vina wrote them`);
			for (const pose of poses) {
				rows.push({ ligand: p.ligand.name, mode: pose.mode, affinity_kcal_mol: pose.affinity, rmsd_lb: pose.rmsdLb, rmsd_ub: pose.rmsdUb });
			}
			summaries.push({
				name: p.ligand.name,
				best_affinity_kcal_mol: poses[0].affinity,
				poses: poses.length,
				heavy_atoms: p.heavyAtoms,
				torsions: p.torsions,
				files: ctx.writeFile ? { sdf: `${p.stem}_poses.sdf`, pdb: `${p.stem}_poses.pdb`, pdbqt: outName, prepared: `${p.stem}_prepared.pdbqt` } : null
			});
			ctx.progress(round(base + share, 2), `${label}: done, best ${round(poses[0].affinity, 2)} kcal/mol`);
		}
		ctx.progress(100, `${total} of ${count(total, 'ligand')} docked`);
		return { table: { columns, rows }, box, ligands: summaries, files, notes, programs: versions, vina_commands: commands };
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

class DockingJob {
	readonly #dir: string;
	readonly #programs: DockingPrograms;
	readonly #input: DockingInput;
	readonly #settings: DockingSettings;
	readonly #ctx: RunContext;
	readonly #options: DockingRunOptions;

	constructor(dir: string, programs: DockingPrograms, input: DockingInput, settings: DockingSettings, ctx: RunContext, options: DockingRunOptions) {
		this.#dir = dir;
		this.#programs = programs;
		this.#input = input;
		this.#settings = settings;
		this.#ctx = ctx;
		this.#options = options;
	}

	get cpu(): number {
		return this.#options.cpu ?? availableParallelism();
	}

	#run(program: string, args: string[], onStdout?: (chunk: string) => void) {
		return runChild(program, args, { cwd: this.#dir, env: this.#options.env, signal: this.#ctx.signal, onStdout, onSpawn: this.#options.onSpawn });
	}

	/** Rigid receptor with polar hydrogens (Open Babel merges the others, as Vina expects). */
	async prepareReceptor(pdb: string): Promise<string> {
		await writeFile(path.join(this.#dir, 'receptor.pdb'), pdb);
		const out = await this.#run(this.#programs.obabel, ['-ipdb', 'receptor.pdb', '-xr', '-h', '-opdbqt', '-O', 'receptor.pdbqt']);
		const text = out.code === 0 ? await readFile(path.join(this.#dir, 'receptor.pdbqt'), 'utf8').catch(() => '') : '';
		if (convertedCount(out.stderr) !== 1 || !/^ATOM {2}/m.test(text)) {
			throw new ToolInputError([{ field: 'receptor', message: `Open Babel could not prepare the receptor: ${obabelComplaint(out.stderr)}` }]);
		}
		const unsupported = unsupportedAtomTypes(text);
		if (unsupported.length) {
			throw new ToolInputError([
				{ field: 'receptor', message: `AutoDock Vina cannot dock with atom types ${unsupported.join(', ')} in the receptor; remove those hetero groups from the PDB file` }
			]);
		}
		return 'receptor.pdbqt';
	}

	/** Every ligand to PDBQT (3D, protonated for the pH); all problems are reported together, before any docking. */
	async prepareLigands(): Promise<PreparedLigand[]> {
		const ligands = this.#input.ligands;
		// 'receptor' is taken by receptor_prepared.pdbqt; every file is a stem plus a fixed suffix.
		const taken = new Set(['receptor']);
		const prepared: PreparedLigand[] = [];
		const issues: InputIssue[] = [];
		for (const [index, ligand] of ligands.entries()) {
			checkAborted(this.#ctx.signal);
			this.#ctx.progress(round(RECEPTOR_DONE + ((PREPARED - RECEPTOR_DONE) * index) / ligands.length, 2), `ligand ${index + 1}/${ligands.length} (${ligand.name}): preparing`);
			const stem = fileStem(ligand.name, taken);
			const result = await this.#prepareLigand(ligand, index);
			if ('issue' in result) issues.push({ field: 'ligand', record: ligand.name, message: result.issue });
			else prepared.push({ ligand, index, stem, ...result });
		}
		if (issues.length) throw new ToolInputError(issues);
		return prepared;
	}

	async #prepareLigand(ligand: LigandInput, index: number): Promise<{ pdbqtFile: string; pdbqt: string; heavyAtoms: number; torsions: number } | { issue: string }> {
		const stem = `ligand_${index + 1}`;
		const pdbqtFile = `${stem}.pdbqt`;
		const kind = ligand.smiles !== undefined ? 'SMILES' : 'SDF record';
		// Two steps: Open Babel's --gen3d adds neutral hydrogens after -p has
		// protonated, so 3D coordinates are made first and protonated after.
		let source: string;
		if (ligand.smiles !== undefined) {
			await writeFile(path.join(this.#dir, `${stem}.smi`), `${ligand.smiles}\n`);
			source = `${stem}.smi`;
		} else {
			// The molblock only (up to "M  END"): data items after it are not needed for docking.
			const molblock = ligand.sdf!.replace(/\r\n?/g, '\n');
			const end = molblock.search(/^M {2}END/m);
			await writeFile(path.join(this.#dir, `${stem}.sdf`), `${molblock.slice(0, end)}M  END\n$$$$\n`);
			source = `${stem}.sdf`;
		}
		const needs3d = ligand.smiles !== undefined || isFlatMolblock(ligand.sdf!);
		if (needs3d) {
			const made = await this.#run(this.#programs.obabel, [source, '-r', '--gen3d', '-osdf', '-O', `${stem}_3d.sdf`]);
			if (made.code !== 0 || convertedCount(made.stderr) !== 1) return { issue: `Open Babel cannot read this ${kind}: ${obabelComplaint(made.stderr)}` };
			source = `${stem}_3d.sdf`;
		}
		const out = await this.#run(this.#programs.obabel, [source, '-r', '-p', String(this.#settings.ph), '-opdbqt', '-O', pdbqtFile]);
		const pdbqt = out.code === 0 ? await readFile(path.join(this.#dir, pdbqtFile), 'utf8').catch(() => '') : '';
		const stats = ligandPdbqtStats(pdbqt);
		if (convertedCount(out.stderr) !== 1 || stats.atoms === 0) return { issue: `Open Babel cannot read this ${kind}: ${obabelComplaint(out.stderr)}` };
		if (!hasCoordinates(pdbqt)) return { issue: `Open Babel could not make 3D coordinates for this ${kind}` };
		const unsupported = unsupportedAtomTypes(pdbqt);
		if (unsupported.length) return { issue: `AutoDock Vina cannot dock atom types ${unsupported.join(', ')}` };
		// The form refuses these before submitting; a job sent straight to the API is checked here.
		const elementProblem = ligandElementProblem(pdbqtElements(pdbqt));
		if (elementProblem) return { issue: elementProblem };
		if (stats.heavyAtoms > MAX_LIGAND_HEAVY_ATOMS) return { issue: `${stats.heavyAtoms} heavy atoms; at most ${MAX_LIGAND_HEAVY_ATOMS} are docked` };
		if (stats.torsions > MAX_LIGAND_TORSIONS) return { issue: `${stats.torsions} rotatable bonds; at most ${MAX_LIGAND_TORSIONS} are docked` };
		return { pdbqtFile, pdbqt, heavyAtoms: stats.heavyAtoms, torsions: stats.torsions };
	}

	/** Vina on one ligand; `report(fraction, stage)` follows its grid and search. */
	async dock(p: PreparedLigand, receptorFile: string, box: SearchBox, report: (fraction: number, stage: string) => void): Promise<VinaPose[]> {
		const outFile = `ligand_${p.index + 1}_out.pdbqt`;
		const args = vinaArgs({ receptor: receptorFile, ligand: p.pdbqtFile, out: outFile }, box, this.#settings, this.cpu);
		report(0, 'computing the grid');
		const progress = new VinaProgress();
		let shown = -1;
		const out = await this.#run(this.#programs.vina, args, (chunk) => {
			progress.push(chunk);
			if (!progress.searching) return;
			const pct = Math.round(progress.fraction * 100);
			if (pct === shown) return;
			shown = pct;
			report(0.05 + 0.9 * progress.fraction, `docking ${pct}%`);
		});
		if (out.code !== 0) {
			const reason = vinaComplaint(out.stdout, out.stderr);
			if (out.code === null || /bad_alloc|internal|segmentation/i.test(reason)) {
				throw new Error(`vina failed on ligand ${p.index + 1} (${out.signal ?? `exit ${out.code}`}): ${reason}`);
			}
			throw new ToolInputError([{ ...(/receptor/i.test(reason) ? { field: 'receptor' } : { field: 'ligand', record: p.ligand.name }), message: `AutoDock Vina refused it: ${reason}` }]);
		}
		const poses = parseVinaPoses(await readFile(path.join(this.#dir, outFile), 'utf8'));
		const mismatch = checkPosesAgainstTable(poses, parseVinaTable(out.stdout));
		if (mismatch) throw new Error(`vina output for ligand ${p.index + 1} not understood: ${mismatch}`);
		return poses;
	}

	/** The poses as SDF and PDB (Open Babel), retitled and annotated with Vina's numbers. */
	async poseFiles(p: PreparedLigand, poses: VinaPose[]): Promise<[string, string]> {
		const source = `ligand_${p.index + 1}_out.pdbqt`;
		const convert = async (format: 'sdf' | 'pdb') => {
			const target = `ligand_${p.index + 1}_poses.${format}`;
			const out = await this.#run(this.#programs.obabel, ['-ipdbqt', source, `-o${format}`, '-O', target]);
			if (out.code !== 0 || convertedCount(out.stderr) !== poses.length) {
				throw new Error(`obabel wrote ${convertedCount(out.stderr)} ${format} poses of ${poses.length} for ligand ${p.index + 1}: ${obabelComplaint(out.stderr)}`);
			}
			return readFile(path.join(this.#dir, target), 'utf8');
		};
		const sdf = posesSdf(await convert('sdf'), p.ligand.name, poses);
		const pdb = posesPdb(await convert('pdb'), p.ligand.name, poses);
		return [sdf, pdb];
	}
}

/** False when the atoms all sit on one point (Open Babel's 3D generation gave up). */
function hasCoordinates(pdbqt: string): boolean {
	const atoms = pdbqt.split('\n').filter((l) => l.startsWith('ATOM  ') || l.startsWith('HETATM'));
	return atoms.length <= 1 || new Set(atoms.map((l) => l.slice(30, 54))).size > 1;
}

/** Vina's arguments for one ligand; `files` are names in the working folder. */
export function vinaArgs(files: { receptor: string; ligand: string; out: string }, box: SearchBox, settings: DockingSettings, cpu: number): string[] {
	return [
		`--receptor=${files.receptor}`,
		`--ligand=${files.ligand}`,
		`--out=${files.out}`,
		...(['x', 'y', 'z'] as const).map((axis, k) => `--center_${axis}=${box.center[k]}`),
		...(['x', 'y', 'z'] as const).map((axis, k) => `--size_${axis}=${box.size[k]}`),
		`--exhaustiveness=${settings.exhaustiveness}`,
		`--num_modes=${settings.num_modes}`,
		`--energy_range=${settings.energy_range}`,
		`--seed=${settings.seed}`,
		`--cpu=${cpu}`
	];
}
