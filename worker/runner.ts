// Runs claimed jobs: the tool's run function with an AbortSignal (cancel,
// time limit, lost job, shutdown), throttled progress and output files, then
// records how the run ended. A run never hangs the worker: an abort ends it
// at once, even when the tool is slow to notice its signal (its late result
// is ignored).
import type { JobAttempt } from 'pg-boss';
import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ToolInputError, TransientToolError, type RunContext } from '#lib/tools/types.ts';
import { checkToolResult } from '#lib/tools/result-schemas.ts';
import type { JobProvenance } from '#lib/jobs/provenance.ts';
import type { ComputeClass } from './config.ts';
import type { Finisher, FinalStatus } from './finisher.ts';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';
import type { ProgressWriter } from './progress.ts';
import { StorageError } from './storage/client.ts';
import type { JobFiles } from './storage/job-files.ts';
import type { RunnableTool } from './tools.ts';
import { ExecutorMemoryError, type ExecutorPool } from './executor.ts';

export interface ClaimedJob {
	jobId: string;
	attempt: number;
	computeClass: ComputeClass;
	toolId: string;
	input: unknown;
	settings: unknown;
	timeLimitSeconds: number;
	queueAttempt: JobAttempt;
}

export type StopKind = 'cancelled' | 'lost' | 'timeout' | 'shutdown';

/** The abort reason the runner gives a tool's signal. */
export class RunStopped extends Error {
	readonly kind: StopKind;
	constructor(kind: StopKind) {
		super(`run stopped: ${kind}`);
		this.name = 'AbortError';
		this.kind = kind;
	}
}

interface Ended {
	status: FinalStatus;
	result?: unknown;
	errorMessage?: string;
	errorCode?: string;
	/** What finished, for the completed event of the timeline. */
	message?: string;
}

/** The run hit a transient fault (e.g. its model server answered 5xx): the database decides whether it runs again. */
interface RetryLater {
	retryLater: string;
}

interface RunningJob {
	job: ClaimedJob;
	controller: AbortController;
	/** Settles when the run is over (recorded, or waiting to be handed back). */
	over: Promise<void>;
	handBack: boolean;
}

export const CRASH_MESSAGE =
	'The tool stopped with an unexpected error. This is a fault in the tool, not in your input as far as we can tell; the credits were refunded. Please retry, and contact support if it happens again.';

export function memoryLimitMessage(limitBytes: number): string {
	return `The job needed more memory than a job may use on this worker (${Math.round(limitBytes / 2 ** 20)} MiB) and was stopped. Try a smaller input or fewer items per job; the credits were refunded.`;
}

const fileNameSchema = z.string().min(1).max(255).regex(/^[^/\\]+$/, 'a file name cannot contain / or \\');
const mediaTypeSchema = z.string().regex(/^[a-z0-9][a-z0-9.+-]*\/[a-zA-Z0-9][a-zA-Z0-9.+-]*$/, 'not a media type');

function describeZodIssues(error: z.ZodError): string {
	return error.issues
		.slice(0, 10)
		.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
		.join('; ');
}

function isToolInputError(error: unknown): error is Error {
	return error instanceof ToolInputError || (error instanceof Error && error.name === 'ToolInputError');
}

function isTransientToolError(error: unknown): error is Error {
	return error instanceof TransientToolError || (error instanceof Error && error.name === 'TransientToolError');
}

export interface RunnerOptions {
	workerId: string;
	db: pg.Pool;
	tools: Map<string, RunnableTool>;
	progress: ProgressWriter;
	finisher: Finisher;
	/** Job files in Storage: outputs written, inputs' file references resolved. */
	files: JobFiles;
	log: Logger;
	/** A slot is free again. */
	onSlotFreed(): void;
	/** Sends a job that hit a transient fault back to the queue (or to failed after the last attempt). */
	retryLater(job: ClaimedJob, reason: string): Promise<void>;
	/** Runs tools in isolated executor processes; absent: in this process. */
	executors?: ExecutorPool | null;
	/** Tool id to what computed its jobs on this worker (worker/provenance.ts), recorded with each outcome. */
	provenance?: Map<string, JobProvenance>;
}

export class Runner {
	#options: RunnerOptions;
	#running = new Map<string, RunningJob>();

	constructor(options: RunnerOptions) {
		this.#options = options;
	}

	get size(): number {
		return this.#running.size;
	}

