// The isolated tool pool: long-lived executor child processes
// (worker/executor-child.ts), at most one per slot (started when a slot
// first needs one), each running one job at a time and reused across jobs (start-up is paid once per executor, not per
// job). Child processes rather than worker_threads: a process can be killed
// at once whatever the tool is doing (a thread stuck in WASM or a busy loop
// cannot be), it takes the native programs its tool started (vina, obabel,
// mkdssp) down with it (its own process group), and its memory, WASM and
// native children included, can be read from outside (/proc RSS), which a
// thread's cannot.
//
// A run stops (the caller's signal: cancel, time limit, lost job, shutdown):
// the executor's process group is SIGKILLed at once and a fresh executor
// starts in its place. An executor whose group's resident memory passes the
// limit is killed the same way and the run fails with ExecutorMemoryError.
// An executor that dies mid-run fails that run with ExecutorCrashError; the
// worker is never affected.
import { fork, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunContext } from '#lib/tools/types.ts';
import type { Logger } from './log.ts';

export type ExecutorRequest =
	| { type: 'run'; runId: number; toolId: string; input: unknown; settings: unknown }
	| { type: 'written'; callId: number; error?: { name: string; message: string } };

export type ExecutorReply =
	| { type: 'ready' }
	| { type: 'progress'; runId: number; pct: number; message?: string }
	| { type: 'writeFile'; runId: number; callId: number; name: string; mediaType: string; content: string | Uint8Array }
	| { type: 'done'; runId: number; ok: true; result: unknown }
	| { type: 'done'; runId: number; ok: false; error: { name: string; message: string; stack: string } };

/** The run's executor used more memory than the limit and was stopped. */
export class ExecutorMemoryError extends Error {
	readonly limitBytes: number;
	readonly usedBytes: number;
	constructor(limitBytes: number, usedBytes: number) {
		super(`the executor used ${Math.round(usedBytes / 2 ** 20)} MiB, over its limit of ${Math.round(limitBytes / 2 ** 20)} MiB`);
		this.name = 'ExecutorMemoryError';
		this.limitBytes = limitBytes;
		this.usedBytes = usedBytes;
	}
}

/** The run's executor process died (a crash in the tool or a native program it loaded). */
export class ExecutorCrashError extends Error {
	constructor(how: string) {
		super(`the executor process died (${how})`);
		this.name = 'ExecutorCrashError';
	}
}

export interface ExecutorPoolOptions {
	/** FOLDWORK_EXTRA_TOOLS: the executors load the same tools as the worker. */
	extraToolsModule: string | null;
	/** Resident memory of an executor and every process it started; null: no limit. */
	memoryLimitBytes: number | null;
	/** How often busy executors' memory is read. */
	memoryCheckMs?: number;
	log: Logger;
}

interface Run {
	runId: number;
	ctx: RunContext;
	resolve(result: unknown): void;
	reject(error: Error): void;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'executor-child.ts');
const PAGE_SIZE = 4096;

class Executor {
	readonly child: ChildProcess;
	readonly ready: Promise<void>;
	run: Run | null = null;
	dead = false;
	/** Being killed: never handed another run. */
	retired = false;
	#onGone: () => void;

