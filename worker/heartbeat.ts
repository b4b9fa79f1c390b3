// The worker's heartbeat: marks the worker seen and refreshes the heartbeat
// of every job it runs, in one statement. The database answers with the
// jobs this worker should no longer run (cancelled or deleted while a
// NOTIFY was missed, or handed to another worker after this one was cut
// off), whether the worker row is missing (then it registers again), and
// whether an operator asked it to drain (`npm run worker -- --drain`).
import type pg from 'pg';
import { z } from 'zod';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';
import { WakeLoop } from './wake-loop.ts';

const beatSchema = z.object({ registered: z.boolean(), lost: z.array(z.uuid()), drain: z.boolean() });

export interface HeartbeatOptions {
	db: pg.Pool;
	workerId: string;
	intervalMs: number;
	log: Logger;
	runningJobIds(): string[];
	onLost(jobIds: string[]): void;
	reregister(): Promise<void>;
	/** Asked to drain: called once. */
	onDrain(): void;
}

export function createHeartbeat(options: HeartbeatOptions): WakeLoop {
	const { db, log } = options;
	let draining = false;
	return new WakeLoop({
		name: 'heartbeat',
		intervalMs: options.intervalMs,
		maxBackoffMs: options.intervalMs,
		onError: (error, wait) => log.warn(`heartbeat failed (${describeError(error)}); retrying in ${wait} ms`),
		async step() {
			const running = options.runningJobIds();
			const { rows } = await db.query('select * from worker.worker_heartbeat($1, $2)', [options.workerId, running]);
			const beat = beatSchema.parse(rows[0]);
			if (!beat.registered) {
				log.warn('worker row missing; registering again');
				await options.reregister();
			}
			if (beat.lost.length) options.onLost(beat.lost);
			if (beat.drain && !draining) {
				draining = true;
				options.onDrain();
			}
		}
	});
}
