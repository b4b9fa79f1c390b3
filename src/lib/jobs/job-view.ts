// Everything the job detail view shows about one job, opened by its id
// through public.get_job as whoever is looking (a member of its team, or
// someone outside it with the link: an invitee, any signed-in user, or an
// anonymous visitor of a public job), and parsed at the boundary with zod.
// Outside the team the database leaves out the team's people: no submitter,
// no links to the team's other jobs, neutral timeline messages.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { fetchHead, fetchText, jobFileUrl } from '#lib/files/signed-urls.ts';
import { catalogEntry, type ToolCatalogEntry } from '#lib/tools/catalog.ts';
import { isWaiting, jobStatusSchema, jobVisibilitySchema } from './status.ts';

const timestamp = z.string().min(1);

export const jobRowSchema = z.object({
	id: z.uuid(),
	team_id: z.uuid(),
	tool_id: z.string(),
	submitted_by: z.uuid().nullable(),
	name: z.string(),
	status: jobStatusSchema,
	progress: z.number().int().min(0).max(100),
	progress_message: z.string().nullable(),
	input: z.record(z.string(), z.unknown()),
	settings: z.record(z.string(), z.unknown()),
	result: z.unknown().nullable(),
	/** What computed it (provenance.ts); null before it ran, and for jobs that ran before it was recorded. */
	provenance: z.unknown().nullable().default(null),
	error_message: z.string().nullable(),
	error_code: z.string().nullable(),
	credits_charged: z.number().int().min(0),
	/** What the database gave back: all of credits_charged (failed, timed out, cancelled before it started) or 0. */
	credits_refunded: z.number().int().min(0).default(0),
	visibility: jobVisibilitySchema,
	attempt: z.number().int().min(1),
	retry_of: z.uuid().nullable(),
	duplicated_from: z.uuid().nullable(),
	created_at: timestamp,
	queued_at: timestamp.nullable(),
	started_at: timestamp.nullable(),
	finished_at: timestamp.nullable(),
	updated_at: timestamp
});
export type JobRow = z.infer<typeof jobRowSchema>;

/** The job without its (possibly large) input, settings and result: what changes while it runs. */
export const jobStateSchema = jobRowSchema.omit({ input: true, settings: true, result: true, provenance: true });
export type JobState = z.infer<typeof jobStateSchema>;

export const jobEventSchema = z.object({
	id: z.number().int(),
	from_status: jobStatusSchema.nullable(),
	to_status: jobStatusSchema,
	at: timestamp,
	message: z.string().nullable()
});
export type JobEvent = z.infer<typeof jobEventSchema>;

/** A file's metadata; its bytes (in Storage) are fetched only when someone previews or downloads it. */
export const jobFileSchema = z.object({
	id: z.uuid(),
	name: z.string(),
	kind: z.enum(['input', 'output']),
	media_type: z.string(),
	// bigint arrives as a number from PostgREST (and as a string from some drivers).
	size_bytes: z.coerce.number().int().min(0),
	sha256: z.string().nullable().default(null),
	/** False only for a file written before files moved to Storage, until the worker fleet moves it. */
	stored: z.boolean().default(true),
	created_at: timestamp
});
export type JobFileMeta = z.infer<typeof jobFileSchema>;

/** How the viewer may open the job: as a member of its team, or by its link from outside the team. */
export const jobAccessSchema = z.enum(['team', 'link']);
export type JobAccess = z.infer<typeof jobAccessSchema>;

/** public.get_job's answer (supabase/migrations/20261207200100_get_job.sql). */
const openedJobSchema = <T extends z.ZodType>(job: T) =>
	z.object({
		access: jobAccessSchema,
		job,
		submitter_name: z.string().nullable(),
		events: z.array(jobEventSchema),
		files: z.array(jobFileSchema)
	});
const openedJobWithContent = openedJobSchema(jobRowSchema);
const openedJobState = openedJobSchema(jobStateSchema);

/** job_queue_insight's row (supabase/migrations/20261209500200_queue_insight_fair_order.sql: the dispatcher's fair order). */
export const queueInsightSchema = z.object({
	job_id: z.uuid(),
	status: jobStatusSchema,
	compute_class: z.enum(['cpu', 'gpu']),
	queue_position: z.number().int(),
	jobs_ahead: z.number().int(),
	reason: z.string(),
	message: z.string(),
	/** Seconds until it is expected to start; null without a recent run time to go by. */
	eta_seconds: z.number().int().nullable().optional().default(null)
});
export type QueueInsight = z.infer<typeof queueInsightSchema>;

export interface JobView {
	job: JobRow;
	access: JobAccess;
	/** Null outside the team (never shown there) or when the submitter's account is gone. */
	submitterName: string | null;
	tool: ToolCatalogEntry | null;
	events: JobEvent[];
	files: JobFileMeta[];
	/** Only for the job's team while it waits (pending, queued, retry). */
	queue: QueueInsight | null;
}

