// The fleet's Storage housekeeping, in every worker (each step is safe to
// run from many at once): move submitted uploads into their job's folder,
// remove the objects of deleted jobs and teams and (now and then) uploads
// never submitted, and move file bytes still kept in the database to
// Storage. Woken by the database (NOTIFY foldwork_storage: a job submitted
// with files, a job or team deleted) and by a periodic sweep.
import type pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import { describeError } from '../log.ts';
import { WakeLoop } from '../wake-loop.ts';
import type { StorageClient } from './client.ts';
import type { JobFiles } from './job-files.ts';
import { sha256Hex } from './job-files.ts';

export const STORAGE_CHANNEL = 'foldwork_storage';

const GARBAGE_BATCH = 500;
const LEGACY_BATCH = 10;

const legacySchema = z.object({ file_id: z.uuid(), storage_path: z.string(), media_type: z.string(), content: z.instanceof(Buffer) });

/** Removes what the database says is garbage; returns how many objects went. */
export async function removeGarbage(db: pg.Pool, storage: StorageClient, expiredUploads: boolean): Promise<number> {
	const { rows } = await db.query<{ name: string }>('select name from worker.worker_storage_garbage($1, $2)', [GARBAGE_BATCH, expiredUploads]);
	if (rows.length === 0) return 0;
	const names = rows.map((r) => r.name);
	let removed = 0;
	for (let i = 0; i < names.length; i += 1000) removed += (await storage.remove(names.slice(i, i + 1000))).length;
	return removed;
}

/** Moves a batch of file rows that still hold their bytes into Storage; returns how many moved. */
export async function moveLegacyFiles(db: pg.Pool, storage: StorageClient, batch = LEGACY_BATCH): Promise<number> {
	const { rows } = await db.query('select * from worker.worker_legacy_job_files($1)', [batch]);
	let moved = 0;
	for (const row of z.array(legacySchema).parse(rows)) {
		const bytes = row.content;
		await storage.upload(row.storage_path, bytes, { contentType: row.media_type, upsert: true });
		const { rows: done } = await db.query<{ ok: boolean }>('select worker.worker_legacy_job_file_moved($1, $2, $3, $4) as ok', [
			row.file_id,
			row.storage_path,
			sha256Hex(bytes),
			bytes.byteLength
		]);
		if (done[0]?.ok) moved++;
	}
	return moved;
}

export function createStorageJanitor(options: { db: pg.Pool; files: JobFiles; sweepMs: number; log: Logger }): WakeLoop {
	const { db, files, log } = options;
	let lastExpirySweep = 0;
	return new WakeLoop({
		name: 'storage',
		intervalMs: options.sweepMs,
		maxBackoffMs: 30_000,
		onError: (error, wait) => log.warn(`storage housekeeping failed (${describeError(error)}); retrying in ${wait} ms`),
		async step() {
			const settled = await files.settle();
			const now = Date.now();
			const expiry = now - lastExpirySweep >= options.sweepMs;
			if (expiry) lastExpirySweep = now;
			const removed = await removeGarbage(db, files.storage, expiry);
			const legacy = await moveLegacyFiles(db, files.storage);
			if (settled || removed || legacy) log.info(`storage: ${settled} upload(s) moved into their job's folder, ${removed} object(s) removed, ${legacy} file(s) moved out of the database`);
			return settled > 0 || removed > 0 || legacy >= LEGACY_BATCH;
		}
	});
}
