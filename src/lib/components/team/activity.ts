// The team's activity: the audit log (20261207300200_audit_log.sql) read one
// page at a time, newest first, and each entry in plain words. Only owners
// and admins read it (RLS); for anyone else the database returns no rows.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { JOB_VISIBILITIES, VISIBILITY_LABELS } from '#lib/jobs/status.ts';
import { teamRoleSchema } from '#lib/teams/current-team.ts';
import { ROLE_LABELS } from '#lib/teams/team-forms.ts';
import { count } from '#lib/ui/plural.ts';

export const ACTIVITY_PAGE_SIZE = 20;

const entrySchema = z.object({
	id: z.union([z.number(), z.string()]).transform(String),
	at: z.string(),
	actor_kind: z.enum(['user', 'service', 'system']),
	actor_id: z.string().nullable(),
	actor_name: z.string().nullable(),
	action: z.string(),
	target_id: z.string().nullable(),
	target_name: z.string().nullable(),
	before: z.record(z.string(), z.unknown()).nullable(),
	after: z.record(z.string(), z.unknown()).nullable()
});
export type ActivityEntry = z.output<typeof entrySchema>;

export interface ActivityPage {
	entries: ActivityEntry[];
	/** 1-based. */
	page: number;
	pages: number;
	total: number;
}

/** The `?activity=` page number: a whole number from 1, else the first page. */
export const activityPageParam = z.coerce.number().int().min(1).max(100_000).catch(1);

export async function loadTeamActivity(supabase: SupabaseClient, teamId: string, page: number): Promise<ActivityPage> {
	const from = (page - 1) * ACTIVITY_PAGE_SIZE;
	const { data, error, count } = await supabase
		.from('audit_log')
		.select('id, at, actor_kind, actor_id, actor_name, action, target_id, target_name, before, after', { count: 'exact' })
		.eq('team_id', teamId)
		.order('at', { ascending: false })
		.order('id', { ascending: false })
		.range(from, from + ACTIVITY_PAGE_SIZE - 1);
	if (error?.code === 'PGRST103' && page > 1) {
		// Past the last page (the log is shorter than the link remembered): show the last one.
		const { count: all, error: countError } = await supabase.from('audit_log').select('id', { count: 'exact', head: true }).eq('team_id', teamId);
		if (countError) throw new Error(`Could not load the team's activity: ${countError.message}`);
		return loadTeamActivity(supabase, teamId, Math.min(page - 1, Math.max(1, Math.ceil((all ?? 0) / ACTIVITY_PAGE_SIZE))));
	}
	if (error) throw new Error(`Could not load the team's activity: ${error.message}`);
	const total = count ?? 0;
	return { entries: z.array(entrySchema).parse(data), page, pages: Math.max(1, Math.ceil(total / ACTIVITY_PAGE_SIZE)), total };
}

function roleName(value: unknown): string {
	const parsed = teamRoleSchema.safeParse(value);
	return parsed.success ? ROLE_LABELS[parsed.data].toLowerCase() : 'an unknown role';
}

function visibilityName(value: unknown): string {
	const known = JOB_VISIBILITIES.find((v) => v === value);
	return known ? VISIBILITY_LABELS[known] : String(value ?? 'unknown');
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/** Who did it, in words. Someone who joined by accepting an invite at sign-up joined by themselves. */
export function actorOf(entry: ActivityEntry): string {
	if (entry.action === 'member.added' && entry.actor_kind === 'system') return entry.target_name ?? 'A deleted account';
	if (entry.actor_kind === 'service') return 'An operator';
	if (entry.actor_kind === 'system') return 'Foldwork';
	return entry.actor_name ?? 'A deleted account';
}

/** What happened, as the rest of a sentence that starts with actorOf(entry). */
export function describeActivity(entry: ActivityEntry): string {
	const job = `the job “${entry.target_name ?? 'deleted job'}”`;
	const person = entry.target_name ?? 'a deleted account';
	const email = entry.target_name ?? 'an address';
	const self = entry.actor_id !== null && entry.actor_id === entry.target_id;
	const credits = (n: number) => count(Math.abs(n), 'credit');
	switch (entry.action) {
		case 'job.visibility_changed':
			return `changed who can open ${job} from ${visibilityName(entry.before?.visibility)} to ${visibilityName(entry.after?.visibility)}`;
		case 'job.shared':
			return `shared ${job} with ${text(entry.after?.email)}`;
		case 'job.unshared':
			return `stopped sharing ${job} with ${text(entry.before?.email)}`;
		case 'invite.sent':
			return `invited ${email} as ${roleName(entry.after?.role)}`;
		case 'invite.renewed':
			return entry.before?.role !== entry.after?.role
				? `renewed the invite for ${email}, now as ${roleName(entry.after?.role)} (was ${roleName(entry.before?.role)})`
				: `renewed the invite for ${email} for 7 days`;
		case 'invite.revoked':
			return `revoked the invite for ${email}`;
		case 'invite.declined':
			return `declined the invite for ${email}`;
		case 'member.added':
			return self || entry.actor_kind === 'system' ? `joined the team as ${roleName(entry.after?.role)}` : `added ${person} as ${roleName(entry.after?.role)}`;
		case 'member.role_changed':
			return `changed the role of ${self ? 'their own account' : person} from ${roleName(entry.before?.role)} to ${roleName(entry.after?.role)}`;
		case 'member.removed':
			return self ? `left the team (was ${roleName(entry.before?.role)})` : `removed ${person} from the team (was ${roleName(entry.before?.role)})`;
		case 'credits.granted':
		case 'credits.adjusted': {
			const delta = Number(entry.after?.delta ?? 0);
			const memo = text(entry.after?.memo);
			const verb = entry.action === 'credits.granted' ? 'granted' : delta < 0 ? 'took away' : 'added';
			const balance = Number(entry.after?.balance);
			return `${verb} ${credits(delta)}${memo ? ` (“${memo}”)` : ''}${Number.isFinite(balance) ? `; balance ${balance.toLocaleString('en')}` : ''}`;
		}
		default:
			return `made a change (${entry.action})`;
	}
}
