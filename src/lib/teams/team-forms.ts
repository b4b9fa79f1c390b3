// The team page's forms, parsed with zod (the database checks again).
import { z } from 'zod';
import { emailField } from '#lib/forms/auth-schemas.ts';
import { teamRoleSchema, type TeamRole } from './current-team.ts';

export const invitableRoleSchema = z.enum(['admin', 'member', 'viewer'], { error: 'Choose admin, member or viewer.' });

export const inviteForm = z.object({ email: emailField, role: invitableRoleSchema });
export const inviteIdForm = z.object({ invite_id: z.uuid({ error: 'Choose an invite.' }) });
export const memberForm = z.object({ user_id: z.uuid({ error: 'Choose a member.' }) });
export const roleForm = z.object({ user_id: z.uuid({ error: 'Choose a member.' }), role: teamRoleSchema });
export const createTeamForm = z.object({
	name: z
		.string({ error: 'Name the team.' })
		.trim()
		.min(1, { error: 'Name the team.' })
		.max(120, { error: 'Use at most 120 characters.' })
});

export const ROLE_LABELS: Record<TeamRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member', viewer: 'Viewer' };

export const ROLE_DESCRIPTIONS: Record<TeamRole, string> = {
	owner: 'manages the team, its owners and its credits',
	admin: 'invites people and manages members (not owners)',
	member: 'runs tools and manages their own jobs',
	viewer: 'looks at jobs, results and files; cannot run tools'
};

/** What the signed-in person's own role lets them do. */
export const YOUR_ROLE: Record<TeamRole, string> = {
	owner: 'You manage the team: its members, its owners and its credits.',
	admin: 'You invite people and manage members (but not owners).',
	member: 'You run tools and manage the jobs you submit.',
	viewer: 'You can look at the team’s jobs, results and files.'
};

/** Roles `mine` may give someone (mirrors set_team_member_role). */
export function assignableRoles(mine: TeamRole): TeamRole[] {
	if (mine === 'owner') return ['owner', 'admin', 'member', 'viewer'];
	if (mine === 'admin') return ['admin', 'member', 'viewer'];
	return [];
}

/** Whether `mine` may change or remove a member whose role is `theirs` (mirrors the RPCs). */
export function canManageMember(mine: TeamRole, theirs: TeamRole): boolean {
	return mine === 'owner' || (mine === 'admin' && theirs !== 'owner');
}
