// An archive of jobs as a ZIP streamed as it is built: for each job, its
// input (input.json), its input and output files (read from Storage through
// signed URLs the job-file-urls function hands the visitor, piece by piece),
// its results (results.json and results.csv, as the job menu exports them),
// and at the end ro-crate-metadata.json (ro-crate.ts) describing every run,
// file and checksum. Everything is read with the visitor's own client, so
// the database decides what they may open (get_job's rule: the job's team,
// and people with the link of a job shared by link or made public); a job
// they may not open is refused before any byte is sent.
//
// Memory stays flat however many jobs: one job's metadata and one file piece
// are held at a time; each job's crate entities are spooled to a temporary
// file as the job is done and streamed into ro-crate-metadata.json at the
// end; what stays is the crate's root lists (two references a job), the
// entities jobs share (tools, programs, people) and the ZIP's central
// directory (about 100 bytes a file).
import type { SupabaseClient } from '@supabase/supabase-js';
import { createReadStream } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { jobFileUrls } from '#lib/files/signed-urls.ts';
import { exportSettings } from '#lib/jobs/export-settings.ts';
import { exportFileName, NothingToExportError, resultToCsv, resultToJson, type ExportableJob } from '#lib/jobs/export.ts';
import { jobFileSchema, jobRowSchema } from '#lib/jobs/job-view.ts';
import { parseProvenance } from '#lib/jobs/provenance.ts';
import { catalogEntry } from '#lib/tools/catalog.ts';
import { METADATA_FILE, RO_CRATE_CONTEXT, RoCrateBuilder, type CrateEntity, type CrateFile } from './ro-crate.ts';
import { ZipWriter } from './zip.server.ts';

/** Most jobs in one archive. */
export const MAX_ARCHIVE_JOBS = 1000;

const idsSchema = z
	.string({ error: 'Say which jobs to archive: ids=<job id>,<job id>,…' })
	.transform((text) => [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))])
	.pipe(
		z
			.array(z.uuid({ error: (issue) => `${JSON.stringify(issue.input)} is not a job id` }))
			.min(1, 'Say which jobs to archive: ids=<job id>,<job id>,…')
			.max(MAX_ARCHIVE_JOBS, `An archive holds at most ${MAX_ARCHIVE_JOBS} jobs; pick fewer.`)
	);

/** The job ids of `ids` (comma-separated, repeats dropped), or what is wrong with it. */
export function parseArchiveIds(raw: unknown): { ok: true; ids: string[] } | { ok: false; message: string } {
	const parsed = idsSchema.safeParse(raw ?? undefined);
	return parsed.success ? { ok: true, ids: parsed.data } : { ok: false, message: parsed.error.issues[0]?.message ?? 'The job ids are not valid.' };
}

const openedSchema = z.object({
	access: z.enum(['team', 'link']),
	job: jobRowSchema,
	submitter_name: z.string().nullable(),
	files: z.array(jobFileSchema)
});
type OpenedJob = z.infer<typeof openedSchema>;

async function openJob(supabase: SupabaseClient, jobId: string, withContent: boolean): Promise<unknown> {
	const { data, error } = await supabase.rpc('get_job', { job_id: jobId, with_content: withContent });
	if (error) throw new Error(`Could not read job ${jobId}: ${error.message}`);
	return data;
}

/** Runs fn over items, at most `limit` at once, keeping their order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const out: R[] = new Array(items.length);
	let next = 0;
	const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
		while (next < items.length) {
			const i = next++;
			out[i] = await fn(items[i]);
		}
	});
	await Promise.all(lanes);
	return out;
}

/** The ids among `ids` the caller may not open (no such job, or not theirs to see: the same answer). */
export async function jobsNotOpenable(supabase: SupabaseClient, ids: string[]): Promise<string[]> {
	const opened = await mapLimited(ids, 8, (id) => openJob(supabase, id, false));
	return ids.filter((_, i) => opened[i] === null);
}

/** A file name safe as one path part: no separators, control characters or leading dots. */
function safeName(name: string, taken: Set<string>): string {
	const base = name.normalize('NFC').replace(/[/\\\u0000-\u001f]+/g, '_').replace(/^\.+/, '_').slice(0, 200) || 'file';
	let candidate = base;
	for (let n = 2; taken.has(candidate); n++) candidate = `${n}-${base}`;
	taken.add(candidate);
	return candidate;
}

