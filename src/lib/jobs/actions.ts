// What the job menu and the tool form do, through the job RPCs (which check who may do what;
// see 20261128000600_job_rpcs.sql) with the signed-in user's client. Each
// returns what changed or throws: a JobActionError for a problem the person
// can fix (shown beside the field), anything else is unexpected.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import type { ExportableJob } from './export.ts';
import { jobStatusSchema, type JobStatus } from './status.ts';

/** A refusal with a message a person can act on: bad input (22023), not allowed (42501), a rule of the job's state (P0001). */
export class JobActionError extends Error {
	readonly code: string;
	constructor(message: string, code: string) {
		super(message);
		this.name = 'JobActionError';
		this.code = code;
	}
}

const EXPECTED_CODES = new Set(['22023', '42501', 'P0001', '42704']);

/** Throws the RPC's error: a JobActionError for a refusal the person can act on, else an Error saying what could not be done. */
export function fail(action: string, error: { message: string; code?: string }): never {
	if (error.code && EXPECTED_CODES.has(error.code)) throw new JobActionError(capitalise(error.message), error.code);
	throw new Error(`Could not ${action}: ${error.message}`);
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

const jobRowSchema = z.object({ id: z.uuid(), name: z.string(), tool_id: z.string(), status: jobStatusSchema });
const cancelledSchema = jobRowSchema.extend({ credits_charged: z.number().int(), credits_refunded: z.number().int() });

export async function renameJob(supabase: SupabaseClient, jobId: string, name: string): Promise<string> {
	const { data, error } = await supabase.rpc('rename_job', { job_id: jobId, name: name.trim() });
	if (error) fail('rename the job', error);
	return jobRowSchema.parse(data).name;
}

export async function deleteJob(supabase: SupabaseClient, jobId: string): Promise<void> {
	const { error } = await supabase.rpc('delete_job', { job_id: jobId });
	if (error) fail('delete the job', error);
}

/** Cancels a job that has not finished; returns its new status and what the database refunded (nothing once it had started). */
export async function cancelJob(supabase: SupabaseClient, jobId: string): Promise<{ status: JobStatus; creditsCharged: number; creditsRefunded: number }> {
	const { data, error } = await supabase.rpc('cancel_job', { job_id: jobId });
	if (error) fail('cancel the job', error);
	const job = cancelledSchema.parse(data);
	return { status: job.status, creditsCharged: job.credits_charged, creditsRefunded: job.credits_refunded };
}

/** A new job from the tool form: its id, or the database's refusal as it gave it (shown beside Run). */
export type SubmitOutcome = { ok: true; jobId: string } | { ok: false; error: { message: string; code?: string; hint?: string } };

const newJobSchema = z.object({ id: z.string() });

/** Submits a job (submit_job: checks the input, prices it and charges the team in one transaction). */
export async function submitJob(
	supabase: SupabaseClient,
	job: { toolId: string; name: string; input: unknown; settings: unknown; teamId: string; files: readonly unknown[] }
): Promise<SubmitOutcome> {
	const { data, error } = await supabase.rpc('submit_job', { tool_id: job.toolId, name: job.name, input: job.input, settings: job.settings, team_id: job.teamId, files: job.files });
	return error ? { ok: false, error } : { ok: true, jobId: newJobSchema.parse(data).id };
}

/** Runs a completed job again on its stored input (duplicate_job), with a new name and settings; charged as usual. */
export async function duplicateJob(supabase: SupabaseClient, job: { jobId: string; name: string; settings: unknown }): Promise<SubmitOutcome> {
	const { data, error } = await supabase.rpc('duplicate_job', { job_id: job.jobId, name: job.name, settings: job.settings });
	return error ? { ok: false, error } : { ok: true, jobId: newJobSchema.parse(data).id };
}

const retryPreviewSchema = z.object({ name: z.string(), credits: z.number().int(), balance: z.number().int(), sufficient: z.boolean() });
export type RetryPreview = z.infer<typeof retryPreviewSchema>;

/** What retrying would do (retry_job_preview): the new job's name, its price and the team's balance. */
export async function previewRetry(supabase: SupabaseClient, jobId: string): Promise<RetryPreview> {
	const { data, error } = await supabase.rpc('retry_job_preview', { job_id: jobId });
	if (error) fail('work out what a retry costs', error);
	return retryPreviewSchema.parse(data);
}

/** Runs a failed, timed-out or cancelled job again as a new job (charged as usual); returns the new job. */
export async function retryJob(supabase: SupabaseClient, jobId: string): Promise<{ id: string; tool_id: string; name: string }> {
	const { data, error } = await supabase.rpc('retry_job', { job_id: jobId });
	if (error) fail('retry the job', error);
	return jobRowSchema.parse(data);
}

const exportableSchema = z.object({
	name: z.string(),
	tool_id: z.string(),
	settings: z.unknown(),
	result: z.unknown(),
	provenance: z.unknown().optional(),
	created_at: z.string(),
	finished_at: z.string().nullable()
});

/**
 * The job with its result, fetched only when it is exported (results can be large).
 * Read through get_job, which answers whoever may open the job (its team, an invitee,
 * anyone with the link of a public job), so all of them can export what they can see.
 */
export async function fetchJobForExport(supabase: SupabaseClient, jobId: string): Promise<ExportableJob> {
	const { data, error } = await supabase.rpc('get_job', { job_id: jobId, with_content: true });
	if (error) throw new Error(`Could not load the job's results: ${error.message}`);
	const job = (data as { job?: unknown } | null)?.job;
	if (!job) throw new JobActionError('This job no longer exists, or you can no longer see it.', '42704');
	return { id: jobId, ...exportableSchema.parse(job) };
}
