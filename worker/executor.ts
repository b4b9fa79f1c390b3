// The isolated tool pool: long-lived executor child processes
// (worker/executor-child.ts), each running one job at a time (a running job
// never shares its executor) and reused across jobs, so start-up is paid once
// per executor, not per job. An executor imports only the tools it is asked to
// run (worker/executor-tools.ts), so a fresh one costs little more than Node.
// A few are started ahead (warm); a run that finds none free waits for one to
// come free, and another is started only when every executor is held by a long
// run (CPU tools), not while short jobs keep them cycling; those beyond the warm
// ones stop once idle. Measured on a 2-core machine: one executor per slot,
// each loading the whole registry, cut trivial-job throughput from ~400 to ~95
// jobs/s.
//
// Child processes rather than worker_threads: a process can be killed
// at once whatever the tool is doing (a thread stuck in WASM or a busy loop
// cannot be), it takes the native programs its tool started (vina, obabel,
// mkdssp) down with it (its own process group), and its memory, WASM and
// native children included, can be read from outside (/proc RSS), which a
// thread's cannot.
//
// A run stops (the caller's signal: cancel, time limit, lost job, shutdown):
// the executor's process group is SIGKILLed at once and a fresh executor
// starts in its place (after the kill: the stop itself does not wait for it).
// An executor whose process tree's resident memory passes the
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
	| { type: 'loaded'; runId: number; toolId: string }
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
	/** FOLDWORK_EXTRA_TOOLS: the executors can load the same tools as the worker. */
	extraToolsModule: string | null;
	/** Resident memory of an executor and every process it started; null: no limit. */
	memoryLimitBytes: number | null;
	/** Executors started with the pool and kept while idle, ready for the next jobs. */
	warm: number;
	/** An idle executor beyond `warm` exits after this long unused. */
	idleMs: number;
	/**
	 * A run that finds no idle executor waits for one to come free (a trivial job holds its
	 * executor for about a millisecond); a new executor is started for it only once every
	 * executor has been held by its current run (tool import aside) for this long.
	 */
	growAfterMs?: number;
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
	/** Set while it sits idle beyond the pool's warm size: stops it when it fires. */
	idleTimer: NodeJS.Timeout | null = null;
	/** When its current run started (performance.now()), or when its tool finished loading. */
	runStartedAt = 0;
	/** Tools it has imported; while it imports one for a run, it is starting up rather than held by a long run. */
	readonly loadedTools = new Set<string>();
	loading = false;
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
		// Importing the tool (its first run here) is start-up, not the run holding this executor for long.
		if (message.type === 'loaded') {
			this.loadedTools.add(message.toolId);
			this.loading = false;
			this.runStartedAt = performance.now();
		}
		else if (message.type === 'progress') run.ctx.progress(message.pct, message.message);
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
		this.runStartedAt = performance.now();
		this.loading = !this.loadedTools.has(toolId);
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

interface Waiter {
	resolve(executor: Executor): void;
	reject(error: Error): void;
	signal: AbortSignal;
}

/** Most executors starting at once: Node start-up is CPU work that competes with running tools. */
const MAX_STARTING = 2;

/**
 * The executors of one worker: at most one per running job (a job never shares its executor),
 * `warm` of them started ahead and kept, more started only when runs keep waiting, and those
 * beyond `warm` stopped once idle for `idleMs`.
 */
export class ExecutorPool {
	#options: ExecutorPoolOptions;
	#growAfterMs: number;
	#idle: Executor[] = [];
	#all = new Set<Executor>();
	#starting = new Set<Executor>();
	#waiters: Waiter[] = [];
	#growTimer: NodeJS.Timeout | null = null;
	#nextRun = 0;
	/** When a run last finished in any executor (performance.now()). */
	#lastDoneAt = -Infinity;
	#stopped = false;
	/** The warm executors of the start, started (or failed to). */
	#warmStarted: Promise<unknown>;
	#watch: NodeJS.Timeout | null = null;
	/** ms from a kill to a fresh executor ready, for the log and the bench. */
	lastReplaceMs: number | null = null;