async function* body(response: Response): AsyncGenerator<Uint8Array> {
	if (!response.body) return;
	yield* response.body as unknown as AsyncIterable<Uint8Array>;
}

const encoder = new TextEncoder();
const FILE_URLS_PER_CALL = 100;

export interface ArchiveOptions {
	/** When the archive is made (datePublished; the entries' dates). */
	now?: Date;
	/** Fetches the signed file URLs (tests count requests). */
	fetcher?: typeof fetch;
}

/** Jobs read ahead together: their metadata, and signed URLs for their files in as few calls as the function allows. */
const READ_AHEAD_JOBS = 8;
/** Long enough for a slow reader to reach a window's last file (the function allows up to an hour). */
const URL_SECONDS = 3600;

interface ReadJob {
	opened: OpenedJob;
	urls: Map<string, { url: string }>;
}

async function readWindow(supabase: SupabaseClient, ids: string[]): Promise<ReadJob[]> {
	const data = await mapLimited(ids, 4, (id) => openJob(supabase, id, true));
	const opened = data.map((d, i) => {
		if (d === null) throw new Error(`Job ${ids[i]} can no longer be opened; the archive stops here.`);
		return openedSchema.parse(d);
	});
	const fileIds = opened.flatMap((o) => o.files.filter((f) => f.stored).map((f) => f.id));
	const urls = new Map<string, { url: string }>();
	for (let i = 0; i < fileIds.length; i += FILE_URLS_PER_CALL) {
		for (const [id, signed] of await jobFileUrls(supabase, fileIds.slice(i, i + FILE_URLS_PER_CALL), { expiresIn: URL_SECONDS })) urls.set(id, signed);
	}
	return opened.map((o) => ({ opened: o, urls }));
}

/** Each job with its file URLs, in order; the next window is read while this one's files stream. */
async function* readAhead(supabase: SupabaseClient, ids: string[]): AsyncGenerator<ReadJob> {
	const windows: string[][] = [];
	for (let i = 0; i < ids.length; i += READ_AHEAD_JOBS) windows.push(ids.slice(i, i + READ_AHEAD_JOBS));
	let next: Promise<ReadJob[]> | null = windows.length ? readWindow(supabase, windows[0]) : null;
	for (let w = 0; w < windows.length; w++) {
		const current = await next!;
		next = w + 1 < windows.length ? readWindow(supabase, windows[w + 1]) : null;
		// Handled when awaited; a client gone meanwhile must not leave it unhandled.
		next?.catch(() => {});
		yield* current;
	}
}

/** The archive's bytes, pulled as they are read; ids must already have passed jobsNotOpenable. */
export async function* jobArchive(supabase: SupabaseClient, ids: string[], options: ArchiveOptions = {}): AsyncGenerator<Uint8Array> {
	const spool = await mkdtemp(join(tmpdir(), 'foldwork-archive-'));
	try {
		yield* buildArchive(supabase, ids, options, join(spool, 'entities.json'));
	} finally {
		await rm(spool, { recursive: true, force: true });
	}
}

/** ro-crate-metadata.json's bytes: the jobs' own entities from the spool file, then the shared ones. */
async function* crateBytes(spoolFile: string, spooled: boolean, finished: CrateEntity[]): AsyncGenerator<Uint8Array> {
	yield encoder.encode(`{\n  "@context": ${JSON.stringify(RO_CRATE_CONTEXT)},\n  "@graph": [\n`);
	if (spooled) yield* createReadStream(spoolFile) as AsyncIterable<Uint8Array>;
	yield encoder.encode(`${finished.map(entityText).join(',\n')}\n  ]\n}\n`);
}

const entityText = (entity: CrateEntity) => `    ${JSON.stringify(entity)}`;