	runningIds(): string[] {
		return [...this.#running.keys()];
	}

	has(jobId: string): boolean {
		return this.#running.has(jobId);
	}

	start(job: ClaimedJob): void {
		if (this.#running.has(job.jobId)) return;
		const controller = new AbortController();
		const entry: RunningJob = { job, controller, over: Promise.resolve(), handBack: false };
		this.#running.set(job.jobId, entry);
		entry.over = this.#run(entry).catch((error) => this.#runFailed(entry, error));
	}

	/**
	 * A fault in the runner itself (not in the tool): the job must not stay listed here, holding
	 * its slot and heartbeating for ever while nothing runs it. It is recorded as failed (the
	 * finisher retries until the database takes it; the credits are refunded there); a job being
	 * handed back is left to the hand-back.
	 */
	async #runFailed(entry: RunningJob, error: unknown): Promise<void> {
		const { job } = entry;
		this.#options.log.error(`job ${job.jobId}: runner failure; recording it as failed`, error);
		if (this.#running.get(job.jobId) !== entry || entry.handBack) return;
		try {
			this.#options.progress.forget(job.jobId);
			await this.#options.finisher.record({
				jobId: job.jobId,
				attempt: job.attempt,
				computeClass: job.computeClass,
				queueAttempt: job.queueAttempt,
				status: 'failed',
				errorCode: 'tool_error',
				errorMessage: CRASH_MESSAGE
			});
		} finally {
			this.#running.delete(job.jobId);
			this.#options.onSlotFreed();
		}
	}

	/** Stops a run; a cancelled or lost job's status is left as the database has it. */
	stop(jobId: string, kind: StopKind): void {
		const entry = this.#running.get(jobId);
		if (entry && !entry.controller.signal.aborted) entry.controller.abort(new RunStopped(kind));
	}

