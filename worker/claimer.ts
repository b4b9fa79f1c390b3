// Claims work for this worker's free slots. Woken by NOTIFY (jobs queued
// for its class), by a finished run, and by a slow poll as a safety net.
// Several claim transactions may be in flight at once, each taking a share
// of the free slots. One claim: fetch from the class's pg-boss queue (SKIP
// LOCKED) and mark those jobs `processing` under this worker, in one
// transaction, so a crash between the two leaves nothing half-claimed.
// Jobs cancelled while queued are settled there and never start. The fetch
// skips jobs of tools this worker does not run (job-queue.ts); one that gets
// through anyway (a queue entry without its tool's group, or a tool added to
// the database after this worker started) is left `queued` by the database
// and put back in the queue with its group, and its tool joins the skipped
// ones, so it is never fetched here again. A GPU worker fetches only jobs
// that fit its largest GPU (job-queue.ts); one that reaches it anyway is
// left queued by the database as a `misfit` and put back, and the tool's
// other jobs are still taken here.
import type { PgBoss, JobAttempt } from 'pg-boss';
import type pg from 'pg';
import { z } from 'zod';
import type { ComputeClass } from './config.ts';
import { executorFor, inTransaction } from './database.ts';
import { fetchJobs, notifyQueued, requeue, settle, type QueueEntry } from './job-queue.ts';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { ClaimedJob, Runner } from './runner.ts';

const claimRowSchema = z.discriminatedUnion('outcome', [
	z.object({
		job_id: z.uuid(),
		outcome: z.literal('run'),
		tool_id: z.string(),
		input: z.unknown(),
		settings: z.unknown(),
		attempt: z.number().int().positive(),
		time_limit_seconds: z.number().int().positive()
	}),
	z.object({ job_id: z.uuid(), outcome: z.literal('skip'), tool_id: z.string(), time_limit_seconds: z.number().int().positive() }),
	z.object({ job_id: z.uuid(), outcome: z.literal('misfit'), tool_id: z.string(), time_limit_seconds: z.number().int().positive() }),
	z.object({ job_id: z.uuid(), outcome: z.literal('drop') })
]);

export interface ClaimerOptions {
	workerId: string;
	computeClass: ComputeClass;
	concurrency: number;
	claimsInFlight: number;
	batchSize: number;
	pollMs: number;
	/** Tools of the class that this worker does not run. */
	skipTools: string[];
	/** The largest GPU's memory (MiB) on a GPU worker that registered its GPUs: it fetches only jobs that fit. */
	gpuMemoryMiB?: number | null;
	db: pg.Pool;
	boss: PgBoss;
	runner: Runner;
	log: Logger;
	metrics?: Metrics;
}

export class Claimer {
	#o: ClaimerOptions;
	#inFlight = 0;
	/** Slots promised to claims in flight. */
	#reserved = 0;
	#woken = false;
	#stopped = false;
	#failures = 0;
	#pausedUntil = 0;
	#poll: NodeJS.Timeout;
	#claims = new Set<Promise<void>>();
	#retryTimer: NodeJS.Timeout | null = null;
	#skipTools: Set<string>;

	constructor(options: ClaimerOptions) {
		this.#o = options;
		this.#skipTools = new Set(options.skipTools);
		this.#poll = setInterval(() => this.wake(), options.pollMs);
		this.#poll.unref();
	}

	wake(): void {
		if (this.#stopped) return;
		this.#woken = true;
		this.#pump();
	}

	#free(): number {
		return this.#o.concurrency - this.#o.runner.size - this.#reserved;
	}

