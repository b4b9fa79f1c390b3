// A job's files in Storage, as a worker handles them. Outputs: streamed to
// "<team>/<job>/output/<key>" (the database says where, and only while the
// job runs under this worker attempt), then recorded with their size and
// SHA-256. Inputs: the input's {"$file": "<name>"} references are replaced
// by the files' text, streamed from Storage and checked against the SHA-256
// and size recorded at submission (a file that changed fails the job,
// saying so). Uploads a job claimed are first moved into its own folder,
// where only the fleet can write (settle), by whichever worker gets there
// first: the janitor soon after submission, or the run itself.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { ToolInputError, TransientToolError } from '#lib/tools/types.ts';
import { findFileRefs, replaceFileRefs } from '#lib/files/input-refs.ts';
import type { Logger } from '../log.ts';
import { describeError } from '../log.ts';
import { StorageError, type StorageClient } from './client.ts';

const inputFileSchema = z.object({
	file_id: z.uuid(),
	team_id: z.uuid(),
	name: z.string(),
	media_type: z.string(),
	size_bytes: z.coerce.number(),
	sha256: z.string().nullable(),
	storage_path: z.string().nullable()
});
const settleSchema = z.object({ storage_path: z.string(), destination: z.string() });

export interface OutputTarget {
	workerId: string;
	jobId: string;
	attempt: number;
}

export type WriteOutcome = 'written' | 'lost';

export function sha256Hex(bytes: Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}

function isUploadPath(path: string): boolean {
	return path.split('/')[1] === 'uploads';
}

export class JobFiles {
	#db: pg.Pool;
	#storage: StorageClient;
	#log: Logger;

	constructor(db: pg.Pool, storage: StorageClient, log: Logger) {
		this.#db = db;
		this.#storage = storage;
		this.#log = log;
	}

	get storage(): StorageClient {
		return this.#storage;
	}

	/**
	 * Puts one output file in Storage and records it. 'lost' when the job is
	 * no longer this attempt's (cancelled, deleted, reaped): nothing is
	 * recorded, and bytes already sent for a job that is gone are removed.
	 */
	async writeOutput(target: OutputTarget, name: string, mediaType: string, bytes: Uint8Array, signal: AbortSignal): Promise<WriteOutcome> {
		const { rows } = await this.#db.query<{ path: string | null }>('select worker.worker_output_path($1, $2, $3, $4) as path', [
			target.workerId,
			target.jobId,
			target.attempt,
			name
		]);
		const path = rows[0]?.path ?? null;
		if (!path) return 'lost';
		await this.#storage.upload(path, bytes, { contentType: mediaType, upsert: true, signal });
		const recorded = await this.#db.query<{ ok: boolean }>('select worker.worker_write_job_file($1, $2, $3, $4, $5, $6, $7, $8) as ok', [
			target.workerId,
			target.jobId,
			target.attempt,
			name,
			mediaType,
			bytes.byteLength,
			sha256Hex(bytes),
			path
		]);
		if (recorded.rows[0]?.ok === true) return 'written';
		const gone = await this.#db.query('select 1 from public.jobs where id = $1', [target.jobId]);
		// A deleted job's folder may already have been cleaned: do not leave these bytes behind. (A job that
		// still exists runs under another attempt, which writes this same key: leave it to that attempt.)
		if (gone.rows.length === 0) await this.#storage.remove([path]).catch((error) => this.#log.warn(`could not remove ${path} of a deleted job: ${describeError(error)}`));
		return 'lost';
	}

	/**
	 * The job's input with each {"$file": name} replaced by that file's text.
	 * Bad files are the submitter's problem (ToolInputError); Storage being
	 * unreachable is a transient fault (TransientToolError).
	 */
	async resolveInput(jobId: string, input: unknown, signal: AbortSignal): Promise<unknown> {
		const refs = findFileRefs(input);
		if (refs.size === 0) return input;
		await this.settle({ onlyJob: jobId });
		const { rows } = await this.#db.query('select * from worker.worker_job_input_files($1)', [jobId]);
		const files = new Map(z.array(inputFileSchema).parse(rows).map((f) => [f.name, f]));
		const texts = new Map<string, string>();
		for (const name of refs) {
			const file = files.get(name);
			if (!file || !file.storage_path) throw new ToolInputError(`the input refers to a file "${name}" that this job does not have`);
			texts.set(name, await this.#readText(file, signal));
		}
		return replaceFileRefs(input, texts);
	}

	async #readText(file: z.infer<typeof inputFileSchema>, signal: AbortSignal): Promise<string> {
		let stream;
		try {
			stream = await this.#storage.download(file.storage_path!, { signal });
		} catch (error) {
			if (error instanceof StorageError && error.notFound) throw new ToolInputError(`the input file "${file.name}" is missing from storage; submit the job again with the file`);
			if (signal.aborted) throw error;
			throw new TransientToolError(`could not read the input file "${file.name}" from Storage: ${describeError(error)}`, { cause: error });
		}
		const hash = createHash('sha256');
		const decoder = new TextDecoder('utf-8', { fatal: true });
		const parts: string[] = [];
		let size = 0;
		try {
			for await (const chunk of stream as AsyncIterable<Buffer>) {
				hash.update(chunk);
				size += chunk.length;
				if (size > file.size_bytes) break;
				parts.push(decoder.decode(chunk, { stream: true }));
			}
			parts.push(decoder.decode());
		} catch (error) {
			if (signal.aborted) throw error;
			if (error instanceof TypeError) throw new ToolInputError(`the input file "${file.name}" is not UTF-8 text`);
			throw new TransientToolError(`reading the input file "${file.name}" from Storage failed: ${describeError(error)}`, { cause: error });
		} finally {
			stream.destroy();
		}
		if (size !== file.size_bytes || (file.sha256 !== null && hash.digest('hex') !== file.sha256)) {
			throw new ToolInputError(
				`the input file "${file.name}" is not the file that was submitted (its size or SHA-256 differs from what was recorded); submit the job again`
			);
		}
		return parts.join('');
	}

	/**
	 * Moves claimed uploads into their job's folder and records it (all
	 * pending ones, or one job's). Idempotent, and safe with other workers
	 * doing the same: a move someone else made is recorded, not repeated.
	 * Returns how many moved.
	 */
	async settle(options: { onlyJob?: string; max?: number } = {}): Promise<number> {
		const { rows } = await this.#db.query('select * from worker.worker_inputs_to_settle($1, $2)', [options.max ?? 100, options.onlyJob ?? null]);
		let moved = 0;
		for (const { storage_path: from, destination } of z.array(settleSchema).parse(rows)) {
			if (!isUploadPath(from)) continue;
			try {
				await this.#storage.move(from, destination);
			} catch (error) {
				if (!(error instanceof StorageError)) throw error;
				// Already moved by another worker, or an earlier move whose record was lost: record it.
				if (error.notFound && !(await this.#storage.exists(destination))) {
					this.#log.warn(`submitted upload ${from} is missing from Storage; the job using it will fail when it runs`);
					continue;
				}
				if (!error.notFound && !error.exists) throw error;
			}
			await this.#db.query('select worker.worker_input_settled($1, $2)', [from, destination]);
			moved++;
		}
		return moved;
	}
}
