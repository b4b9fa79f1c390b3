// Bulk actions on the jobs list, through the set-based RPCs
// (bulk_job_action, bulk_retry_preview; 20261209800000_bulk_job_actions.sql),
// which check the caller per job and answer per job. A selection is either
// the ids picked, or "every job matching this filter", sent as the list's
// filter so thousands of ids never cross the wire. Also the pure parts the
// page shares with the tests: shift-click ranges, the result summary, the
// Compare link.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { fail } from './actions.ts';
import { type JobListFilters, statusesFor } from './list.ts';
import { jobVisibilitySchema } from './status.ts';
import { compareLink, MAX_COMPARED, MIN_COMPARED } from '#lib/compare/compare-ids.ts';

export const BULK_ACTIONS = ['retry', 'cancel', 'delete', 'set_visibility'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
/** The most jobs one call acts on (the RPCs' limit). */
export const BULK_MAX = 10_000;

export type BulkSelection = { kind: 'ids'; ids: string[] } | { kind: 'filter'; filters: JobListFilters };

/** The list's filter as the RPCs take it (list_team_jobs' arguments). */
export function bulkFilter(filters: Pick<JobListFilters, 'tool' | 'status' | 'submitter' | 'q'>): Record<string, unknown> {
	return { tool_id: filters.tool, statuses: statusesFor(filters.status), submitted_by: filters.submitter, search: filters.q || null };
}

function selectionArgs(selection: BulkSelection): { job_ids: string[] | null; filter: Record<string, unknown> | null } {
	return selection.kind === 'ids' ? { job_ids: selection.ids, filter: null } : { job_ids: null, filter: bulkFilter(selection.filters) };
}

const previewSchema = z.object({
	jobs: z.number().int(),
	credits: z.number().int(),
	balance: z.number().int(),
	sufficient: z.boolean(),
	limit: z.string().nullable(),
	refused: z.array(z.object({ reason: z.string(), jobs: z.number().int() }))
});
export type BulkRetryPreview = z.infer<typeof previewSchema>;

/** What a bulk retry would do: how many jobs, the total price, the balance, a team limit it would cross, what is refused. */
export async function previewBulkRetry(supabase: SupabaseClient, teamId: string, selection: BulkSelection): Promise<BulkRetryPreview> {
	const { data, error } = await supabase.rpc('bulk_retry_preview', { team_id: teamId, ...selectionArgs(selection) });
	if (error) fail('work out what the retries cost', error);
	return previewSchema.parse(data);
}

const outcomeSchema = z.object({
	job_id: z.uuid(),
	outcome: z.enum(['done', 'refused']),
	reason: z.string().optional(),
	new_job_id: z.uuid().optional()
});
const answerSchema = z.object({
	action: z.enum(BULK_ACTIONS),
	done: z.number().int(),
	refused: z.number().int(),
	credits: z.number().int(),
	outcomes: z.array(outcomeSchema)
});
export type BulkAnswer = z.infer<typeof answerSchema>;

/**
 * One action on a selection, in one call. A retry passes the total the
 * person confirmed (expectedCredits): the database refuses it whole if the
 * price changed, or the balance or a team limit cannot cover it.
 */
export async function runBulkAction(
	supabase: SupabaseClient,
	teamId: string,
	action: BulkAction,
	selection: BulkSelection,
	options: { visibility?: string; expectedCredits?: number } = {}
): Promise<BulkAnswer> {
	const visibility = options.visibility === undefined ? null : jobVisibilitySchema.parse(options.visibility);
	const { data, error } = await supabase.rpc('bulk_job_action', {
		team_id: teamId,
		action,
		...selectionArgs(selection),
		visibility,
		expected_credits: options.expectedCredits ?? null
	});
	if (error) fail('act on the jobs', error);
	return answerSchema.parse(data);
}

const DONE_WORDS: Record<BulkAction, string> = { retry: 'retried', cancel: 'cancelled', delete: 'deleted', set_visibility: 'changed' };

/** "12 retried, 3 refused: not found (2); only failed, … (1)": what a bulk action did, for the person who asked. */
export function summariseBulkAnswer(answer: Pick<BulkAnswer, 'action' | 'done' | 'refused' | 'outcomes'>): string {
	const done = `${answer.done} ${DONE_WORDS[answer.action]}`;
	if (answer.refused === 0) return done;
	const reasons = new Map<string, number>();
	for (const o of answer.outcomes) if (o.outcome === 'refused') reasons.set(o.reason ?? 'refused', (reasons.get(o.reason ?? 'refused') ?? 0) + 1);
	const why = [...reasons].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} (${n})`);
	return `${done}, ${answer.refused} refused: ${why.join('; ')}`;
}

/**
 * The ids a shift-click selects: every id on the page from the last one
 * clicked (the anchor) to this one, inclusive. Without an anchor on this
 * page, just this one.
 */
export function rangeIds(pageIds: readonly string[], anchor: string | null, target: string): string[] {
	const from = anchor === null ? -1 : pageIds.indexOf(anchor);
	const to = pageIds.indexOf(target);
	if (to < 0) return [];
	if (from < 0) return [target];
	return pageIds.slice(Math.min(from, to), Math.max(from, to) + 1);
}

/** The compare page for a selection of 2 to 4 jobs of one tool; null otherwise. */
export function selectionCompareLink(jobs: readonly { id: string; tool_id: string }[]): string | null {
	if (jobs.length < MIN_COMPARED || jobs.length > MAX_COMPARED) return null;
	if (new Set(jobs.map((j) => j.tool_id)).size !== 1) return null;
	return compareLink(jobs.map((j) => j.id));
}