	constructor(options: ExecutorPoolOptions) {
		this.#options = options;
		this.#growAfterMs = options.growAfterMs ?? 250;
		if (options.memoryLimitBytes) {
			this.#watch = setInterval(() => void this.#checkMemory(), options.memoryCheckMs ?? 250);
			this.#watch.unref();
		}
		const warm = Array.from({ length: options.warm }, () => this.#startOne().ready);
		this.#warmStarted = Promise.allSettled(warm);
	}

	/**
	 * Resolves once the warm executors have started (or failed to: that is logged, and runs start
	 * others). A worker waits for it before it says it is ready, so its first jobs do not share the
	 * CPU with Node starting up.
	 */
	async ready(): Promise<void> {
		await this.#warmStarted;
	}

	/** How tools run, for the worker's ready line. */
	describe(): string {
		const limit = this.#options.memoryLimitBytes;
		return `tools isolated in executor processes (memory limit ${limit ? `${Math.round(limit / 2 ** 20)} MiB` : 'none'}; ${this.#options.warm} kept warm)`;
	}

	/** Executor process ids (for tests and the bench). */
	pids(): number[] {
		return [...this.#all].filter((e) => !e.dead).map((e) => e.child.pid!);
	}

	#spawn(): Executor {
		const executor = new Executor(this.#options, () => {
			this.#all.delete(executor);
			this.#starting.delete(executor);
			if (executor.idleTimer) clearTimeout(executor.idleTimer);
			this.#idle = this.#idle.filter((e) => e !== executor);
		});
		this.#all.add(executor);
		return executor;
	}

	/** Starts an executor and offers it, once ready, to the longest-waiting run (or keeps it idle). */
	#startOne(onReady?: (executor: Executor) => void): Executor {
		const executor = this.#spawn();
		this.#starting.add(executor);
		executor.ready.then(
			() => {
				this.#starting.delete(executor);
				onReady?.(executor);
				this.#offer(executor);
			},
			(error: Error) => {
				this.#starting.delete(executor);
				if (this.#stopped) return;
				this.#options.log.warn(`an executor did not start: ${error.message}`);
				// The run it was started for fails (as a crash) rather than waiting on a start that keeps failing.
				this.#liveWaiters().shift()?.reject(error);
				this.#growSoon();
			}
		);
		return executor;
	}

