// The team's credit history (credit_ledger through RLS), newest first, a page
// at a time, with the job each charge or refund was for.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { catalogEntry } from '#lib/tools/catalog.ts';

export const LEDGER_PAGE_SIZE = 50;

export const creditReasonSchema = z.enum(['grant', 'charge', 'refund', 'adjustment']);
export type CreditReason = z.infer<typeof creditReasonSchema>;

const row = z.object({
	id: z.coerce.number(),
	delta: z.number(),
	reason: creditReasonSchema,
	memo: z.string().nullable(),
	created_at: z.string(),
	job_id: z.uuid().nullable(),
	jobs: z.object({ id: z.uuid(), name: z.string(), tool_id: z.string() }).nullable(),
	profiles: z.object({ display_name: z.string() }).nullable()
});

export interface LedgerEntry {
	id: number;
	delta: number;
	reason: CreditReason;
	memo: string | null;
	createdAt: string;
	/** The job, when the entry is about one that still exists. */
	job: { id: string; name: string; toolId: string; toolName: string } | null;
	/** A charge or refund whose job was deleted since (the entry stays). */
	jobDeleted: boolean;
	by: string | null;
}

export interface LedgerPage {
	entries: LedgerEntry[];
	total: number;
	page: number;
	pages: number;
}

export async function loadLedger(supabase: SupabaseClient, teamId: string, page: number): Promise<LedgerPage> {
	const from = (page - 1) * LEDGER_PAGE_SIZE;
	const { data, error, count } = await supabase
		.from('credit_ledger')
		.select('id, delta, reason, memo, created_at, job_id, jobs(id, name, tool_id), profiles(display_name)', { count: 'exact' })
		.eq('team_id', teamId)
		.order('created_at', { ascending: false })
		.order('id', { ascending: false })
		.range(from, from + LEDGER_PAGE_SIZE - 1);
	if (error) throw new Error(`Could not load the credit history: ${error.message}`);
	const total = count ?? 0;
	return {
		entries: z
			.array(row)
			.parse(data)
			.map((r) => ({
				id: r.id,
				delta: r.delta,
				reason: r.reason,
				memo: r.memo,
				createdAt: r.created_at,
				job: r.jobs ? { id: r.jobs.id, name: r.jobs.name, toolId: r.jobs.tool_id, toolName: catalogEntry(r.jobs.tool_id)?.name ?? r.jobs.tool_id } : null,
				jobDeleted: r.job_id === null && (r.reason === 'charge' || r.reason === 'refund'),
				by: r.profiles?.display_name ?? null
			})),
		total,
		page,
		pages: Math.max(1, Math.ceil(total / LEDGER_PAGE_SIZE))
	};
}
