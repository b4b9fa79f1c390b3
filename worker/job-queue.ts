// The pg-boss side of the fleet: one queue per compute class, one pg-boss
// job per Foldwork job (its id is the Foldwork job's id, so a second insert
// is a no-op). The Foldwork job's status is the authority; pg-boss carries
// "this job may run now" to one worker of its class, with SKIP LOCKED
// fetches. Everything here runs inside the caller's transaction, next to
// the status change it goes with.
//
// Not every worker of a class runs every tool (a machine may lack vina).
// Each pg-boss job carries its tool's id as its pg-boss group, and a worker
// fetches with `ignoreGroups` set to the tools it does not run, so the
// database hands it only jobs it can run: nothing is fetched to be handed
// back, no attempt is spent, and no worker spins on a job it cannot take.
// (One queue per class and tool would do the same with a fetch per tool on
// every claim.) An entry without a group (queued by an older worker) that
// reaches the wrong worker is put back with its group; see the claimer.
//
// GPU placement: pg-boss cannot hand a job to one worker, but it can filter a
// fetch by priority. A GPU job's priority is the GPU memory it needs (MiB,
// computed by the database: public.jobs.gpu_memory_mib), and a GPU worker
// fetches with maxPriority set to its largest GPU's memory, so it is handed
// only jobs that fit it, largest first (best fit: a large GPU takes the large
// jobs that only it can run before small ones that fit anywhere). This needs
// no queue per worker or per memory size to create and clean up as machines
// come and go; the dispatcher queues a GPU job only while a free GPU fits it,
// and worker_claim_jobs refuses a misfit anyway (an entry queued without a
// priority by an older worker), which the claimer puts back.
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

// The pg-boss job's id is the Foldwork job's id; it carries no payload.
const queueJobIdSchema = z.uuid();

export interface QueueEntry {
	jobId: string;
	timeLimitSeconds: number;
	/** The job's tool (its pg-boss group); read from the job when absent. */
	toolId?: string;
}

/** Jobs of no GPU need (and any CPU job) go in with pg-boss's default priority. */
const NO_GPU_NEED = 0;

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

const toolOfJobSchema = z.array(z.object({ id: z.uuid(), tool_id: z.string(), gpu_memory_mib: z.number().int().nullable() }));

export async function enqueue(boss: PgBoss, db: SqlExecutor, computeClass: ComputeClass, entries: QueueEntry[]): Promise<void> {
	if (!entries.length) return;
	// Dispatch names each job's tool; the rarer paths (requeue after a fault) may not. GPU jobs need their memory need too.
	const unknown = entries.filter((e) => !e.toolId || computeClass === 'gpu').map((e) => e.jobId);
	const toolOf = new Map<string, string>();
	const needOf = new Map<string, number>();
	if (unknown.length) {
		const { rows } = await db.executeSql('select j.id, j.tool_id, j.gpu_memory_mib from public.jobs j where j.id = any ($1::uuid[])', [unknown]);
		for (const r of toolOfJobSchema.parse(rows)) {
			toolOf.set(r.id, r.tool_id);
			if (r.gpu_memory_mib !== null) needOf.set(r.id, r.gpu_memory_mib);
		}
	}
	await boss.insert(
		queueName(computeClass),
		entries.map((e) => {
			// A job deleted meanwhile has no tool left: any worker may fetch its entry, and drops it.
			const toolId = e.toolId ?? toolOf.get(e.jobId);
			return {
				id: e.jobId,
				retryLimit: 0,
				expireInSeconds: e.timeLimitSeconds + EXPIRY_MARGIN_SECONDS,
				priority: needOf.get(e.jobId) ?? NO_GPU_NEED,
				...(toolId ? { group: { id: toolId } } : {})
			};
		}),
		{ db }
	);
}

/** A job back in `retry` (or put back by a worker that does not run its tool): its pg-boss job, in whatever state it was left, is replaced by a fresh one. */
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

/** Fetches up to batchSize jobs of the class, none of the tools in skipTools and, with gpuMemoryMiB, none that needs more GPU memory. */
export async function fetchJobs(
	boss: PgBoss,
	db: SqlExecutor,
	computeClass: ComputeClass,
	batchSize: number,
	skipTools: readonly string[],
	gpuMemoryMiB: number | null = null
): Promise<FetchedJob[]> {
	const jobs: Job<unknown>[] = await boss.fetch(queueName(computeClass), {
		batchSize,
		db,
		ignoreGroups: skipTools.length ? [...skipTools] : null,
		...(gpuMemoryMiB === null ? {} : { maxPriority: gpuMemoryMiB })
	});
	return jobs.map((job) => ({ jobId: queueJobIdSchema.parse(job.id), attempt: { id: job.id, retryCount: job.retryCount } }));
}

/** Settles fetched jobs, fenced to the attempt this worker fetched. */
export async function settle(boss: PgBoss, db: SqlExecutor, computeClass: ComputeClass, attempts: JobAttempt[]): Promise<void> {
	if (attempts.length) await boss.complete(queueName(computeClass), attempts, null, { db });
}

export async function notifyQueued(client: pg.PoolClient, classes: Iterable<ComputeClass>): Promise<void> {
	for (const computeClass of new Set(classes)) await client.query('select pg_notify($1, $2)', [QUEUED_CHANNEL, computeClass]);
}
