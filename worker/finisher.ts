// Records how runs ended. Outcomes that arrive together are written in one
// transaction: the jobs' final status (worker_finish_jobs, which ignores a
// job no longer running under this attempt) and, for each job that is done,
// its pg-boss job settled. A write that fails (database gone) is retried
// with backoff until it lands, so no run ends unrecorded; once recorded,
// the caller's promise resolves.
import type { JobAttempt, PgBoss } from 'pg-boss';
import type pg from 'pg';
import { z } from 'zod';
import type { JobProvenance } from '#lib/jobs/provenance.ts';
import type { ComputeClass } from './config.ts';
import { executorFor, inTransaction } from './database.ts';
import { settle } from './job-queue.ts';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';
import { WakeLoop } from './wake-loop.ts';

export type FinalStatus = 'completed' | 'failed' | 'timeout';

export interface RunOutcome {
	jobId: string;
	attempt: number;
	computeClass: ComputeClass;
	queueAttempt: JobAttempt;
	/** null: the run was stopped (cancelled, lost); only find out what became of the job. */
	status: FinalStatus | null;
	result?: unknown;
	errorMessage?: string;
	errorCode?: string;
	/** For a completed job: what finished, its timeline entry (else the database writes "Finished"). */
	message?: string;
	/** What computed it (tool, programs, worker versions): stored as jobs.provenance. */
	provenance?: JobProvenance;
}

export type RecordedAs = 'applied' | 'gone' | 'elsewhere';

/** Refused for what was sent (bad data, a broken constraint, too large), not because the database is unreachable. */
function isDataError(error: unknown): boolean {
	const code = (error as { code?: unknown }).code;
	return typeof code === 'string' && /^(22|23|54)/.test(code);
}

const recordedSchema = z.array(z.object({ job_id: z.uuid(), outcome: z.enum(['applied', 'gone', 'elsewhere']) }));

interface Waiting {
	outcome: RunOutcome;
	resolve(recorded: RecordedAs): void;
}

export class Finisher {
	#db: pg.Pool;
	#boss: PgBoss;
	#workerId: string;
	#queue: Waiting[] = [];
	#loop: WakeLoop;
	#log: Logger;

	#onRecord: ((outcome: RunOutcome) => void) | null;

	/** onRecord: told of every run that ended, as it ends (the worker's metrics). */
	constructor(db: pg.Pool, boss: PgBoss, workerId: string, log: Logger, onRecord: ((outcome: RunOutcome) => void) | null = null) {
		this.#db = db;
		this.#onRecord = onRecord;
		this.#log = log;
		this.#boss = boss;
		this.#workerId = workerId;
		this.#loop = new WakeLoop({
			name: 'finish',
			step: () => this.#flush(),
			onError: (error, wait) => log.warn(`could not record finished jobs (${describeError(error)}); retrying in ${wait} ms`),
			maxBackoffMs: 2_000
		});
	}

	record(outcome: RunOutcome): Promise<RecordedAs> {
		this.#onRecord?.(outcome);
		return new Promise((resolve) => {
			this.#queue.push({ outcome, resolve });
			this.#loop.wake();
		});
	}

	async #flush(): Promise<boolean> {
		const batch = this.#queue.slice(0, 200);
		if (!batch.length) return false;
		try {
			await this.#write(batch);
		} catch (error) {
			if (!isDataError(error)) throw error;
			// One outcome the database refuses (say, a result it cannot store) must not hold up the others.
			for (const waiting of batch) {
				try {
					await this.#write([waiting]);
				} catch (single) {
					if (!isDataError(single)) throw single;
					this.#log.error(`job ${waiting.outcome.jobId}: outcome refused by the database, recording a failure instead`, single);
					waiting.outcome = {
						...waiting.outcome,
						status: waiting.outcome.status && 'failed',
						result: null,
						errorMessage: 'The tool finished, but its result could not be saved. This is a fault on our side, not in your input; the credits were refunded.',
						errorCode: 'result_not_saved'
					};
					await this.#write([waiting]);
				}
			}
		}
		return this.#queue.length > 0;
	}

	async #write(batch: Waiting[]): Promise<void> {
		const payload = batch.map(({ outcome: o }) => ({
			job_id: o.jobId,
			attempt: o.attempt,
			status: o.status,
			result: o.result ?? null,
			error_message: o.errorMessage ?? null,
			error_code: o.errorCode ?? null,
			message: o.message ?? null,
			provenance: o.provenance ?? null
		}));
		const recorded = await inTransaction(this.#db, async (client) => {
			const { rows } = await client.query('select * from worker.worker_finish_jobs($1, $2)', [this.#workerId, JSON.stringify(payload)]);
			const byJob = new Map(recordedSchema.parse(rows).map((r) => [r.job_id, r.outcome]));
			const done = new Map<ComputeClass, JobAttempt[]>();
			for (const { outcome } of batch) {
				if (byJob.get(outcome.jobId) === 'elsewhere') continue;
				done.set(outcome.computeClass, [...(done.get(outcome.computeClass) ?? []), outcome.queueAttempt]);
			}
			for (const [computeClass, attempts] of done) await settle(this.#boss, executorFor(client), computeClass, attempts);
			return byJob;
		});
		const written = new Set(batch);
		this.#queue = this.#queue.filter((w) => !written.has(w));
		for (const { outcome, resolve } of batch) resolve(recorded.get(outcome.jobId) ?? 'gone');
	}

	get pending(): number {
		return this.#queue.length;
	}

	async stop(): Promise<void> {
		await this.#loop.stop();
	}
}
