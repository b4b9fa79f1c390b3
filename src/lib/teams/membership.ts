// Every call the web app makes about team membership: reading members and
// invites, the team RPCs (20261128000800_team_rpcs.sql,
// 20261128200200_team_invite_rpcs.sql) and the invite-member edge function
// (invite, resend, revoke, accept, decline; it emails the invitees; see
// supabase/functions/README.md). The database decides who may do what; its
// refusals come back as TeamActionError with its message, for the page to
// show beside the form.
import type { SupabaseClient } from '@supabase/supabase-js';
import { functionRefusal } from '#lib/supabase/functions.ts';
import { z } from 'zod';
import { teamRoleSchema, type TeamRole } from './current-team.ts';

export class TeamActionError extends Error {
	/** The SQLSTATE (RPCs) or the function's code (e.g. sent_recently). */
	readonly code: string | null;
	/** The HTTP status to answer the form with. */
	readonly status: number;
	constructor(message: string, code: string | null, status = code === '42501' ? 403 : 400) {
		super(message);
		this.name = 'TeamActionError';
		this.code = code;
		this.status = status;
	}
}

/** The database's message, as a sentence. */
function refusal(error: { message: string; code?: string; hint?: string | null }, status?: number): TeamActionError {
	const text = error.message.charAt(0).toUpperCase() + error.message.slice(1);
	const sentence = /[.!?]$/.test(text) ? text : `${text}.`;
	return new TeamActionError(error.hint ? `${sentence} ${error.hint}` : sentence, error.code ?? null, status);
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

export interface InviteDetails {
	id: string;
	teamId: string;
	teamName: string;
	email: string;
	role: TeamRole;
	status: InviteStatus;
	/** Pending, but past its expiry. */
	expired: boolean;
	createdAt: string;
	expiresAt: string;
	invitedBy: { displayName: string; email: string | null } | null;
}

const inviteDetailsRow = z.object({
	id: z.uuid(),
	email: z.string(),
	role: teamRoleSchema,
	status: inviteStatusSchema,
	expired: z.boolean(),
	created_at: z.string(),
	expires_at: z.string(),
	team: z.object({ id: z.uuid(), name: z.string() }),
	invited_by: z.object({ display_name: z.string(), email: z.string().nullable() }).nullable()
});

/**
 * One invite the caller may see (theirs, or their team's, RPC get_team_invite:
 * with the team's name and the inviter, which invitees cannot read otherwise),
 * or null.
 */
export async function loadInvite(supabase: SupabaseClient, inviteId: string): Promise<InviteDetails | null> {
	const { data, error } = await supabase.rpc('get_team_invite', { invite_id: inviteId });
	if (error) {
		if (error.code === '42704') return null;
		throw new Error(`Could not load the invite: ${error.message}`);
	}
	const row = inviteDetailsRow.parse(data);
	return {
		id: row.id,
		teamId: row.team.id,
		teamName: row.team.name,
		email: row.email,
		role: row.role,
		status: row.status,
		expired: row.expired,
		createdAt: row.created_at,
		expiresAt: row.expires_at,
		invitedBy: row.invited_by ? { displayName: row.invited_by.display_name, email: row.invited_by.email } : null
	};
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

/** Renames a team (its owners and admins; public.rename_team decides). */
export function renameTeam(supabase: SupabaseClient, teamId: string, name: string) {
	return call(supabase, 'rename_team', { team_id: teamId, name }, teamRow);
}

/** The invite-member function's refusal ({error, code, hint}) as a TeamActionError; anything else unexpected. */
async function functionFailure(error: unknown): Promise<Error> {
	const answer = await functionRefusal(error);
	if (!answer) return error instanceof Error ? error : new Error(String(error));
	const given = answer.body.error ?? answer.body.msg;
	if (answer.status >= 500 || !given) return new Error(`The invitation service failed (${answer.status}${given ? `: ${given}` : ''}).`);
	if (answer.status === 401) return new TeamActionError('Your session has ended: sign in again.', 'not_signed_in', 401);
	return refusal({ message: answer.message, code: answer.code ?? undefined, hint: answer.body.hint }, answer.status);
}

async function inviteFunction<T>(supabase: SupabaseClient, body: Record<string, unknown>, shape: z.ZodType<T>): Promise<T> {
	const { data, error } = await supabase.functions.invoke('invite-member', { body });
	if (error) throw await functionFailure(error);
	return shape.parse(data);
}

/** An invite as invite-member answers for invite and resend, with how its email went. */
export interface SentInvite {
	id: string;
	email: string;
	role: TeamRole;
	expiresAt: string;
	/** "sent", "already_sent" (within the hour), "recipient_limited" (the address had its emails for the day), "failed" (with error), "not_sent". */
	notification: { status: string; error?: string };
}

const sentAnswer = z.object({
	invites: z.array(
		z.object({
			id: z.uuid(),
			email: z.string(),
			role: teamRoleSchema,
			expires_at: z.string(),
			notification: z.object({ status: z.string(), error: z.string().optional() })
		})
	)
});

function toSent(answer: z.infer<typeof sentAnswer>): SentInvite {
	const [invite] = answer.invites;
	return { id: invite.id, email: invite.email, role: invite.role, expiresAt: invite.expires_at, notification: invite.notification };
}

/** Invites one address and emails it (a link to accept, or an invitation to sign up; the answer does not say which). */
export function inviteMember(supabase: SupabaseClient, teamId: string, email: string, role: Exclude<TeamRole, 'owner'>): Promise<SentInvite> {
	return inviteFunction(supabase, { action: 'invite', team_id: teamId, emails: [email], role }, sentAnswer).then(toSent);
}

/** Emails a pending invite again, valid for a fresh 7 days. Within an hour of the last email: TeamActionError sent_recently (429). */
export function resendInvite(supabase: SupabaseClient, inviteId: string): Promise<SentInvite> {
	return inviteFunction(supabase, { action: 'resend', invite_id: inviteId }, sentAnswer).then(toSent);
}

export function revokeInvite(supabase: SupabaseClient, inviteId: string) {
	return inviteFunction(supabase, { action: 'revoke', invite_id: inviteId }, z.object({ invite: inviteRow })).then((a) => toInvite(a.invite));
}

export function acceptInvite(supabase: SupabaseClient, inviteId: string) {
	return inviteFunction(supabase, { action: 'accept', invite_id: inviteId }, z.object({ membership: membershipRow })).then((a) => a.membership);
}

export function declineInvite(supabase: SupabaseClient, inviteId: string) {
	return inviteFunction(supabase, { action: 'decline', invite_id: inviteId }, z.object({ invite: inviteRow })).then((a) => toInvite(a.invite));
}

export function setMemberRole(supabase: SupabaseClient, teamId: string, userId: string, role: TeamRole) {
	return call(supabase, 'set_team_member_role', { team_id: teamId, user_id: userId, role }, membershipRow);
}

/** Removes a member; with the caller's own id, leaves the team. */
export function removeMember(supabase: SupabaseClient, teamId: string, userId: string) {
	return call(supabase, 'remove_team_member', { team_id: teamId, user_id: userId }, z.boolean());
}