	#liveWaiters(): Waiter[] {
		this.#waiters = this.#waiters.filter((w) => !w.signal.aborted);
		return this.#waiters;
	}

	/** An executor is ready and free: the longest-waiting run gets it, else it waits idle (and, beyond the warm ones, stops after idleMs). */
	#offer(executor: Executor): void {
		if (this.#stopped || executor.dead || executor.retired || executor.run) return;
		const waiter = this.#liveWaiters().shift();
		if (waiter) {
			waiter.resolve(executor);
			return;
		}
		if (this.#idle.includes(executor)) return;
		this.#idle.push(executor);
		if (this.#all.size > this.#options.warm) {
			executor.idleTimer = setTimeout(() => {
				executor.idleTimer = null;
				if (!this.#idle.includes(executor) || this.#all.size <= this.#options.warm) return;
				this.#idle = this.#idle.filter((e) => e !== executor);
				executor.retired = true;
				void executor.kill();
			}, this.#options.idleMs);
			executor.idleTimer.unref();
		}
	}

	/** An idle executor, or the first to come free or start; rejects with the signal's reason if it fires first. */
	#acquire(signal: AbortSignal): Promise<Executor> {
		const idle = this.#idle.pop();
		if (idle) {
			if (idle.idleTimer) clearTimeout(idle.idleTimer);
			idle.idleTimer = null;
			return Promise.resolve(idle);
		}
		return new Promise<Executor>((resolve, reject) => {
			const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('stopped'));
			signal.addEventListener('abort', onAbort, { once: true });
			this.#waiters.push({
				signal,
				resolve: (executor) => {
					signal.removeEventListener('abort', onAbort);
					resolve(executor);
				},
				reject: (error) => {
					signal.removeEventListener('abort', onAbort);
					reject(error);
				}
			});
			// No executor at all (none warm, or all killed): nothing will come free, start one now.
			if (this.#all.size === 0) this.#grow();
			else this.#growSoon();
		});
	}

	#growSoon(): void {
		if (this.#growTimer || this.#stopped || !this.#liveWaiters().length) return;
		this.#growTimer = setTimeout(() => this.#grow(), this.#growAfterMs);
	}

	/**
	 * Runs still waiting: start executors for them (a few at a time), and look again later. Only
	 * when every executor is held by a long run: while one keeps coming free (short jobs), waiting
	 * runs are only queueing behind it, and a new executor would cost CPU (Node's start, the tool's
	 * import) without adding any.
	 */
	#grow(): void {
		if (this.#growTimer) clearTimeout(this.#growTimer);
		this.#growTimer = null;
		if (this.#stopped) return;
		const now = performance.now();
		// A run finished lately: waiting runs are being served. On a saturated machine a trivial
		// run can sit unscheduled past growAfterMs in every executor at once; starting Node then
		// only adds CPU (executors grew to 5 per worker under bench:worker's throughput run).
		const served = now - this.#lastDoneAt < this.#growAfterMs;
		const cycling = served || [...this.#all].some((e) => !e.dead && !e.retired && !this.#starting.has(e) && (!e.run || e.loading || now - e.runStartedAt < this.#growAfterMs));
		if (cycling) {
			this.#growSoon();
			return;
		}
		const wanted = this.#liveWaiters().length - this.#starting.size;
		for (let i = 0; i < Math.min(wanted, MAX_STARTING - this.#starting.size); i++) this.#startOne();
		if (this.#liveWaiters().length > this.#starting.size) this.#growSoon();
	}

	/** Runs a tool in an executor; rejects with the tool's error, ExecutorMemoryError, ExecutorCrashError, or the signal's reason once stopped. */
	async run(toolId: string, input: unknown, settings: unknown, ctx: RunContext): Promise<unknown> {
		if (this.#stopped) throw new Error('the executor pool is stopped');
		const { signal } = ctx;
		if (signal.aborted) throw signal.reason;
		const executor = await this.#acquire(signal);
		if (signal.aborted) {
			this.#offer(executor);
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
			this.#lastDoneAt = performance.now();
			if (!executor.dead && !executor.retired && !executor.run && !this.#stopped && this.#all.has(executor)) this.#offer(executor);
		}
	}

	/** Kills an executor at once and starts a fresh one in its place (warm for the next job). */
	async #replace(executor: Executor): Promise<void> {
		const started = performance.now();
		executor.retired = true;
		executor.run = null;
		await executor.kill();
		if (this.#stopped) return;
		this.#startOne((fresh) => {
			this.lastReplaceMs = performance.now() - started;
			this.#options.log.info(`executor ${executor.child.pid} killed and replaced by ${fresh.child.pid} in ${this.lastReplaceMs.toFixed(0)} ms`);
		});
	}
	/**
	 * Resident memory of each busy executor and the processes it started (its descendants), from
	 * /proc: the executor's own and, task by task, its children's. Walking each executor's tree
	 * reads a few files; scanning every process of the machine for the group (as at first) read
	 * hundreds, four times a second, and cost the worker measurable throughput.
	 */
	async #checkMemory(): Promise<void> {
		const limit = this.#options.memoryLimitBytes;
		const busy = [...this.#all].filter((e) => e.run && !e.dead);
		if (!limit || !busy.length) return;
		const groups = new Map(await Promise.all(busy.map(async (e) => [e.child.pid!, await treeResidentBytes(e.child.pid!)] as const)));
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
		if (this.#growTimer) clearTimeout(this.#growTimer);
		for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error('the executor pool is stopped'));
		for (const executor of this.#all) if (executor.idleTimer) clearTimeout(executor.idleTimer);
		await Promise.all([...this.#all].map((e) => e.kill()));
		this.#all.clear();
		this.#idle = [];
	}
}


/** Resident bytes of a process and all its descendants (0 for a process gone meanwhile). */
async function treeResidentBytes(pid: number): Promise<number> {
	let total = 0;
	try {
		const statm = await readFile(`/proc/${pid}/statm`, 'utf8');
		total += Number(statm.split(' ')[1]) * PAGE_SIZE;
		// A child belongs to the thread that started it: read every task's list.
		const tasks = await readdir(`/proc/${pid}/task`);
		const children = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
		const pids = children.flatMap((c) => c.split(' ').filter(Boolean).map(Number));
		for (const child of await Promise.all(pids.map(treeResidentBytes))) total += child;
	} catch {
		// the process ended meanwhile
	}
	return total;
}
