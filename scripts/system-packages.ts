// The Debian packages Foldwork runs (`npm start`) and is tested against
// (`npm test`), checked before either starts. What is missing is installed
// when this process may (root, or passwordless sudo, on a machine with
// apt-get), the way `playwright install --with-deps` does: one line saying
// what and why, then apt's own output. Otherwise start-up stops with one
// message that lists what is missing and the command that installs it.
//
// Usage: node scripts/system-packages.ts start|test   (exit 1 when missing)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export type Purpose = 'start' | 'test';

interface Requirement {
	/** Debian package that provides it. */
	package: string;
	/** What the user would look for (a program, or a Python module). */
	provides: string;
	why: string;
	purposes: Purpose[];
	present(): boolean;
}

/** Debian's own Python, which has the python3-* modules (`python3` on PATH may be another one). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

function onPath(program: string): boolean {
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		try {
			const file = path.join(dir, program);
			accessSync(file, constants.X_OK);
			if (statSync(file).isFile()) return true;
		} catch {
			// not in this folder
		}
	}
	return false;
}

function pythonModule(name: string): boolean {
	return spawnSync(DEBIAN_PYTHON, ['-c', `import ${name}`], { stdio: 'ignore' }).status === 0;
}

const program = (name: string) => () => onPath(name);

export const REQUIREMENTS: Requirement[] = [
	{ package: 'openbabel', provides: 'obabel', why: 'docking prepares receptors and ligands with it', purposes: ['start', 'test'], present: program('obabel') },
	{ package: 'autodock-vina', provides: 'vina', why: 'docking runs it', purposes: ['start', 'test'], present: program('vina') },
	{ package: 'dssp', provides: 'mkdssp', why: "structure analysis' secondary structure", purposes: ['start', 'test'], present: program('mkdssp') },
	{ package: 'emboss', provides: 'needle, water', why: 'the reference pairwise alignments', purposes: ['test'], present: () => onPath('needle') && onPath('water') },
	{ package: 'python3-biopython', provides: 'Bio (Python)', why: 'the reference protein properties and structures', purposes: ['test'], present: () => pythonModule('Bio') },
	{ package: 'python3-rdkit', provides: 'rdkit (Python)', why: 'the reference molecule properties', purposes: ['test'], present: () => pythonModule('rdkit') },
	{ package: 'chromium', provides: 'chromium', why: 'the browser tests', purposes: ['test'], present: () => onPath('chromium') || Boolean(process.env.CHROMIUM_PATH) }
];

export function missingRequirements(purpose: Purpose): Requirement[] {
	return REQUIREMENTS.filter((r) => r.purposes.includes(purpose) && !r.present());
}

function canInstall(): { sudo: boolean } | null {
	if (!onPath('apt-get')) return null;
	if (process.getuid?.() === 0) return { sudo: false };
	if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return { sudo: true };
	return null;
}

function describe(missing: Requirement[]): string {
	return missing.map((r) => `  ${r.package.padEnd(18)} ${r.provides}: ${r.why}`).join('\n');
}

/**
 * Installs what `purpose` needs and is missing, where allowed. Returns the
 * error message when something is still missing (nothing else is printed
 * then), or null when all is present.
 */
export function ensureSystemPackages(purpose: Purpose): string | null {
	const missing = missingRequirements(purpose);
	if (missing.length === 0) return null;
	const packages = missing.map((r) => r.package);
	const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
	const installer = canInstall();
	if (!installer) {
		return (
			`Foldwork needs these Debian packages for \`npm ${purpose}\`, and they are missing:\n${describe(missing)}\n` +
			`Install them with:\n  sudo apt-get update && sudo ${command}`
		);
	}
	console.log(`Installing Debian packages that \`npm ${purpose}\` needs: ${packages.join(', ')}\n${describe(missing)}`);
	const run = (args: string[]) => {
		const [cmd, ...rest] = installer.sudo ? ['sudo', '-n', ...args] : args;
		return spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
	};
	const ok = run(['apt-get', 'update', '-q']) && run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages]);
	const still = missingRequirements(purpose);
	if (!ok || still.length) {
		return `Installing Debian packages failed; still missing:\n${describe(still.length ? still : missing)}\nInstall them with:\n  sudo apt-get update && sudo ${command}`;
	}
	return null;
}

if (import.meta.main) {
	const purpose = process.argv[2];
	if (purpose !== 'start' && purpose !== 'test') {
		console.error('usage: node scripts/system-packages.ts start|test');
		process.exit(2);
	}
	const problem = ensureSystemPackages(purpose);
	if (problem) {
		console.error(problem);
		process.exit(1);
	}
}
