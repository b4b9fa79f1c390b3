// Which team the signed-in person is working in: a cookie names it, and
// their memberships (read through RLS) decide whether it still counts.
import type { Cookies } from '@sveltejs/kit';
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';

export const TEAM_COOKIE = 'foldwork_team';

export const teamRoleSchema = z.enum(['owner', 'admin', 'member', 'viewer']);
export type TeamRole = z.infer<typeof teamRoleSchema>;

const membershipSchema = z.object({
	role: teamRoleSchema,
	teams: z.object({ id: z.uuid(), name: z.string(), personal: z.boolean() })
});

export interface TeamMembership {
	id: string;
	name: string;
	personal: boolean;
	role: TeamRole;
}

export async function loadMemberships(supabase: SupabaseClient, userId: string): Promise<TeamMembership[]> {
	const { data, error } = await supabase
		.from('team_members')
		.select('role, teams!inner(id, name, personal)')
		.eq('user_id', userId);
	if (error) throw new Error(`Could not load your teams: ${error.message}`);
	return z
		.array(membershipSchema)
		.parse(data)
		.map((m) => ({ ...m.teams, role: m.role }))
		// Your own workspace first (another person's personal team you joined is theirs, not yours).
		.sort((a, b) => Number(ownWorkspace(b)) - Number(ownWorkspace(a)) || a.name.localeCompare(b.name));
}

const ownWorkspace = (m: { personal: boolean; role: TeamRole }) => m.personal && m.role === 'owner';

export function pickTeam(memberships: TeamMembership[], cookies: Cookies): TeamMembership | null {
	const wanted = cookies.get(TEAM_COOKIE);
	return memberships.find((m) => m.id === wanted) ?? memberships[0] ?? null;
}

export function rememberTeam(cookies: Cookies, teamId: string): void {
	cookies.set(TEAM_COOKIE, teamId, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 60 * 60 * 24 * 365 });
}

/** Viewers look; everyone else in the team may run tools and act on jobs. */
export function canRun(role: TeamRole): boolean {
	return role !== 'viewer';
}

export function canManageTeam(role: TeamRole): boolean {
	return role === 'owner' || role === 'admin';
}
