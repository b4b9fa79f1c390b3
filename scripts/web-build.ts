// The web app's production build, as `npm start` serves it (and so the
// browser tests). A build is kept per content of its inputs, under
// .local/web/<hash>/: `npm start` builds only when a source changed since
// the last build, a server still running an older build is never written
// under, and two starts at once cannot clobber each other's output. The
// build depends on nothing in the environment: the Supabase URL and key,
// the origin and the port are all read when the server starts.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../supabase/local/config.ts';

/** What the build reads: the app, its configuration and the exact dependency versions. */
const INPUTS = ['src', 'static', 'vite.config.ts', 'tsconfig.json', 'package.json', 'package-lock.json', 'scripts/vite-browser-guard.ts'];
const BUILDS = path.join(projectRoot, '.local', 'web');
/** Builds kept besides the current one (a server may still run one of them). */
const KEEP = 2;

function listFiles(entry: string, out: string[]): void {
	if (!existsSync(entry)) return;
	if (!statSync(entry).isDirectory()) {
		out.push(entry);
		return;
	}
	for (const name of readdirSync(entry).sort()) listFiles(path.join(entry, name), out);
}

/** Hash of every input file's path and bytes. */
export function sourceHash(): string {
	const hash = createHash('sha256');
	const files: string[] = [];
	for (const input of INPUTS) listFiles(path.join(projectRoot, input), files);
	for (const file of files) {
		hash.update(path.relative(projectRoot, file)).update('\0');
		hash.update(readFileSync(file)).update('\0');
	}
	return hash.digest('hex').slice(0, 16);
}

/** Removes all but the newest KEEP builds other than `current`, and any unfinished ones. */
function pruneBuilds(current: string): void {
	const others = readdirSync(BUILDS)
		.filter((name) => name !== current)
		.map((name) => ({ name, time: statSync(path.join(BUILDS, name)).mtimeMs }))
		.sort((a, b) => b.time - a.time);
	others.forEach(({ name }, i) => {
		if (name.includes('.tmp-') || i >= KEEP) rmSync(path.join(BUILDS, name), { recursive: true, force: true });
	});
}

function runViteBuild(outDir: string, env: NodeJS.ProcessEnv): Promise<void> {
	return new Promise((resolve, reject) => {
		// Each build has a folder of its own (one per source version), so builds running at once cannot collide.
		const vite = [path.join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--bypass-lock'];
		const child = spawn(process.execPath, vite, {
			cwd: projectRoot,
			env: { ...process.env, ...env, FOLDWORK_BUILD_DIR: outDir },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const output: string[] = [];
		const collect = (chunk: Buffer) => {
			for (const line of chunk.toString().split('\n')) if (line.trim()) output.push(line);
		};
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		child.once('error', reject);
		child.once('exit', (code) => {
			// Vite's own notes (chunk sizes, a library's eval) are for people changing the build.
			if (code === 0) resolve();
			else {
				reject(new Error(`the web app's build failed (vite build, exit ${code}):\n${output.join('\n')}`));
			}
		});
	});
}

export interface WebBuild {
	/** The folder whose index.js is the server (adapter-node's output). */
	dir: string;
	/** True when this call built it; false when an earlier build of the same sources was reused. */
	built: boolean;
}

/**
 * The production build of the current sources: reused when one exists, else
 * built now. `env` holds the app's variables (src/env.ts), which the build
 * validates but does not keep.
 */
export async function ensureWebBuild(env: NodeJS.ProcessEnv, log: (line: string) => void = () => {}): Promise<WebBuild> {
	const hash = sourceHash();
	const dir = path.join(BUILDS, hash);
	if (existsSync(path.join(dir, 'index.js'))) return { dir, built: false };
	const staging = `${dir}.tmp-${process.pid}`;
	log('building the web app for production: a source changed since the last build (half a minute or so)');
	try {
		await runViteBuild(staging, env);
		try {
			renameSync(staging, dir);
		} catch (error) {
			// Another start built the same sources meanwhile: use theirs.
			if (!existsSync(path.join(dir, 'index.js'))) throw error;
		}
	} finally {
		rmSync(staging, { recursive: true, force: true });
		rmSync(`${staging}-kit`, { recursive: true, force: true });
	}
	pruneBuilds(hash);
	return { dir, built: true };
}
