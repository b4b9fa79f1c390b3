// "Shared with me": the jobs other teams shared with the signed-in user by
// email (public.list_shared_jobs, 20261207200200_shared_with_me.sql), newest
// share first. Every other job outside one's teams is link-only: it is opened
// by its link, never listed.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { jobStatusSchema } from './status.ts';

export const SHARED_PAGE_SIZE = 20;

export const sharedJobSchema = z.object({
	id: z.uuid(),
	name: z.string(),
	tool_id: z.string(),
	tool_name: z.string(),
	status: jobStatusSchema,
	progress: z.number().int(),
	created_at: z.string(),
	finished_at: z.string().nullable(),
	shared_at: z.string(),
	total_count: z.coerce.number().int()
});
const sharedJobRowSchema = sharedJobSchema.omit({ total_count: true });
export type SharedJob = z.infer<typeof sharedJobRowSchema>;

export interface SharedJobsPage {
	rows: SharedJob[];
	total: number;
	page: number;
}

/** The page (from 1) of `?shared=` in a URL; anything else is the first. */
export function parseSharedPage(value: string | null): number {
	return z.coerce.number().int().min(1).max(100_000).catch(1).parse(value ?? 1);
}

export async function loadSharedJobs(supabase: SupabaseClient, page: number): Promise<SharedJobsPage> {
	const { data, error } = await supabase.rpc('list_shared_jobs', { page_size: SHARED_PAGE_SIZE, page_offset: (page - 1) * SHARED_PAGE_SIZE });
	if (error) throw new Error(`Could not load the jobs shared with you: ${error.message}`);
	const rows = z.array(sharedJobSchema).parse(data);
	// Each row carries the total; the rows themselves are kept without it.
	return { rows: rows.map((row) => sharedJobRowSchema.parse(row)), total: rows[0]?.total_count ?? 0, page };
}
