// The foldwork CLI as people run it: the built JavaScript (cli/dist, what the
// registry package ships) in a child process, with its own config folder,
// against the local stack's api function; and a CPU worker on the stack's
// database so submitted jobs run.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { root, startWorkerProcess, stopStorageGateways, type WorkerProcess } from '../helpers/worker-fleet.ts';
import { stackInfo } from '../helpers/stack.ts';

export const CLI = path.join(root, 'cli/dist/cli/src/main.js');

/** Compiles the CLI (tsc), so the tests run what `npm install` builds. */
export async function buildCli(): Promise<void> {
	await promisify(execFile)('npm', ['run', 'build', '--workspace', '@foldwork/cli'], { cwd: root });
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
	/** stdout as JSON (commands run with --json). */
	json: any;
	/** The HTTP requests --trace reported, as "METHOD path". */
	requests: string[];
}

const tempDirs: string[] = [];
// Registered when a test file imports this module (hooks registered inside
// other hooks or tests would never run).
afterAll(() => {
	for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder (a $XDG_CONFIG_HOME, a download target), removed after the file's tests. */
export function tempDir(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'foldwork-cli-'));
	tempDirs.push(dir);
	return dir;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}, stdin?: string): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [CLI, ...args], {
			cwd: root,
			env: { PATH: process.env.PATH, HOME: process.env.HOME, FOLDWORK_API_URL: `${stackInfo().apiUrl}/functions/v1/api`, ...env },
			stdio: ['pipe', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.stdin.end(stdin ?? '');
		child.once('error', reject);
		child.once('close', (code) => {
			let json: unknown;
			try {
				json = JSON.parse(stdout);
			} catch {
				json = undefined;
			}
			const requests = stderr
				.split('\n')
				.filter((line) => line.startsWith('trace '))
				.map((line) => {
					const [, method, url] = line.split(' ');
					return `${method} ${new URL(url).pathname.replace(/^\/functions\/v1\/api/, '')}`;
				});
			resolve({ code, stdout, stderr, json, requests });
		});
	});
}

/**
 * A CPU worker on the stack's own database and Storage (the api function's),
 * started before the file's tests and stopped after them; call at the top
 * level of a test file.
 */
export function useStackWorker(): void {
	let worker: WorkerProcess | undefined;
	beforeAll(async () => {
		const stack = stackInfo();
		worker = await startWorkerProcess(stack.databaseUrl, {
			concurrency: 4,
			env: { SUPABASE_URL: stack.apiUrl, SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey }
		});
	}, 60_000);
	afterAll(async () => {
		const code = await worker?.stop();
		await stopStorageGateways();
		// A worker that had to be killed did not stop when asked.
		expect(code === 0 || code === undefined, `the worker exited with ${code}`).toBe(true);
	}, 60_000);
}

/** A FASTA of `n` short proteins (p1…pn); `bad` names records whose sequence no tool accepts. */
export function fasta(n: number, bad: ReadonlySet<number> = new Set()): string {
	return Array.from({ length: n }, (_, i) => `>p${i + 1} test protein ${i + 1}\n${bad.has(i + 1) ? 'MKTJAYIAKQ' : 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ'}\n`).join('');
}
