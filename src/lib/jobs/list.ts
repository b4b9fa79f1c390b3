// The global jobs page's list: what the URL query asks for (filters, search,
// sort, page), the list_team_jobs call that answers it, and how one live
// change (a job added, updated or deleted on the team's Realtime topic)
// changes the rows on screen.
// Pure functions and a typed client, so the page, the tests and the live
// store share one definition.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { toolCatalog } from '#lib/tools/catalog.ts';
import { ACTIVE_STATUSES, JOB_STATUSES, jobStatusSchema, jobVisibilitySchema, type JobStatus } from './status.ts';

export const PAGE_SIZE = 25;

export const SORT_KEYS = ['created_at', 'name', 'status', 'tool', 'submitter', 'duration', 'credits'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

/** A status filter: one status, or every job still on its way. */
export const STATUS_FILTERS = ['active', ...JOB_STATUSES] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface JobListFilters {
	tool: string | null;
	status: StatusFilter | null;
	submitter: string | null;
	q: string;
	sort: SortKey;
	dir: SortDir;
	page: number;
}

export const DEFAULT_FILTERS: JobListFilters = { tool: null, status: null, submitter: null, q: '', sort: 'created_at', dir: 'desc', page: 1 };

// A hand-edited or stale URL falls back to the default for that part, never an error page.
const querySchema = z.object({
	tool: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).max(100).nullable().catch(null),
	status: z.enum(STATUS_FILTERS).nullable().catch(null),
	submitter: z.uuid().nullable().catch(null),
	q: z.string().transform((s) => s.trim().slice(0, 200)).catch(''),
	sort: z.enum(SORT_KEYS).catch('created_at'),
	dir: z.enum(['asc', 'desc']).catch('desc'),
	page: z.coerce.number().int().min(1).max(1_000_000).catch(1)
});

export function parseJobListQuery(params: URLSearchParams): JobListFilters {
	return querySchema.parse({
		tool: params.get('tool') || null,
		status: params.get('status') || null,
		submitter: params.get('submitter') || null,
		q: params.get('q') ?? '',
		sort: params.get('sort') ?? undefined,
		dir: params.get('dir') ?? undefined,
		page: params.get('page') ?? undefined
	});
}

/** The query string for some filters: defaults left out, so plain /app/jobs stays plain. */
export function jobListQuery(filters: JobListFilters): string {
	const params = new URLSearchParams();
	if (filters.tool) params.set('tool', filters.tool);
	if (filters.status) params.set('status', filters.status);
	if (filters.submitter) params.set('submitter', filters.submitter);
	if (filters.q) params.set('q', filters.q);
	if (filters.sort !== DEFAULT_FILTERS.sort || filters.dir !== DEFAULT_FILTERS.dir) {
		params.set('sort', filters.sort);
		params.set('dir', filters.dir);
	}
	if (filters.page > 1) params.set('page', String(filters.page));
	const text = params.toString();
	return text ? `?${text}` : '';
}

export function hasFilters(filters: JobListFilters): boolean {
	return Boolean(filters.tool || filters.status || filters.submitter || filters.q);
}

/** The direction a column starts in when first chosen: newest, longest, dearest first; names A to Z. */
export function defaultDir(sort: SortKey): SortDir {
	return sort === 'name' || sort === 'tool' || sort === 'submitter' || sort === 'status' ? 'asc' : 'desc';
}

export function statusesFor(filter: StatusFilter | null): JobStatus[] | null {
	if (!filter) return null;
	return filter === 'active' ? [...ACTIVE_STATUSES] : [filter];
}

// One row of list_team_jobs (public.job_list_row).
const timestamp = z.string().nullable();
export const jobListRowSchema = z.object({
	id: z.uuid(),
	team_id: z.uuid(),
	name: z.string(),
	tool_id: z.string(),
	tool_name: z.string(),
	status: jobStatusSchema,
	progress: z.number(),
	progress_message: z.string().nullable(),
	submitted_by: z.uuid().nullable(),
	submitter_name: z.string().nullable(),
	visibility: jobVisibilitySchema,
	credits_charged: z.number(),
	/** Added with refunds on cancel; a live change from before it may lack it. */
	credits_refunded: z.number().default(0),
	created_at: z.string(),
	started_at: timestamp,
	finished_at: timestamp
});
export type JobListRow = z.infer<typeof jobListRowSchema>;

export interface JobListPage {
	rows: JobListRow[];
	/** Jobs matching the filters, on every page; null when this page is past the end. */
	total: number | null;
}

const rpcRowsSchema = z.array(jobListRowSchema.extend({ total_count: z.coerce.number() }));

/** One page of a team's jobs as the signed-in user may see them (RLS). */
export async function loadJobList(supabase: SupabaseClient, teamId: string, filters: JobListFilters, pageSize = PAGE_SIZE): Promise<JobListPage> {
	const { data, error } = await supabase.rpc('list_team_jobs', {
		team_id: teamId,
		tool_id: filters.tool,
		statuses: statusesFor(filters.status),
		submitted_by: filters.submitter,
		search: filters.q || null,
		page_size: pageSize,
		page_offset: (filters.page - 1) * pageSize,
		sort_by: filters.sort,
		sort_dir: filters.dir
	});
	if (error) throw new Error(`Could not load the jobs: ${error.message}`);
	const rows = rpcRowsSchema.parse(data);
	return { rows: rows.map(({ total_count: _, ...row }) => row), total: rows[0]?.total_count ?? null };
}

export interface Submitter {
	id: string;
	name: string;
}

const memberSchema = z.array(z.object({ user_id: z.uuid(), profiles: z.object({ display_name: z.string() }).nullable() }));

