// The jobs a compare link names, each opened as the job page opens it
// (public.get_job through loadJobView, as whoever is looking): a job the
// viewer may not open is only counted as "not available to you", never
// read further, and an unknown id answers the same.
import type { SupabaseClient } from '@supabase/supabase-js';
import { loadJobView, type JobView } from '#lib/jobs/job-view.ts';
import { MIN_COMPARED, parseCompareIds } from './compare-ids.ts';

export type CompareProblem =
	/** Fewer than two ids, or fewer than two of them openable. */
	| 'too-few'
	/** The openable jobs are not all of one tool. */
	| 'mixed-tools';

export interface CompareSelection {
	/** The ids asked for (well-formed, at most four), in order. */
	ids: string[];
	/** The jobs the viewer may open, in the order asked for. */
	jobs: JobView[];
	/** The ids not available to this viewer (no such job, or not theirs to open: the same answer). */
	unavailable: string[];
	malformed: string[];
	truncated: boolean;
	problem: CompareProblem | null;
}

export async function loadCompareSelection(supabase: SupabaseClient, param: string | null): Promise<CompareSelection> {
	const { ids, malformed, truncated } = parseCompareIds(param);
	const opened = await Promise.all(ids.map((id) => loadJobView(supabase, id)));
	const jobs = opened.filter((v): v is JobView => v !== null);
	const unavailable = ids.filter((_, i) => opened[i] === null);
	const tools = new Set(jobs.map((j) => j.job.tool_id));
	const problem: CompareProblem | null = jobs.length < MIN_COMPARED ? 'too-few' : tools.size > 1 ? 'mixed-tools' : null;
	return { ids, jobs, unavailable, malformed, truncated, problem };
}
