// Running obabel and vina for a job (Node only). Arguments go as an array,
// never through a shell. Each child leads its own process group, so a
// cancel or time limit kills it and anything it started at once (SIGKILL to
// the group); the promise settles only after the child is gone. Children
// still running when this process exits are killed too.
import { spawn } from 'node:child_process';
import type { Env } from './programs.server.ts';

export interface ChildOutcome {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

export interface ChildOptions {
	cwd: string;
	env: Env;
	signal: AbortSignal;
	onStdout?(chunk: string): void;
	/** Told each child's process id (tests watch that it is gone after a cancel). */
	onSpawn?(pid: number, program: string): void;
}

/** Text kept from each stream: ample for Vina's table, bounded for chatty failures. */
const MAX_CAPTURE = 4 * 1024 * 1024;

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number): void {
	try {
		process.kill(-pid, 'SIGKILL');
	} catch {
		// Already gone.
	}
}

function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.once('exit', () => {
		for (const pid of liveGroups) killGroup(pid);
	});
}

function append(buffer: string, chunk: string): string {
	const next = buffer + chunk;
	return next.length > MAX_CAPTURE ? next.slice(next.length - MAX_CAPTURE) : next;
}

/** Runs `file args` in `cwd`; rejects with the signal's reason when aborted (after the child is killed and reaped). */
export function runChild(file: string, args: string[], options: ChildOptions): Promise<ChildOutcome> {
	const { signal } = options;
	if (signal.aborted) return Promise.reject(signal.reason);
	installExitHook();
	return new Promise((resolve, reject) => {
		const child = spawn(file, args, {
			cwd: options.cwd,
			env: options.env,
			detached: true,
			shell: false,
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const pid = child.pid;
		let stdout = '';
		let stderr = '';
		const onAbort = () => {
			if (pid !== undefined) killGroup(pid);
		};
		if (pid !== undefined) {
			liveGroups.add(pid);
			signal.addEventListener('abort', onAbort, { once: true });
			options.onSpawn?.(pid, file);
		}
		child.stdout.setEncoding('utf8');
		child.stderr.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			stdout = append(stdout, chunk);
			options.onStdout?.(chunk);
		});
		child.stderr.on('data', (chunk: string) => {
			stderr = append(stderr, chunk);
		});
		const settle = () => {
			signal.removeEventListener('abort', onAbort);
			if (pid !== undefined) liveGroups.delete(pid);
		};
		child.once('error', (error) => {
			settle();
			reject(signal.aborted ? signal.reason : error);
		});
		child.once('close', (code, childSignal) => {
			settle();
			if (signal.aborted) reject(signal.reason);
			else resolve({ code, signal: childSignal, stdout, stderr });
		});
	});
}
