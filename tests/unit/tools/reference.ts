// Helpers for reference tests: run EMBOSS and Debian's python3 (with
// python3-biopython / python3-rdkit) as oracles, and seeded random inputs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's python, which has the reference modules (`python3` on PATH may not). */
export const PYTHON = '/usr/bin/python3';

/** A reference that cannot run fails its test with what to install; it never lets the test pass. */
function missingReference(error: unknown, what: string, debianPackage: string): never {
	const stderr = String((error as { stderr?: unknown }).stderr ?? '');
	if ((error as NodeJS.ErrnoException).code === 'ENOENT' || /ModuleNotFoundError/.test(stderr)) {
		throw new Error(`${what} is missing, so the comparison cannot run: npm test installs it (scripts/system-packages.ts), or run apt-get install ${debianPackage}`);
	}
	throw error;
}

export function python(script: string, input: unknown): any {
	try {
		const out = execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input), maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
		return JSON.parse(out.toString());
	} catch (error) {
		const module = /No module named '(\w+)'/.exec(String((error as { stderr?: unknown }).stderr ?? ''))?.[1];
		return missingReference(error, `Debian's Python module ${module ?? '(reference)'}`, module === 'rdkit' ? 'python3-rdkit' : 'python3-biopython');
	}
}

/** Runs an EMBOSS program on FASTA files written to a temporary folder; returns its stdout. */
export function emboss(program: string, files: Record<string, string>, args: (dir: string) => string[]): string {
	const dir = mkdtempSync(join(tmpdir(), 'foldwork-emboss-'));
	try {
		for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
		return execFileSync(program, [...args(dir), '-auto'], { maxBuffer: 256 * 1024 * 1024, cwd: dir }).toString();
	} catch (error) {
		return missingReference(error, `EMBOSS ${program}`, 'emboss');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

export function seededRandom(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function randomSequence(rand: () => number, alphabet: string, length: number): string {
	let s = '';
	for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
	return s;
}

export const runContext = () => ({ signal: new AbortController().signal, progress() {} });
