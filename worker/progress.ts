// Live progress, throttled: a job's progress reaches the database at most
// once per interval (~4 writes/s), the latest value winning; the updates of
// all running jobs go out together in one statement. The final 100% is
// written by finishing the job (the database sets it on `completed`).
import type pg from 'pg';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';

interface Pending {
	attempt: number;
	progress: number;
	message: string | null;
}

export class ProgressWriter {
	#db: pg.Pool;
	#workerId: string;
	#intervalMs: number;
	#log: Logger;
	#pending = new Map<string, Pending>();
	#lastWrite = new Map<string, number>();
	#timer: NodeJS.Timeout | null = null;
	#flushing: Promise<void> | null = null;

	constructor(db: pg.Pool, workerId: string, log: Logger, intervalMs = 250) {
		this.#db = db;
		this.#workerId = workerId;
		this.#log = log;
		this.#intervalMs = intervalMs;
	}

	report(jobId: string, attempt: number, progress: number, message: string | null): void {
		if (!Number.isFinite(progress)) return;
		this.#pending.set(jobId, { attempt, progress: Math.max(0, Math.min(100, progress)), message });
		this.#schedule();
	}

	/** The job finished: what it still had to say is superseded. */
	forget(jobId: string): void {
		this.#pending.delete(jobId);
		this.#lastWrite.delete(jobId);
	}

	#schedule(): void {
		if (this.#timer || this.#flushing) return;
		const now = performance.now();
		let soonest = Infinity;
		for (const jobId of this.#pending.keys()) {
			soonest = Math.min(soonest, (this.#lastWrite.get(jobId) ?? -Infinity) + this.#intervalMs);
		}
		if (soonest === Infinity) return;
		this.#timer = setTimeout(() => {
			this.#timer = null;
			this.#flushing = this.#flush().finally(() => {
				this.#flushing = null;
				this.#schedule();
			});
		}, Math.max(0, soonest - now));
	}

	async #flush(): Promise<void> {
		const now = performance.now();
		const due: Array<{ job_id: string; attempt: number; progress: number; message: string | null }> = [];
		for (const [jobId, update] of this.#pending) {
			if ((this.#lastWrite.get(jobId) ?? -Infinity) + this.#intervalMs > now) continue;
			due.push({ job_id: jobId, ...update });
			this.#pending.delete(jobId);
			this.#lastWrite.set(jobId, now);
		}
		if (!due.length) return;
		try {
			await this.#db.query('select worker.worker_report_progress($1, $2)', [this.#workerId, JSON.stringify(due)]);
		} catch (error) {
			// Progress is advisory: a lost update is replaced by the next one.
			this.#log.warn(`progress not saved: ${describeError(error)}`);
		}
	}

	async stop(): Promise<void> {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		this.#pending.clear();
		await this.#flushing;
	}
}