const uuid = z.uuid();

async function openJob<T extends z.ZodType>(supabase: SupabaseClient, jobId: string, withContent: boolean, schema: T): Promise<z.infer<T> | null> {
	const { data, error } = await supabase.rpc('get_job', { job_id: jobId, with_content: withContent });
	if (error) throw new Error(`Could not load the job: ${error.message}`);
	return data === null ? null : schema.parse(data);
}

/** The job as the caller may open it, or null when it does not exist or they may not (the same answer). */
export async function loadJobView(supabase: SupabaseClient, jobId: string): Promise<JobView | null> {
	if (!uuid.safeParse(jobId).success) return null;
	const opened = await openJob(supabase, jobId, true, openedJobWithContent);
	if (!opened) return null;
	const { job, access } = opened;
	const queue = access === 'team' && isWaiting(job.status) ? await loadQueueInsight(supabase, jobId) : null;
	return { job, access, submitterName: opened.submitter_name, tool: catalogEntry(job.tool_id) ?? null, events: opened.events, files: opened.files, queue };
}

/**
 * Where the job stands now (status, progress, timestamps), its timeline,
 * files and queue place, without re-reading input and result: for catching
 * up after (re)joining the live channel. Null when it can no longer be opened.
 */
export async function loadJobProgress(
	supabase: SupabaseClient,
	jobId: string
): Promise<{ state: JobState; access: JobAccess; events: JobEvent[]; files: JobFileMeta[]; queue: QueueInsight | null } | null> {
	const opened = await openJob(supabase, jobId, false, openedJobState);
	if (!opened) return null;
	const { job: state, access, events, files } = opened;
	const queue = access === 'team' && isWaiting(state.status) ? await loadQueueInsight(supabase, jobId) : null;
	return { state, access, events, files, queue };
}

/**
 * Profiles are readable only by the person and their team mates, so people
 * outside the team (and anonymous visitors) get null; that is expected.
 */
export async function loadDisplayName(supabase: SupabaseClient, userId: string | null): Promise<string | null> {
	if (!userId) return null;
	const { data, error } = await supabase.from('profiles').select('display_name').eq('id', userId).maybeSingle();
	if (error || !data) return null;
	const parsed = z.object({ display_name: z.string() }).safeParse(data);
	return parsed.success ? parsed.data.display_name : null;
}

/**
 * Where a waiting job stands in its queue, or null: the RPC answers for the
 * caller's own teams only and is not offered to anonymous visitors.
 */
export async function loadQueueInsight(supabase: SupabaseClient, jobId: string): Promise<QueueInsight | null> {
	const { data, error } = await supabase.rpc('job_queue_insight', { job_ids: [jobId] });
	if (error) return null;
	const rows = z.array(queueInsightSchema).safeParse(data);
	return rows.success ? (rows.data.find((r) => r.job_id === jobId) ?? null) : null;
}

/** The file's text (UTF-8), or null when the caller may not open it (or it is not in Storage yet). */
export async function loadJobFileText(supabase: SupabaseClient, fileId: string): Promise<string | null> {
	if (!uuid.safeParse(fileId).success) return null;
	const file = await jobFileUrl(supabase, fileId);
	return file ? await fetchText(file.url) : null;
}

export interface JobFileHead {
	text: string;
	totalBytes: number;
	/** Only the start of the file is in `text`. */
	partial: boolean;
}

/**
 * The start of a file as text, at most `maxBytes` of it (a Range read: a
 * large file is never downloaded to preview it), cut before a character
 * split at the end; null as for loadJobFileText.
 */
export async function loadJobFileHead(supabase: SupabaseClient, fileId: string, maxBytes: number): Promise<JobFileHead | null> {
	if (!uuid.safeParse(fileId).success) return null;
	const file = await jobFileUrl(supabase, fileId);
	if (!file) return null;
	const head = await fetchHead(file.url, maxBytes);
	return { text: new TextDecoder().decode(head.bytes, { stream: head.partial }), totalBytes: head.totalBytes, partial: head.partial };
}

/** A signed URL that downloads the file under its name, or null as for loadJobFileText. */
export async function jobFileDownloadUrl(supabase: SupabaseClient, fileId: string): Promise<string | null> {
	if (!uuid.safeParse(fileId).success) return null;
	return (await jobFileUrl(supabase, fileId, { download: true }))?.url ?? null;
}

/** A Content-Disposition that saves the file under its name (ASCII fallback, then the UTF-8 name). */
export function attachmentDisposition(name: string): string {
	const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Where the app serves a job file as a download (signed-in viewers). */
export function fileDownloadHref(fileId: string): string {
	return `/app/files/${encodeURIComponent(fileId)}/download`;
}