/** The team's members, for the submitter filter and for naming the submitters of live rows. */
export async function loadSubmitters(supabase: SupabaseClient, teamId: string): Promise<Submitter[]> {
	const { data, error } = await supabase.from('team_members').select('user_id, profiles(display_name)').eq('team_id', teamId);
	if (error) throw new Error(`Could not load the team's members: ${error.message}`);
	return memberSchema
		.parse(data)
		.map((m) => ({ id: m.user_id, name: m.profiles?.display_name ?? 'Unknown' }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

export function toolName(toolId: string): string {
	return toolCatalog.find((t) => t.id === toolId)?.name ?? toolId;
}

/** Whether a job belongs in the list under these filters (the same rules as list_team_jobs). */
export function matchesFilters(row: Pick<JobListRow, 'id' | 'name' | 'tool_id' | 'status' | 'submitted_by'>, filters: JobListFilters): boolean {
	if (filters.tool && row.tool_id !== filters.tool) return false;
	const statuses = statusesFor(filters.status);
	if (statuses && !statuses.includes(row.status)) return false;
	if (filters.submitter && row.submitted_by !== filters.submitter) return false;
	const q = filters.q.trim().toLowerCase();
	if (q) {
		const hex = q.replaceAll('-', '');
		const byId = /^[0-9a-f-]+$/.test(q) && hex.length <= 32 && row.id.replaceAll('-', '').startsWith(hex);
		if (!row.name.toLowerCase().includes(q) && !byId) return false;
	}
	return true;
}

// What the team's Realtime topic sends for a job (job_added, job_updated:
// its list fields, #lib/teams/team-topic.ts). Every field is optional but
// the id, so a change that lacks one is counted rather than shown wrong.
const changedJobSchema = z.looseObject({
	id: z.uuid(),
	team_id: z.uuid().optional(),
	name: z.string().optional(),
	tool_id: z.string().optional(),
	status: jobStatusSchema.optional(),
	progress: z.number().optional(),
	progress_message: z.string().nullable().optional(),
	submitted_by: z.uuid().nullable().optional(),
	visibility: jobVisibilitySchema.optional(),
	credits_charged: z.number().optional(),
	credits_refunded: z.number().optional(),
	created_at: z.string().optional(),
	started_at: timestamp.optional(),
	finished_at: timestamp.optional()
});

export type JobChange =
	| { type: 'INSERT'; record: unknown }
	| { type: 'UPDATE'; record: unknown }
	| { type: 'DELETE'; old: unknown };

export interface JobListState {
	rows: JobListRow[];
	total: number | null;
	/** Jobs created since the page loaded that match but are not shown (another sort or page). */
	unseen: number;
}

export interface ApplyContext {
	filters: JobListFilters;
	pageSize: number;
	submitterName(id: string | null): string | null;
}

const LIST_FIELDS = ['name', 'status', 'progress', 'progress_message', 'visibility', 'credits_charged', 'credits_refunded', 'started_at', 'finished_at'] as const;

/**
 * The list after one change. New matching jobs go on top of the first page
 * when it lists newest first (elsewhere they are counted as unseen); updates
 * change a row in place; deletes take it out.
 */
export function applyJobChange(state: JobListState, change: JobChange, ctx: ApplyContext): JobListState {
	if (change.type === 'DELETE') {
		const old = z.object({ id: z.uuid() }).safeParse(change.old);
		if (!old.success || !state.rows.some((r) => r.id === old.data.id)) return state;
		return { ...state, rows: state.rows.filter((r) => r.id !== old.data.id), total: state.total === null ? null : Math.max(0, state.total - 1) };
	}
	const parsed = changedJobSchema.safeParse(change.record);
	if (!parsed.success) return state;
	const job = parsed.data;
	const index = state.rows.findIndex((r) => r.id === job.id);
	if (change.type === 'UPDATE') {
		if (index < 0) return state;
		const row = { ...state.rows[index] };
		for (const field of LIST_FIELDS) if (job[field] !== undefined) (row as Record<string, unknown>)[field] = job[field];
		const rows = [...state.rows];
		rows[index] = row;
		return { ...state, rows };
	}
	if (index >= 0) return state;
	const row = jobListRowSchema.safeParse({
		...job,
		tool_name: job.tool_id ? toolName(job.tool_id) : undefined,
		submitter_name: ctx.submitterName(job.submitted_by ?? null)
	});
	// A change too large to carry every field cannot be placed: count it, for a refresh to show.
	if (!row.success) return { ...state, unseen: state.unseen + 1 };
	if (!matchesFilters(row.data, ctx.filters)) return state;
	const total = state.total === null ? 1 : state.total + 1;
	if (!newJobsGoOnTop(ctx.filters)) return { ...state, total, unseen: state.unseen + 1 };
	return { ...state, rows: [row.data, ...state.rows].slice(0, ctx.pageSize), total };
}

/** Whether these filters list the newest job first on this page (so a new job is shown, not counted). */
function newJobsGoOnTop(filters: JobListFilters): boolean {
	return filters.page === 1 && filters.sort === 'created_at' && filters.dir === 'desc';
}

/**
 * A freshly loaded page with the changes that arrived while it loaded laid
 * over it, in order: the page may predate them. New jobs are replayed only
 * where they go on top, since elsewhere the page's count may already include them.
 */
export function replayJobChanges(state: JobListState, changes: JobChange[], ctx: ApplyContext): JobListState {
	const onTop = newJobsGoOnTop(ctx.filters);
	return changes.reduce((next, change) => (change.type === 'INSERT' && !onTop ? next : applyJobChange(next, change, ctx)), state);
}