	/** Waits up to ms for every run to be over; true if none is left. */
	async drain(ms: number): Promise<boolean> {
		const deadline = performance.now() + ms;
		while (this.#running.size) {
			const left = deadline - performance.now();
			if (left <= 0) return false;
			const timer = new AbortController();
			await Promise.race([Promise.all([...this.#running.values()].map((e) => e.over)), sleep(left, undefined, { signal: timer.signal }).catch(() => {})]);
			timer.abort();
		}
		return true;
	}

	/** Stops every remaining run for hand-back; returns those jobs (still listed, so they keep heartbeating). */
	async stopForHandBack(): Promise<ClaimedJob[]> {
		const entries = [...this.#running.values()];
		for (const entry of entries) {
			entry.handBack = true;
			this.stop(entry.job.jobId, 'shutdown');
		}
		await Promise.all(entries.map((e) => e.over));
		return entries.filter((e) => this.#running.get(e.job.jobId) === e).map((e) => e.job);
	}

	forget(jobIds: string[]): void {
		for (const id of jobIds) {
			this.#running.delete(id);
			this.#options.progress.forget(id);
		}
	}

	async #run(entry: RunningJob): Promise<void> {
		const { job, controller } = entry;
		const timer = setTimeout(() => controller.abort(new RunStopped('timeout')), job.timeLimitSeconds * 1000);
		let ended: Ended | RetryLater | null;
		try {
			ended = await this.#execute(job, controller);
		} finally {
			clearTimeout(timer);
		}
		if (entry.handBack) return;
		this.#options.progress.forget(job.jobId);
		if (ended && 'retryLater' in ended) {
			await this.#options.retryLater(job, ended.retryLater);
			this.#running.delete(job.jobId);
			this.#options.onSlotFreed();
			return;
		}
		const recorded = await this.#options.finisher.record({
			jobId: job.jobId,
			attempt: job.attempt,
			computeClass: job.computeClass,
			queueAttempt: job.queueAttempt,
			status: ended?.status ?? null,
			result: ended?.result,
			errorMessage: ended?.errorMessage,
			errorCode: ended?.errorCode,
			message: ended?.message,
			provenance: ended ? this.#options.provenance?.get(job.toolId) : undefined
		});
		const stop = controller.signal.reason instanceof RunStopped ? ` (${controller.signal.reason.kind})` : '';
		this.#options.log.info(`job ${job.jobId} attempt ${job.attempt}: ${ended?.status ?? 'stopped'}${stop}, ${recorded}`);
		this.#running.delete(job.jobId);
		this.#options.onSlotFreed();
	}

	/** How the run ended; null when it was stopped and the database already says how (cancelled, lost). */
	async #execute(job: ClaimedJob, controller: AbortController): Promise<Ended | RetryLater | null> {
		const { signal } = controller;
		const tool = this.#options.tools.get(job.toolId);
		if (!tool) {
			return {
				status: 'failed',
				errorCode: 'tool_unavailable',
				errorMessage: `This worker cannot run the tool "${job.toolId}". The credits were refunded; please retry later.`
			};
		}
		let rawInput: unknown;
		try {
			rawInput = await this.#options.files.resolveInput(job.jobId, job.input, signal);
		} catch (error) {
			if (signal.aborted) return this.#stopped(signal);
			if (isToolInputError(error)) return { status: 'failed', errorCode: 'invalid_input', errorMessage: error.message };
			// Anything else (Storage, the database, a move another worker recorded first) is the
			// fleet's fault, not the input's: the job goes back to the queue rather than being
			// left holding this slot.
			const reason = isTransientToolError(error) ? error.message : `reading the input files failed: ${describeError(error)}`;
			this.#options.log.warn(`job ${job.jobId}: input files not readable now: ${reason}`);
			return { retryLater: reason };
		}
		const input = tool.inputSchema.safeParse(rawInput);
		if (!input.success) {
			return { status: 'failed', errorCode: 'invalid_input', errorMessage: `The input is not valid: ${describeZodIssues(input.error)}` };
		}
		const settings = tool.settingsSchema.safeParse(job.settings ?? {});
		if (!settings.success) {
			return { status: 'failed', errorCode: 'invalid_input', errorMessage: `The settings are not valid: ${describeZodIssues(settings.error)}` };
		}
		// The tool's own word at 100 % ("2 of 2 ligands docked") says what finished; the throttled
		// progress in the database may still read an earlier step.
		let finalMessage: string | undefined;
		const ctx: RunContext = {
			signal,
			progress: (pct, message) => {
				if (signal.aborted) return;
				finalMessage = pct >= 100 && message ? message : undefined;
				this.#options.progress.report(job.jobId, job.attempt, pct, message ?? null);
			},
			writeFile: (name, mediaType, content) => this.#writeFile(job, controller, name, mediaType, content)
		};
		const stopped = new Promise<'stopped'>((resolve) => {
			if (signal.aborted) resolve('stopped');
			signal.addEventListener('abort', () => resolve('stopped'), { once: true });
		});
		let outcome: unknown;
		try {
			const executors = this.#options.executors;
			const running = executors
				? executors.run(job.toolId, input.data, settings.data, ctx)
				: Promise.resolve().then(() => tool.run(input.data, settings.data, ctx));
			// A tool that ignores its signal keeps going in the background; its late result or error is dropped.
			running.catch(() => {});
			outcome = await Promise.race([running, stopped]);
		} catch (error) {
			if (signal.aborted) outcome = 'stopped';
			else if (error instanceof ExecutorMemoryError) {
				this.#options.log.warn(`job ${job.jobId}: tool ${job.toolId} stopped: ${error.message}`);
				return { status: 'failed', errorCode: 'memory_limit', errorMessage: memoryLimitMessage(error.limitBytes) };
			} else if (isToolInputError(error)) return { status: 'failed', errorCode: 'invalid_input', errorMessage: error.message };
			else if (isTransientToolError(error)) {
				this.#options.log.warn(`job ${job.jobId}: transient fault in ${job.toolId}: ${error.message}`);
				return { retryLater: error.message };
			}
			else {
				this.#options.log.error(`job ${job.jobId}: tool ${job.toolId} crashed`, error);
				return { status: 'failed', errorCode: 'tool_error', errorMessage: CRASH_MESSAGE };
			}
		}
		if (outcome === 'stopped' || signal.aborted) return this.#stopped(signal);
		const malformed = checkToolResult(job.toolId, outcome);
		if (malformed) {
			this.#options.log.error(`job ${job.jobId}: tool ${job.toolId} returned a malformed result: ${malformed}`);
			return { status: 'failed', errorCode: 'tool_error', errorMessage: CRASH_MESSAGE };
		}
		return { status: 'completed', result: outcome, message: finalMessage ? `Finished: ${finalMessage}` : 'Finished' };
	}

	/** How a stopped run ended: timed out, or (cancelled, lost, shutdown) as the database already has it. */
	#stopped(signal: AbortSignal): Ended | null {
		const kind = signal.reason instanceof RunStopped ? signal.reason.kind : 'cancelled';
		if (kind === 'timeout') return { status: 'timeout', errorCode: 'timeout' };
		return null;
	}

	async #writeFile(job: ClaimedJob, controller: AbortController, name: string, mediaType: string, content: string | Uint8Array): Promise<void> {
		const { signal } = controller;
		if (signal.aborted) throw signal.reason;
		const fileName = fileNameSchema.parse(name);
		const type = mediaTypeSchema.parse(mediaType);
		const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
		const target = { workerId: this.#options.workerId, jobId: job.jobId, attempt: job.attempt };
		// A database or Storage hiccup (restart, killed connection, 5xx) is waited out; the job's heartbeat decides if it is lost meanwhile.
		for (let failures = 0; ; failures++) {
			try {
				if ((await this.#options.files.writeOutput(target, fileName, type, bytes, signal)) === 'lost') {
					controller.abort(new RunStopped('lost'));
					throw signal.reason;
				}
				return;
			} catch (error) {
				const code = (error as { code?: unknown }).code;
				if (signal.aborted || (typeof code === 'string' && /^(22|23|42|54)/.test(code))) throw error;
				if (error instanceof StorageError && !error.transient) throw error;
				this.#options.log.warn(`job ${job.jobId}: output file ${fileName} not written yet (${describeError(error)}); retrying`);
				await sleep(Math.min(5_000, 200 * 2 ** Math.min(failures, 5)), undefined, { signal }).catch(() => {});
			}
		}
	}
}