	constructor(options: ExecutorPoolOptions, onGone: () => void) {
		this.#onGone = onGone;
		this.child = fork(CHILD, options.extraToolsModule ? [options.extraToolsModule] : [], {
			serialization: 'advanced',
			// Its own process group: killing it takes the programs its tools started too.
			detached: true,
			stdio: ['ignore', 'inherit', 'inherit', 'ipc']
		});
		this.ready = new Promise<void>((resolve, reject) => {
			this.child.once('message', () => resolve());
			this.child.once('exit', (code, signal) => reject(new ExecutorCrashError(`exited ${signal ?? code} while starting`)));
		});
		this.ready.catch(() => {});
		this.child.on('message', (message: ExecutorReply) => this.#onMessage(message));
		this.child.once('exit', (code, signal) => {
			this.dead = true;
			const run = this.run;
			this.run = null;
			run?.reject(new ExecutorCrashError(signal ? `signal ${signal}` : `exit code ${code}`));
			this.#onGone();
		});
		// A broken IPC channel shows up as an exit; nothing to add here.
		this.child.on('error', () => {});
	}

	#onMessage(message: ExecutorReply): void {
		const run = this.run;
		if (message.type === 'ready' || !run || message.runId !== run.runId) return;
		if (message.type === 'progress') run.ctx.progress(message.pct, message.message);
		else if (message.type === 'writeFile') {
			const write = run.ctx.writeFile ? run.ctx.writeFile(message.name, message.mediaType, message.content) : Promise.reject(new Error('this run cannot write files'));
			write.then(
				() => this.#send({ type: 'written', callId: message.callId }),
				(error: unknown) => {
					const e = error instanceof Error ? error : new Error(String(error));
					this.#send({ type: 'written', callId: message.callId, error: { name: e.name, message: e.message } });
				}
			);
		} else if (message.type === 'done') {
			this.run = null;
			if (message.ok) run.resolve(message.result);
			else run.reject(Object.assign(new Error(message.error.message), { name: message.error.name, stack: message.error.stack }));
		}
	}

	#send(message: ExecutorRequest): void {
		if (!this.dead && this.child.connected) this.child.send(message);
	}

	start(run: Run, toolId: string, input: unknown, settings: unknown): void {
		this.run = run;
		this.#send({ type: 'run', runId: run.runId, toolId, input, settings });
	}

	/** SIGKILL to the whole process group, at once; resolves when the executor is gone. */
	kill(): Promise<void> {
		const gone = this.dead ? Promise.resolve() : new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		try {
			process.kill(-this.child.pid!, 'SIGKILL');
		} catch {
			this.child.kill('SIGKILL');
		}
		return gone;
	}
}

export class ExecutorPool {
	#options: ExecutorPoolOptions;
	#idle: Executor[] = [];
	#all = new Set<Executor>();
	#nextRun = 0;
	#stopped = false;
	#watch: NodeJS.Timeout | null = null;
	/** ms from a kill to a fresh executor ready, for the log and the bench. */
	lastReplaceMs: number | null = null;

	constructor(options: ExecutorPoolOptions) {
		this.#options = options;
		if (options.memoryLimitBytes) {
			this.#watch = setInterval(() => void this.#checkMemory(), options.memoryCheckMs ?? 250);
			this.#watch.unref();
		}
	}

	/** How tools run, for the worker's ready line. */
	describe(): string {
		const limit = this.#options.memoryLimitBytes;
		return `tools isolated in executor processes (memory limit ${limit ? `${Math.round(limit / 2 ** 20)} MiB` : 'none'})`;
	}

