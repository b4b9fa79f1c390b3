// The pg-boss side of the fleet: one queue per compute class, one pg-boss
// job per Foldwork job (its id is the Foldwork job's id, so a second insert
// is a no-op). The Foldwork job's status is the authority; pg-boss carries
// "this job may run now" to one worker of its class, with SKIP LOCKED
// fetches. Everything here runs inside the caller's transaction, next to
// the status change it goes with.
import { PgBoss, type Job, type JobAttempt } from 'pg-boss';
import type pg from 'pg';
import { z } from 'zod';
import type { ComputeClass } from './config.ts';
import { executorFor, type SqlExecutor } from './database.ts';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';

export const COMPUTE_CLASSES: readonly ComputeClass[] = ['cpu', 'gpu'];
export const QUEUED_CHANNEL = 'foldwork_jobs_queued';
/** pg-boss gives up on a claim this long after the tool's own time limit (our reaper acts well before). */
const EXPIRY_MARGIN_SECONDS = 3600;

export function queueName(computeClass: ComputeClass): string {
	return `foldwork-${computeClass}`;
}

const payloadSchema = z.object({ jobId: z.uuid() });

export interface QueueEntry {
	jobId: string;
	timeLimitSeconds: number;
}

export function createBoss(pool: pg.Pool, log: Logger): PgBoss {
	const boss = new PgBoss({
		db: executorFor(pool),
		schema: 'pgboss',
		// Our loops claim, reap and schedule; pg-boss keeps its own tables tidy.
		schedule: false,
		supervise: true,
		migrate: true,
		registerInstance: false,
		openTelemetry: { enabled: false }
	});
	boss.on('error', (error) => log.warn(`pg-boss: ${describeError(error)}`));
	boss.on('warning', (warning) => log.warn(`pg-boss warning: ${warning.message}`));
	return boss;
}

/** Installs or upgrades the pgboss schema (idempotent, safe from many workers) and creates the class queues. */
export async function prepareQueues(boss: PgBoss): Promise<void> {
	await boss.start();
	const existing = new Set((await boss.getQueues()).map((q) => q.name));
	for (const computeClass of COMPUTE_CLASSES) {
		const name = queueName(computeClass);
		if (!existing.has(name)) await boss.createQueue(name, { retryLimit: 0 });
	}
}

export async function enqueue(boss: PgBoss, db: SqlExecutor, computeClass: ComputeClass, entries: QueueEntry[]): Promise<void> {
	if (!entries.length) return;
	await boss.insert(
		queueName(computeClass),
		entries.map((e) => ({
			id: e.jobId,
			data: { jobId: e.jobId },
			retryLimit: 0,
			expireInSeconds: e.timeLimitSeconds + EXPIRY_MARGIN_SECONDS
		})),
		{ db }
	);
}

/** A job back in `retry`: its pg-boss job, in whatever state it was left, is replaced by a fresh one. */
export async function requeue(boss: PgBoss, db: SqlExecutor, computeClass: ComputeClass, entries: QueueEntry[]): Promise<void> {
	if (!entries.length) return;
	await boss.deleteJob(queueName(computeClass), entries.map((e) => e.jobId), { db });
	await enqueue(boss, db, computeClass, entries);
}

/** A job that ended (or was cancelled or deleted) while the database held it: its pg-boss job goes. */
export async function discard(boss: PgBoss, db: SqlExecutor, computeClass: ComputeClass, jobIds: string[]): Promise<void> {
	if (jobIds.length) await boss.deleteJob(queueName(computeClass), jobIds, { db });
}

export interface FetchedJob {
	jobId: string;
	attempt: JobAttempt;
}

export async function fetchJobs(boss: PgBoss, db: SqlExecutor, computeClass: ComputeClass, batchSize: number): Promise<FetchedJob[]> {
	const jobs: Job<unknown>[] = await boss.fetch(queueName(computeClass), { batchSize, db });
	return jobs.map((job) => ({ jobId: payloadSchema.parse(job.data).jobId, attempt: { id: job.id, retryCount: job.retryCount } }));
}

/** Settles fetched jobs, fenced to the attempt this worker fetched. */
export async function settle(boss: PgBoss, db: SqlExecutor, computeClass: ComputeClass, attempts: JobAttempt[]): Promise<void> {
	if (attempts.length) await boss.complete(queueName(computeClass), attempts, null, { db });
}

export async function notifyQueued(client: pg.PoolClient, classes: Iterable<ComputeClass>): Promise<void> {
	for (const computeClass of new Set(classes)) await client.query('select pg_notify($1, $2)', [QUEUED_CHANNEL, computeClass]);
}
