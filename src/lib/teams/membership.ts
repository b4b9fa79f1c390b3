// Every call the web app makes about team membership: reading members and
// invites, and the team RPCs (20261128000800_team_rpcs.sql,
// 20261128200200_team_invite_rpcs.sql). The database decides who may do
// what; its refusals come back as TeamActionError with its message, for the
// page to show beside the form.
//
// Inviting and renewing go straight to the RPCs for now, which send no email;
// the invite-member edge function (which also emails) can take their place
// here without the pages changing.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { teamRoleSchema, type TeamRole } from './current-team.ts';

export class TeamActionError extends Error {
	readonly code: string | null;
	constructor(message: string, code: string | null) {
		super(message);
		this.name = 'TeamActionError';
		this.code = code;
	}
}

/** The database's message, as a sentence. */
function refusal(error: { message: string; code?: string; hint?: string | null }): TeamActionError {
	const text = error.message.charAt(0).toUpperCase() + error.message.slice(1);
	const sentence = /[.!?]$/.test(text) ? text : `${text}.`;
	return new TeamActionError(error.hint ? `${sentence} ${error.hint}` : sentence, error.code ?? null);
}

// Reading ------------------------------------------------------------------------

export interface TeamMember {
	userId: string;
	role: TeamRole;
	displayName: string;
	email: string | null;
	joinedAt: string;
}

const memberRow = z.object({
	user_id: z.uuid(),
	role: teamRoleSchema,
	created_at: z.string(),
	profiles: z.object({ display_name: z.string(), email: z.string().nullable() }).nullable()
});

const ROLE_ORDER: Record<TeamRole, number> = { owner: 0, admin: 1, member: 2, viewer: 3 };

export async function loadMembers(supabase: SupabaseClient, teamId: string): Promise<TeamMember[]> {
	const { data, error } = await supabase
		.from('team_members')
		.select('user_id, role, created_at, profiles(display_name, email)')
		.eq('team_id', teamId)
		.order('created_at');
	if (error) throw new Error(`Could not load the team's members: ${error.message}`);
	return z
		.array(memberRow)
		.parse(data)
		.map((m) => ({
			userId: m.user_id,
			role: m.role,
			displayName: m.profiles?.display_name ?? 'Unknown user',
			email: m.profiles?.email ?? null,
			joinedAt: m.created_at
		}))
		.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.displayName.localeCompare(b.displayName));
}

export const inviteStatusSchema = z.enum(['pending', 'accepted', 'revoked', 'declined']);
export type InviteStatus = z.infer<typeof inviteStatusSchema>;

export interface TeamInvite {
	id: string;
	teamId: string;
	email: string;
	role: TeamRole;
	status: InviteStatus;
	createdAt: string;
	expiresAt: string;
	acceptedAt: string | null;
}

const inviteRow = z.object({
	id: z.uuid(),
	team_id: z.uuid(),
	email: z.string(),
	role: teamRoleSchema,
	status: inviteStatusSchema,
	created_at: z.string(),
	expires_at: z.string(),
	accepted_at: z.string().nullable()
});
const INVITE_COLUMNS = 'id, team_id, email, role, status, created_at, expires_at, accepted_at';

function toInvite(row: z.infer<typeof inviteRow>): TeamInvite {
	return {
		id: row.id,
		teamId: row.team_id,
		email: row.email,
		role: row.role,
		status: row.status,
		createdAt: row.created_at,
		expiresAt: row.expires_at,
		acceptedAt: row.accepted_at
	};
}

export function isExpired(invite: Pick<TeamInvite, 'expiresAt'>, now = Date.now()): boolean {
	return Date.parse(invite.expiresAt) <= now;
}

/**
 * The team's open invites (pending, and those declined in the last 30 days so
 * the team sees who said no). Only owners and admins can read them (RLS).
 */