	/** Executor process ids (for tests and the bench). */
	pids(): number[] {
		return [...this.#all].filter((e) => !e.dead).map((e) => e.child.pid!);
	}

	#spawn(): Executor {
		const executor = new Executor(this.#options, () => {
			this.#all.delete(executor);
			this.#idle = this.#idle.filter((e) => e !== executor);
		});
		this.#all.add(executor);
		return executor;
	}

	/** Runs a tool in an executor; rejects with the tool's error, ExecutorMemoryError, ExecutorCrashError, or the signal's reason once stopped. */
	async run(toolId: string, input: unknown, settings: unknown, ctx: RunContext): Promise<unknown> {
		if (this.#stopped) throw new Error('the executor pool is stopped');
		const { signal } = ctx;
		if (signal.aborted) throw signal.reason;
		const executor = this.#idle.pop() ?? this.#spawn();
		try {
			await executor.ready;
		} catch (error) {
			throw error instanceof Error ? error : new Error(String(error));
		}
		if (signal.aborted) {
			this.#idle.push(executor);
			throw signal.reason;
		}
		try {
			return await new Promise<unknown>((resolve, reject) => {
				const run: Run = { runId: ++this.#nextRun, ctx, resolve, reject };
				const onAbort = () => {
					run.reject(signal.reason instanceof Error ? signal.reason : new Error('stopped'));
					void this.#replace(executor);
				};
				signal.addEventListener('abort', onAbort, { once: true });
				const settle = <T>(fn: (value: T) => void) => (value: T) => {
					signal.removeEventListener('abort', onAbort);
					fn(value);
				};
				run.resolve = settle(resolve);
				run.reject = settle(reject);
				executor.start(run, toolId, input, settings);
			});
		} finally {
			if (!executor.dead && !executor.retired && !executor.run && !this.#stopped && this.#all.has(executor) && !this.#idle.includes(executor)) this.#idle.push(executor);
		}
	}

	/** Kills an executor at once and starts a fresh one in its place (warm for the next job). */
	async #replace(executor: Executor): Promise<void> {
		const started = performance.now();
		executor.retired = true;
		executor.run = null;
		await executor.kill();
		if (this.#stopped) return;
		const fresh = this.#spawn();
		try {
			await fresh.ready;
			this.lastReplaceMs = performance.now() - started;
			if (!this.#stopped && !fresh.dead) this.#idle.push(fresh);
			this.#options.log.info(`executor ${executor.child.pid} killed and replaced by ${fresh.child.pid} in ${this.lastReplaceMs.toFixed(0)} ms`);
		} catch (error) {
			// Stopping the pool kills an executor still starting: nothing to say then.
			if (!this.#stopped) this.#options.log.warn(`a fresh executor did not start: ${error instanceof Error ? error.message : String(error)}`);
		}
	}

	/** Resident memory of each busy executor's process group (the executor and what it started), from /proc. */
	async #checkMemory(): Promise<void> {
		const limit = this.#options.memoryLimitBytes;
		const busy = [...this.#all].filter((e) => e.run && !e.dead);
		if (!limit || !busy.length) return;
		const groups = new Map(busy.map((e) => [e.child.pid!, 0]));
		for (const entry of await readdir('/proc').catch(() => [] as string[])) {
			if (!/^\d+$/.test(entry)) continue;
			try {
				const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
				// Fields after the command name (which may hold spaces): state ppid pgrp ...
				const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
				if (!groups.has(pgrp)) continue;
				const statm = await readFile(`/proc/${entry}/statm`, 'utf8');
				groups.set(pgrp, groups.get(pgrp)! + Number(statm.split(' ')[1]) * PAGE_SIZE);
			} catch {
				// the process ended meanwhile
			}
		}
		for (const executor of busy) {
			const used = groups.get(executor.child.pid!) ?? 0;
			const run = executor.run;
			if (used <= limit || !run) continue;
			this.#options.log.warn(`executor ${executor.child.pid}: ${Math.round(used / 2 ** 20)} MiB resident, over the limit; killing it`);
			run.reject(new ExecutorMemoryError(limit, used));
			void this.#replace(executor);
		}
	}

	async stop(): Promise<void> {
		this.#stopped = true;
		if (this.#watch) clearInterval(this.#watch);
		await Promise.all([...this.#all].map((e) => e.kill()));
		this.#all.clear();
		this.#idle = [];
	}
}

/**
 * The pool a worker uses, from its environment: FOLDWORK_ISOLATE_TOOLS=1 runs tools in
 * executors (off: in the worker's own process, as before), FOLDWORK_EXECUTOR_MEMORY_MB caps
 * each executor's resident memory, its native programs included (default 4096; 0: no cap).
 */
export function executorPoolFromEnv(env: NodeJS.ProcessEnv, extraToolsModule: string | null, log: Logger): ExecutorPool | null {
	if (env.FOLDWORK_ISOLATE_TOOLS !== '1') return null;
	const mb = env.FOLDWORK_EXECUTOR_MEMORY_MB === undefined ? 4096 : Number(env.FOLDWORK_EXECUTOR_MEMORY_MB);
	if (!Number.isInteger(mb) || mb < 0) throw new Error('FOLDWORK_EXECUTOR_MEMORY_MB must be a whole number of MiB (0: no limit)');
	return new ExecutorPool({ extraToolsModule, memoryLimitBytes: mb ? mb * 2 ** 20 : null, log });
}
