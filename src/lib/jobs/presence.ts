// Who else has a job open, from Realtime presence on two private topics
// (supabase/migrations/20261207200300_job_topics.sql):
// * `job:<id>`: every open page of the job (its team's, and visitors' with
//   the link) is counted there, with nothing in its payload;
// * `job:<id>:team`: pages of the job's team also say who they are,
//   { user_id, name }; only team members can read or write this topic.
// So people outside the team see how many others are looking, never who;
// team members see their team mates by name and everyone else as visitors,
// whatever a visitor puts in its payload on the job's topic.
import { z } from 'zod';

export const teamViewerSchema = z.object({
	user_id: z.string(),
	name: z.string().max(120)
});
export type TeamViewer = z.infer<typeof teamViewerSchema>;

/** Presence state as supabase-js gives it: key -> metas. */
export type PresenceState = Record<string, unknown[]>;

export interface OtherViewers {
	/** Team mates other than me, once each however many tabs they have open, by name (members only). */
	names: string[];
	/** Other open pages of the job that are not team mates' (for people outside the team: everyone else). */
	visitors: number;
	/** Whether `visitors` are people outside the team (members' view) or just others (outsiders' view). */
	forTeam: boolean;
}

export const NOBODY_ELSE: OtherViewers = { names: [], visitors: 0, forTeam: false };

/**
 * The others looking at the job: from the job topic's keys (every open page)
 * and, for team members, the team topic's named viewers. My own page
 * (`ownKey`, the same key on both topics) and my other tabs are left out;
 * malformed team entries are ignored.
 */
export function otherViewers(jobState: PresenceState, teamState: PresenceState | null, ownKey: string, ownUserId: string | null): OtherViewers {
	const byUser = new Map<string, string>();
	const teamKeys = new Set<string>();
	for (const [key, metas] of Object.entries(teamState ?? {})) {
		const meta = teamViewerSchema.safeParse(metas[0]);
		if (!meta.success) continue;
		teamKeys.add(key);
		const { user_id, name } = meta.data;
		if (key === ownKey || user_id === ownUserId || byUser.has(user_id)) continue;
		byUser.set(user_id, name.trim() || 'A team mate');
	}
	let visitors = 0;
	for (const key of Object.keys(jobState)) if (key !== ownKey && !teamKeys.has(key)) visitors++;
	const names = [...byUser.values()].sort((a, b) => a.localeCompare(b));
	return { names, visitors, forTeam: teamState !== null };
}

/** "Ana, Ben, 2 visitors" for members; "2 other people" outside the team; '' when nobody else is looking. */
export function describeViewers({ names, visitors, forTeam }: OtherViewers): string {
	const parts = [...names];
	if (forTeam) {
		if (visitors === 1) parts.push('a visitor');
		else if (visitors > 1) parts.push(`${visitors} visitors`);
	} else if (visitors === 1) parts.push('1 other person');
	else if (visitors > 1) parts.push(`${visitors} other people`);
	return parts.join(', ');
}
