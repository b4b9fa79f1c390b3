// Moves pending jobs into the pg-boss queue of their compute class (and
// `queued`), as far as that class's live workers have free slots. Runs in
// every worker; the database makes dispatchers take turns, and a job's
// pg-boss id is its own id, so whatever races happen there is one pg-boss
// job per Foldwork job. Woken by NOTIFY from submit_job, by a freed slot,
// and by a periodic sweep (which also keeps "Waiting for GPU resources"
// on GPU jobs while no GPU worker is online).
import type { PgBoss } from 'pg-boss';
import type pg from 'pg';
import { z } from 'zod';
import type { ComputeClass } from './config.ts';
import { executorFor, inTransaction } from './database.ts';
import { enqueue, notifyQueued, type QueueEntry } from './job-queue.ts';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';
import { WakeLoop } from './wake-loop.ts';

const dispatchedSchema = z.array(
	z.object({ job_id: z.uuid(), compute_class: z.enum(['cpu', 'gpu']), tool_id: z.string(), time_limit_seconds: z.number().int().positive() })
);

export const DISPATCH_BATCH = 500;

export interface DispatcherOptions {
	db: pg.Pool;
	boss: PgBoss;
	sweepMs: number;
	log: Logger;
	/** Jobs were queued for these classes (this worker's claimer may take them before the NOTIFY arrives). */
	onQueued(classes: Set<ComputeClass>): void;
}

export function groupByClass<T extends { compute_class: ComputeClass; job_id: string; time_limit_seconds: number; tool_id?: string }>(
	rows: T[]
): Map<ComputeClass, QueueEntry[]> {
	const byClass = new Map<ComputeClass, QueueEntry[]>();
	for (const row of rows) {
		const list = byClass.get(row.compute_class) ?? [];
		list.push({ jobId: row.job_id, timeLimitSeconds: row.time_limit_seconds, ...(row.tool_id ? { toolId: row.tool_id } : {}) });
		byClass.set(row.compute_class, list);
	}
	return byClass;
}

export function createDispatcher(options: DispatcherOptions): WakeLoop {
	const { db, boss, log } = options;
	return new WakeLoop({
		name: 'dispatch',
		intervalMs: options.sweepMs,
		onError: (error, wait) => log.warn(`dispatch failed (${describeError(error)}); retrying in ${wait} ms`),
		async step() {
			const byClass = await inTransaction(db, async (client) => {
				const { rows } = await client.query('select * from worker.worker_dispatch($1)', [DISPATCH_BATCH]);
				const grouped = groupByClass(dispatchedSchema.parse(rows));
				for (const [computeClass, entries] of grouped) await enqueue(boss, executorFor(client), computeClass, entries);
				await notifyQueued(client, grouped.keys());
				return grouped;
			});
			if (byClass.size) options.onQueued(new Set(byClass.keys()));
			const count = [...byClass.values()].reduce((n, list) => n + list.length, 0);
			return count >= DISPATCH_BATCH;
		}
	});
}