export async function loadTeamInvites(supabase: SupabaseClient, teamId: string): Promise<TeamInvite[]> {
	const since = new Date(Date.now() - 30 * 24 * 3600 * 1000).toISOString();
	const { data, error } = await supabase
		.from('team_invites')
		.select(INVITE_COLUMNS)
		.eq('team_id', teamId)
		.or(`status.eq.pending,and(status.eq.declined,created_at.gte."${since}")`)
		.order('created_at', { ascending: false })
		.limit(200);
	if (error) throw new Error(`Could not load the team's invites: ${error.message}`);
	return z.array(inviteRow).parse(data).map(toInvite);
}

/** Pending invites sent to the signed-in person's (confirmed) address. */
export async function loadMyInvites(supabase: SupabaseClient, email: string): Promise<TeamInvite[]> {
	const { data, error } = await supabase
		.from('team_invites')
		.select(INVITE_COLUMNS)
		.eq('email', email.toLowerCase())
		.eq('status', 'pending')
		.gt('expires_at', new Date().toISOString())
		.order('created_at', { ascending: false });
	if (error) throw new Error(`Could not load your invites: ${error.message}`);
	return z.array(inviteRow).parse(data).map(toInvite);
}

export interface InviteDetails extends TeamInvite {
	/** Null while the invitee cannot see the team (they are not a member yet). */
	teamName: string | null;
}

/** One invite the caller can see (theirs, or their team's), or null. */
export async function loadInvite(supabase: SupabaseClient, inviteId: string): Promise<InviteDetails | null> {
	const { data, error } = await supabase.from('team_invites').select(INVITE_COLUMNS).eq('id', inviteId).maybeSingle();
	if (error) throw new Error(`Could not load the invite: ${error.message}`);
	if (!data) return null;
	const invite = toInvite(inviteRow.parse(data));
	const team = await supabase.from('teams').select('name').eq('id', invite.teamId).maybeSingle();
	return { ...invite, teamName: team.data?.name ?? null };
}

// Changing ------------------------------------------------------------------------

async function call<T>(supabase: SupabaseClient, fn: string, args: Record<string, unknown>, shape: z.ZodType<T>): Promise<T> {
	const { data, error } = await supabase.rpc(fn, args);
	if (error) throw refusal(error);
	return shape.parse(data);
}

const teamRow = z.object({ id: z.uuid(), name: z.string() });
const membershipRow = z.object({ team_id: z.uuid(), user_id: z.uuid(), role: teamRoleSchema });

export function createTeam(supabase: SupabaseClient, name: string) {
	return call(supabase, 'create_team', { name }, teamRow);
}

export function inviteMember(supabase: SupabaseClient, teamId: string, email: string, role: Exclude<TeamRole, 'owner'>) {
	return call(supabase, 'invite_team_member', { team_id: teamId, email, role }, inviteRow).then(toInvite);
}

/** A fresh 7 days for a pending invite. */
export function renewInvite(supabase: SupabaseClient, inviteId: string) {
	return call(supabase, 'resend_team_invite', { invite_id: inviteId }, z.unknown());
}

export function revokeInvite(supabase: SupabaseClient, inviteId: string) {
	return call(supabase, 'revoke_team_invite', { invite_id: inviteId }, inviteRow).then(toInvite);
}

export function acceptInvite(supabase: SupabaseClient, inviteId: string) {
	return call(supabase, 'accept_team_invite', { invite_id: inviteId }, membershipRow);
}

export function declineInvite(supabase: SupabaseClient, inviteId: string) {
	return call(supabase, 'decline_team_invite', { invite_id: inviteId }, inviteRow).then(toInvite);
}

export function setMemberRole(supabase: SupabaseClient, teamId: string, userId: string, role: TeamRole) {
	return call(supabase, 'set_team_member_role', { team_id: teamId, user_id: userId, role }, membershipRow);
}

/** Removes a member; with the caller's own id, leaves the team. */
export function removeMember(supabase: SupabaseClient, teamId: string, userId: string) {
	return call(supabase, 'remove_team_member', { team_id: teamId, user_id: userId }, z.boolean());
}