async function* buildArchive(supabase: SupabaseClient, ids: string[], options: ArchiveOptions, spoolFile: string): AsyncGenerator<Uint8Array> {
	const now = options.now ?? new Date();
	const fetcher = options.fetcher ?? fetch;
	const zip = new ZipWriter();
	const crate = new RoCrateBuilder({
		name: ids.length === 1 ? 'Foldwork job' : `Foldwork jobs (${ids.length})`,
		description: 'Jobs run on Foldwork: their inputs, settings, outputs and results, with the versions of what computed them.',
		datePublished: now
	});
	let spooled = false;
	// Jobs are read a window ahead (readAhead) while this one's files stream.
	for await (const { opened, urls } of readAhead(supabase, ids)) {
		const { job } = opened;
		const folder = `jobs/${job.id}/`;
		const inputs: CrateFile[] = [];
		const outputs: CrateFile[] = [];
		const entry = async function* (path: string, name: string, mediaType: string, bytes: Uint8Array | AsyncIterable<Uint8Array>, into: CrateFile[], description?: string) {
			const written = yield* zip.entry(path, bytes, { modified: new Date(job.finished_at ?? job.updated_at) });
			into.push({ path, name, sha256: written.sha256, contentSize: written.size, encodingFormat: mediaType, ...(description ? { description } : {}) });
		};

		yield* entry(`${folder}input.json`, 'input.json', 'application/json', encoder.encode(`${JSON.stringify(job.input, null, 2)}\n`), inputs, 'The job\'s input as submitted');

		const stored = opened.files.filter((f) => f.stored);
		const taken = { input: new Set<string>(), output: new Set<string>() };
		for (const file of stored) {
			const signed = urls.get(file.id);
			if (!signed) throw new Error(`The file ${file.name} of job ${job.id} could not be opened; the archive stops here.`);
			const response = await fetcher(signed.url);
			if (!response.ok) {
				await response.body?.cancel();
				throw new Error(`The file ${file.name} of job ${job.id} could not be read (${response.status}); the archive stops here.`);
			}
			const dir = file.kind === 'input' ? 'inputs' : 'outputs';
			const name = safeName(file.name, taken[file.kind]);
			yield* entry(`${folder}${dir}/${name}`, file.name, file.media_type, body(response), file.kind === 'input' ? inputs : outputs);
		}

		const settings = exportSettings(job.tool_id, job.settings);
		const exportable: ExportableJob = { ...job, provenance: job.provenance };
		if (job.status === 'completed') {
			yield* entry(`${folder}results.json`, 'results.json', 'application/json', encoder.encode(resultToJson(exportable, settings, now)), outputs, 'The job, its settings and provenance, and its whole result');
			let csv: string | null = null;
			try {
				csv = resultToCsv(exportable, settings);
			} catch (error) {
				if (!(error instanceof NothingToExportError)) throw error;
			}
			if (csv !== null) yield* entry(`${folder}results.csv`, 'results.csv', 'text/csv', encoder.encode(csv), outputs, 'The result table');
		}

		const tool = catalogEntry(job.tool_id);
		// Each job's entities go to disk as soon as they are known: memory does not grow with the archive.
		const own = crate.addJob({
			id: job.id,
			name: job.name,
			toolId: job.tool_id,
			toolName: tool?.name ?? job.tool_id,
			status: job.status,
			startedAt: job.started_at,
			finishedAt: job.finished_at,
			errorMessage: job.error_message,
			provenance: parseProvenance(job.provenance),
			settings: settings.values,
			settingLabels: Object.fromEntries(Object.keys(settings.values).map((key, k) => [key, settings.described[k]])),
			submitter: opened.access === 'team' && job.submitted_by ? { id: job.submitted_by, name: opened.submitter_name ?? 'A former member' } : null,
			teamId: job.team_id,
			folder,
			inputs,
			outputs
		});
		await appendFile(spoolFile, own.map((e) => `${entityText(e)},\n`).join(''));
		spooled = true;
	}
	yield* zip.entry(METADATA_FILE, crateBytes(spoolFile, spooled, crate.finish()), { modified: now });
	yield* zip.finish();
}

/** The download's file name: the job's name for one job, else "foldwork-jobs-<date>.zip". */
export function archiveFileName(ids: string[], firstJobName: string | null, now = new Date()): string {
	if (ids.length === 1 && firstJobName) return exportFileName(firstJobName, 'zip');
	return `foldwork-jobs-${now.toISOString().slice(0, 10)}.zip`;
}

/** The archive as a web stream that pulls from the generator only as the client reads, and stops it when the client goes away. */
export function archiveStream(chunks: AsyncGenerator<Uint8Array>, onError: (error: unknown) => void): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>(
		{
			async pull(controller) {
				try {
					const { value, done } = await chunks.next();
					if (done) controller.close();
					else controller.enqueue(value);
				} catch (error) {
					onError(error);
					controller.error(error);
				}
			},
			async cancel() {
				await chunks.return(undefined);
			}
		},
		{ highWaterMark: 0 }
	);
}