	#pump(): void {
		if (!this.#woken || this.#stopped || performance.now() < this.#pausedUntil) return;
		while (this.#inFlight < this.#o.claimsInFlight && this.#free() > 0) {
			const free = this.#free();
			// Leave room for the other claims that may start now.
			const share = Math.min(this.#o.batchSize, Math.max(1, Math.ceil(free / (this.#o.claimsInFlight - this.#inFlight))));
			this.#woken = false;
			this.#inFlight += 1;
			this.#reserved += share;
			const claim = this.#claim(share)
				.then((full) => {
					this.#failures = 0;
					if (full) this.#woken = true;
				})
				.catch((error) => {
					this.#failures += 1;
					const wait = Math.min(5_000, 100 * 2 ** Math.min(this.#failures - 1, 10));
					this.#o.log.warn(`claim failed (${describeError(error)}); retrying in ${wait} ms`);
					this.#pausedUntil = performance.now() + wait;
					this.#woken = true;
					this.#retryTimer ??= setTimeout(() => {
						this.#retryTimer = null;
						this.#pump();
					}, wait);
				})
				.finally(() => {
					this.#inFlight -= 1;
					this.#reserved -= share;
					this.#claims.delete(claim);
					this.#pump();
				});
			this.#claims.add(claim);
		}
	}

	/** One claim transaction; true when it got all it asked for (there may be more). */
	async #claim(batchSize: number): Promise<boolean> {
		const { boss, computeClass, workerId } = this.#o;
		const began = performance.now();
		const claimed = await inTransaction(this.#o.db, async (client) => {
			const db = executorFor(client);
			const fetched = await fetchJobs(boss, db, computeClass, batchSize, [...this.#skipTools], this.#o.gpuMemoryMiB ?? null);
			if (!fetched.length) return { fetched: 0, runs: [] as ClaimedJob[], skipped: [] };
			const attempts = new Map(fetched.map((f) => [f.jobId, f.attempt]));
			const { rows } = await client.query('select * from worker.worker_claim_jobs($1, $2)', [workerId, fetched.map((f) => f.jobId)]);
			const runs: ClaimedJob[] = [];
			const dropped: JobAttempt[] = [];
			const putBack: QueueEntry[] = [];
			const skipped: Array<{ jobId: string; toolId: string }> = [];
			for (const row of z.array(claimRowSchema).parse(rows)) {
				const queueAttempt = attempts.get(row.job_id);
				if (!queueAttempt) continue;
				if (row.outcome === 'drop') {
					dropped.push(queueAttempt);
					continue;
				}
				if (row.outcome === 'misfit') {
					putBack.push({ jobId: row.job_id, timeLimitSeconds: row.time_limit_seconds, toolId: row.tool_id });
					continue;
				}
				if (row.outcome === 'skip') {
					putBack.push({ jobId: row.job_id, timeLimitSeconds: row.time_limit_seconds, toolId: row.tool_id });
					skipped.push({ jobId: row.job_id, toolId: row.tool_id });
					continue;
				}
				runs.push({
					jobId: row.job_id,
					attempt: row.attempt,
					computeClass,
					toolId: row.tool_id,
					input: row.input,
					settings: row.settings,
					timeLimitSeconds: row.time_limit_seconds,
					queueAttempt
				});
			}
			await settle(boss, db, computeClass, dropped);
			if (putBack.length) {
				await requeue(boss, db, computeClass, putBack);
				await notifyQueued(client, [computeClass]);
			}
			return { fetched: fetched.length, runs, skipped };
		});
		for (const { jobId, toolId } of claimed.skipped) {
			this.#skipTools.add(toolId);
			this.#o.log.info(`job ${jobId}: put back in the queue for a worker that runs ${toolId}`);
		}
		if (claimed.fetched) this.#o.metrics?.claimed(computeClass, (performance.now() - began) / 1000);
		for (const job of claimed.runs) {
			this.#o.metrics?.jobStarted(job.jobId, job.toolId);
			this.#o.runner.start(job);
		}
		return claimed.fetched === batchSize;
	}

	async stop(): Promise<void> {
		this.#stopped = true;
		clearInterval(this.#poll);
		if (this.#retryTimer) clearTimeout(this.#retryTimer);
		await Promise.all([...this.#claims]);
	}
}
