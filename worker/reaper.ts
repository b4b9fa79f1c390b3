// Finds jobs whose worker stopped heartbeating (killed, or cut off from the
// database) and lets the database decide: back to `retry` and into the
// queue again while attempts remain, else `failed`; far past the time
// limit, `timeout`. Runs in every worker; the database row locks keep two
// reapers off the same job. Once a minute it also marks dead workers gone
// and prunes those past the fleet policy's retention (worker_prune).
import type { PgBoss } from 'pg-boss';
import type pg from 'pg';
import { z } from 'zod';
import type { ComputeClass } from './config.ts';
import { executorFor, inTransaction } from './database.ts';
import { groupByClass } from './dispatcher.ts';
import { discard, notifyQueued, requeue } from './job-queue.ts';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';
import { WakeLoop } from './wake-loop.ts';

/** Rows of worker_reap and worker_retry_later: what became of each job. */
export const jobOutcomesSchema = z.array(
	z.object({
		job_id: z.uuid(),
		outcome: z.enum(['requeue', 'failed', 'timeout']),
		compute_class: z.enum(['cpu', 'gpu']),
		time_limit_seconds: z.number().int().positive()
	})
);

/**
 * Puts the queue in step with what the database decided, in the caller's
 * transaction: jobs to run again are re-enqueued (and the fleet woken), the
 * others' pg-boss jobs removed.
 */
export async function applyJobOutcomes(boss: PgBoss, client: pg.PoolClient, rows: unknown[]): Promise<z.infer<typeof jobOutcomesSchema>> {
	const parsed = jobOutcomesSchema.parse(rows);
	const executor = executorFor(client);
	const again = groupByClass(parsed.filter((r) => r.outcome === 'requeue'));
	for (const [computeClass, entries] of again) await requeue(boss, executor, computeClass, entries);
	for (const [computeClass, entries] of groupByClass(parsed.filter((r) => r.outcome !== 'requeue'))) {
		await discard(boss, executor, computeClass, entries.map((e) => e.jobId));
	}
	await notifyQueued(client, again.keys());
	return parsed;
}

const PRUNE_EVERY_MS = 60_000;
const pruneSchema = z.object({ marked_gone: z.number().int(), pruned: z.number().int() });

export function createReaper(options: { db: pg.Pool; boss: PgBoss; intervalMs: number; log: Logger; onRequeued(classes: Set<ComputeClass>): void }): WakeLoop {
	const { db, boss, log } = options;
	let prunedAt = -Infinity;
	return new WakeLoop({
		name: 'reap',
		intervalMs: options.intervalMs,
		onError: (error, wait) => log.warn(`reaping failed (${describeError(error)}); retrying in ${wait} ms`),
		async step() {
			const reaped = await inTransaction(db, async (client) => {
				const { rows } = await client.query('select * from worker.worker_reap($1)', [200]);
				return applyJobOutcomes(boss, client, rows);
			});
			if (performance.now() - prunedAt >= PRUNE_EVERY_MS) {
				prunedAt = performance.now();
				const { rows } = await db.query('select * from worker.worker_prune(100)');
				const { marked_gone, pruned } = pruneSchema.parse(rows[0]);
				if (marked_gone || pruned) log.info(`workers: ${marked_gone} marked gone (no heartbeat), ${pruned} pruned past the retention period`);
			}
			for (const r of reaped) log.info(`job ${r.job_id}: its worker stopped heartbeating; ${r.outcome === 'requeue' ? 'queued to run again' : r.outcome}`);
			const requeued = new Set(reaped.filter((r) => r.outcome === 'requeue').map((r) => r.compute_class));
			if (requeued.size) options.onRequeued(requeued);
			return reaped.length >= 200;
		}
	});
}
