// One long-lived Deno process per function, started on its first call and
// kept warm: the stack's answer to the edge runtime's per-function workers.
// A process that exits (a crash, Deno.exit, a kill after a timeout) is
// started afresh by the next call.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { denoConfigFor, denoExecutable, denoRunArgs } from './deno.ts';

/** A function that could not be started; its message is Deno's own error. */
export class BootError extends Error {}

export interface FunctionProcessOptions {
	name: string;
	functionsDir: string;
	/** Deno's module and npm cache, shared by every function and kept across runs. */
	denoDir: string;
	/** The function's environment, read at each start so edited secrets apply. */
	env(): Record<string, string>;
	/** How long a start may take (the first may download npm packages). */
	bootTimeoutMs: number;
	log(message: string): void;
}

const STDERR_KEPT = 6000;
const STOP_GRACE_MS = 2000;

interface Running {
	child: ChildProcess;
	/** Resolves with the port once the function listens; rejects with a BootError. */
	listening: Promise<number>;
	exited: Promise<void>;
}

export class FunctionProcess {
	readonly name: string;
	readonly #options: FunctionProcessOptions;
	#running: Running | null = null;

	constructor(options: FunctionProcessOptions) {
		this.name = options.name;
		this.#options = options;
	}

	/** True while a process is started or starting. */
	get active(): boolean {
		return this.#running !== null;
	}

	/** Port of the function's listener, starting its process when none runs. */
	ready(): Promise<number> {
		if (!this.#running) {
			let executable: string;
			try {
				executable = denoExecutable();
			} catch (error) {
				return Promise.reject(new BootError(error instanceof Error ? error.message : String(error)));
			}
			this.#running = this.#start(executable);
		}
		return this.#running.listening;
	}

	/**
	 * Waits up to `ms` for the running process to end. A function that exits
	 * mid-request resets its connection before Node hears of the exit; waiting
	 * here keeps the next call from being sent to the dead process's port.
	 */
	async settle(ms: number): Promise<void> {
		const running = this.#running;
		if (!running) return;
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([running.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
		clearTimeout(timer);
	}

	/** Stops the process, if any; the next ready() starts a fresh one. */
	async stop(): Promise<void> {
		const running = this.#running;
		if (!running) return;
		this.#running = null;
		const { child } = running;
		child.stdin?.destroy();
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			const forced = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
			await running.exited;
			clearTimeout(forced);
		}
		await running.listening.catch(() => {});
	}

	#start(executable: string): Running {
		const { name, functionsDir, log } = this.#options;
		const entry = path.join(functionsDir, name, 'index.ts');
		const readyToken = `foldwork-ready-${randomUUID()}`;
		const started = performance.now();
		const child = spawn(executable, denoRunArgs(denoConfigFor(functionsDir, name)), {
			cwd: path.dirname(entry),
			env: {
				...this.#options.env(),
				DENO_DIR: this.#options.denoDir,
				// The project's package.json is the Node app's, not the function's.
				DENO_NO_PACKAGE_JSON: '1',
				DENO_NO_UPDATE_CHECK: '1',
				NO_COLOR: '1',
				FOLDWORK_FUNCTION_ENTRY: pathToFileURL(entry).href,
				FOLDWORK_READY_TOKEN: readyToken
			},
			stdio: ['pipe', 'pipe', 'pipe']
		});
		let stderrTail = '';
		let settle: { resolve(port: number): void; reject(error: BootError): void } | undefined;
		const listening = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
		// A boot failure is reported to the caller that waits; nobody else needs to hear of it.
		listening.catch(() => {});
		const fail = (message: string) => {
			settle?.reject(new BootError(message));
			settle = undefined;
		};
		const bootTimer = setTimeout(() => {
			fail(`${name} did not start listening within ${this.#options.bootTimeoutMs / 1000} s`);
			child.kill('SIGKILL');
		}, this.#options.bootTimeoutMs);

		forEachLine(child.stdout!, (line) => {
			if (settle && line.startsWith(readyToken + ' ')) {
				const port = Number(line.slice(readyToken.length + 1));
				clearTimeout(bootTimer);
				log(`${name}: started in ${Math.round(performance.now() - started)} ms (pid ${child.pid})`);
				settle.resolve(port);
				settle = undefined;
				return;
			}
			log(`${name}: ${line}`);
		});
		forEachLine(child.stderr!, (line) => {
			log(`${name}: ${line}`);
			if (settle) stderrTail = (stderrTail + line + '\n').slice(-STDERR_KEPT);
		});
		// Writes to a process that died are answered by its exit; nothing to add.
		child.stdin?.on('error', () => {});
		const forget = () => {
			if (this.#running?.child !== child) return false;
			this.#running = null;
			return true;
		};
		const exited = new Promise<void>((resolve) => {
			child.once('error', (error) => {
				clearTimeout(bootTimer);
				fail(`could not run ${executable}: ${error.message}`);
				forget();
				resolve();
			});
			child.once('exit', (code, signal) => {
				clearTimeout(bootTimer);
				fail(stderrTail.trim() || `${name} exited (${signal ?? `code ${code}`}) before it started listening`);
				if (forget()) log(`${name}: exited (${signal ?? `code ${code}`}); the next call starts it again`);
				resolve();
			});
		});
		return { child, listening, exited };
	}
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
	let pending = '';
	stream.setEncoding('utf8');
	stream.on('data', (chunk: string) => {
		pending += chunk;
		const lines = pending.split('\n');
		pending = lines.pop() ?? '';
		for (const line of lines) if (line.trim()) onLine(line.trimEnd());
	});
	stream.on('end', () => {
		if (pending.trim()) onLine(pending.trimEnd());
	});
}
