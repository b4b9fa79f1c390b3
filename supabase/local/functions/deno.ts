// Where the Deno executable is, and how a function's process is started.
// The `deno` npm package ships the binary in a per-platform optional
// dependency (@deno/<platform>); its install_api.cjs finds it (and links it
// next to itself), which works whether or not npm ran the package's
// postinstall script, so the project needs no allowScripts entry for it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const BOOTSTRAP_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'runtime/bootstrap.ts');

let located: string | undefined;

/** Absolute path of the Deno executable; throws an error a person can act on. */
export function denoExecutable(): string {
	if (located) return located;
	let installApi: { runInstall(): string };
	try {
		installApi = require('deno/install_api.cjs') as { runInstall(): string };
	} catch {
		throw new Error('The Deno runtime is missing: run `npm install` (the `deno` package provides it)');
	}
	try {
		located = installApi.runInstall();
	} catch (error) {
		throw new Error(`The Deno runtime is not installed for this platform: ${error instanceof Error ? error.message : String(error)}`);
	}
	return located;
}

/** The Deno configuration a function runs with: its own deno.json, else one for all functions, else none. */
export function denoConfigFor(functionsDir: string, name: string): string | null {
	for (const dir of [path.join(functionsDir, name), functionsDir]) {
		for (const file of ['deno.json', 'deno.jsonc']) {
			const candidate = path.join(dir, file);
			if (existsSync(candidate)) return candidate;
		}
	}
	return null;
}

export function denoRunArgs(configFile: string | null): string[] {
	return [
		'run',
		// Supabase's edge runtime sandboxes each function in its own isolate
		// with a fixed set of capabilities; locally a function is trusted code
		// run by its author, so it gets every permission.
		'--allow-all',
		'--no-prompt',
		// npm: imports resolve from Deno's own cache (DENO_DIR), never from the
		// project's node_modules, as on Supabase.
		'--node-modules-dir=none',
		// A dev server should not write lock files into the source tree.
		'--no-lock',
		...(configFile ? ['--config', configFile] : ['--no-config']),
		BOOTSTRAP_PATH
	];
}
