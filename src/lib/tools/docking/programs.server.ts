// Finding AutoDock Vina and Open Babel on a worker (Node only). Each is
// looked up on PATH, unless FOLDWORK_VINA / FOLDWORK_OBABEL name the
// program's file. Found programs are run once (--version, -V) so a broken
// install counts as missing too.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export type Env = Record<string, string | undefined>;

export interface DockingPrograms {
	vina: string;
	obabel: string;
}

interface ProgramSpec {
	key: keyof DockingPrograms;
	command: string;
	envVar: string;
	what: string;
	install: string;
}

const SPECS: ProgramSpec[] = [
	{ key: 'vina', command: 'vina', envVar: 'FOLDWORK_VINA', what: 'AutoDock Vina (vina)', install: 'apt-get install autodock-vina' },
	{ key: 'obabel', command: 'obabel', envVar: 'FOLDWORK_OBABEL', what: 'Open Babel (obabel)', install: 'apt-get install openbabel' }
];

function isExecutableFile(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return statSync(file).isFile();
	} catch {
		return false;
	}
}

function locate(spec: ProgramSpec, env: Env): { file: string } | { reason: string } {
	const override = env[spec.envVar];
	if (override) {
		const file = path.resolve(override);
		return isExecutableFile(file) ? { file } : { reason: `${spec.envVar} is set to ${override}, which is not an executable file` };
	}
	for (const dir of (env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		const file = path.join(dir, spec.command);
		if (isExecutableFile(file)) return { file };
	}
	return { reason: `${spec.what} is not installed on this worker: ${spec.install} (or set ${spec.envVar} to the program's path)` };
}

/** Both programs' paths, or why one is missing. */
export function locatePrograms(env: Env): { ok: true; programs: DockingPrograms } | { ok: false; reason: string } {
	const found: Partial<DockingPrograms> = {};
	for (const spec of SPECS) {
		const result = locate(spec, env);
		if ('reason' in result) return { ok: false, reason: result.reason };
		found[spec.key] = result.file;
	}
	return { ok: true, programs: found as DockingPrograms };
}

function versionOf(file: string, args: string[], env: Env): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile(file, args, { timeout: 20_000, env, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
			const text = `${stdout}\n${stderr}`;
			if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${error.message.split('\n')[0]}`));
			else resolve(text);
		});
	});
}

/** "AutoDock Vina v1.2.3" and "Open Babel 3.1.1", from the programs themselves. */
export async function programVersions(programs: DockingPrograms, env: Env): Promise<{ vina: string; obabel: string }> {
	const [vina, obabel] = await Promise.all([versionOf(programs.vina, ['--version'], env), versionOf(programs.obabel, ['-V'], env)]);
	const vinaVersion = /AutoDock Vina\s+v?[\w.-]+/.exec(vina)?.[0];
	const obabelVersion = /Open Babel\s+[\w.-]+/.exec(obabel)?.[0];
	if (!vinaVersion) throw new Error(`${programs.vina} --version did not print an AutoDock Vina version`);
	if (!obabelVersion) throw new Error(`${programs.obabel} -V did not print an Open Babel version`);
	if (!/v?1\.2\./.test(vinaVersion)) throw new Error(`${vinaVersion} found; this tool reads the output of AutoDock Vina 1.2`);
	return { vina: vinaVersion, obabel: obabelVersion };
}

/** Null when this machine can dock, else the reason (for the worker's log and status page). */
export async function dockingUnavailableReason(env: Env): Promise<string | null> {
	const located = locatePrograms(env);
	if (!located.ok) return located.reason;
	try {
		await programVersions(located.programs, env);
		return null;
	} catch (error) {
		return `docking programs do not run on this worker: ${(error as Error).message}`;
	}
}

/** { "AutoDock Vina": "1.2.5", "Open Babel": "3.1.1" }, for each job's provenance. */
export async function dockingProgramVersions(env: Env): Promise<Record<string, string>> {
	const located = locatePrograms(env);
	if (!located.ok) throw new Error(located.reason);
	const { vina, obabel } = await programVersions(located.programs, env);
	return { 'AutoDock Vina': vina.replace(/^AutoDock Vina\s+v?/, ''), 'Open Babel': obabel.replace(/^Open Babel\s+/, '') };
}
