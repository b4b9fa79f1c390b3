// What waits for the signed-in person's address (job shares, team invites)
// and whether their account may take it. Invited access goes only to
// accounts with proven credentials: the address confirmed, and no password
// chosen before that confirmation still working
// (supabase/migrations/20261207100000_account_credentials.sql). The steps
// there: sign in with an emailed link, then choose a new password in that
// session. The database decides (account_access, claim_pending_access,
// accept_team_invite); the pages here only say which step comes next.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';

/** A refusal or failure to show the person (the database's message, as a sentence). */
export class PendingAccessError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PendingAccessError';
	}
}

export const credentialStateSchema = z.enum(['proven', 'provable', 'choose_password', 'email_link', 'unconfirmed']);
export type CredentialState = z.infer<typeof credentialStateSchema>;

export interface AccountAccess {
	/** 'choose_password': choose a new password in this (emailed-link) session; 'email_link': sign in with an emailed link first. */
	state: CredentialState;
	credentialsProven: boolean;
	pendingShares: number;
	pendingInvites: number;
}

const accessRow = z.object({
	state: credentialStateSchema,
	credentials_proven: z.boolean(),
	pending_shares: z.number().int(),
	pending_invites: z.number().int()
});

/** Why a new password comes first, in one sentence (shown wherever the step is asked for). */
export const NEW_PASSWORD_REASON =
	'Someone could have signed up with your address before you confirmed it, so a password chosen before then stops working now, and so does every other sign-in.';

export async function loadAccountAccess(supabase: SupabaseClient): Promise<AccountAccess> {
	const { data, error } = await supabase.rpc('account_access');
	if (error) throw new Error(`Could not check what waits for your address: ${error.message}`);
	const row = accessRow.parse(data);
	return { state: row.state, credentialsProven: row.credentials_proven, pendingShares: row.pending_shares, pendingInvites: row.pending_invites };
}

const claimedRow = z.object({
	attached: z.array(z.object({ job_id: z.uuid(), tool_id: z.string(), name: z.string() })),
	pending_invites: z.array(z.object({ id: z.uuid(), role: z.string() }))
});

export interface ClaimedAccess {
	/** Jobs shared with the address that the person can open now. */
	attached: Array<{ jobId: string; toolId: string; name: string }>;
	/** Team invites still to accept on their page. */
	pendingInvites: string[];
}

/** Attaches the job shares waiting for the address; refused (an Error with the database's message) unless the credentials are proven. */
export async function claimPendingAccess(supabase: SupabaseClient): Promise<ClaimedAccess> {
	const { data, error } = await supabase.rpc('claim_pending_access');
	if (error) throw new PendingAccessError(error.message.charAt(0).toUpperCase() + error.message.slice(1) + (/[.!?]$/.test(error.message) ? '' : '.'));
	const row = claimedRow.parse(data);
	return {
		attached: row.attached.map((j) => ({ jobId: j.job_id, toolId: j.tool_id, name: j.name })),
		pendingInvites: row.pending_invites.map((i) => i.id)
	};
}

/** Where an emailed sign-in link lands: the callback, which then opens the gate for `next`. */
export function emailLinkRedirect(origin: string, next: string): string {
	return `${origin}/auth/callback?next=${encodeURIComponent(next)}`;
}

/** The gate that attaches what waits for the address (or asks for the missing step), then opens `next`. */
export function pendingAccessPath(next: string): string {
	return `/auth/pending?next=${encodeURIComponent(next)}`;
}

/** The page that asks for a new password before invited access, then opens `next`. */
export function newPasswordPath(next: string): string {
	return `/auth/update-password?reason=pending&next=${encodeURIComponent(next)}`;
}

/**
 * Emails a sign-in link to `email` (Auth's magic link; for an address not yet
 * confirmed, its confirmation link, which signs in too). `createUser`: sign
 * up an unknown address (the password-less sign-up). Throws on a refusal
 * other than "unknown address", which is answered like a success so the page
 * does not reveal who has an account; a 429 says to wait.
 */
export async function sendSignInLink(supabase: SupabaseClient, email: string, redirectTo: string, createUser: boolean, data?: Record<string, string>): Promise<'sent' | 'wait'> {
	const { error } = await supabase.auth.signInWithOtp({ email, options: { emailRedirectTo: redirectTo, shouldCreateUser: createUser, data } });
	if (!error) return 'sent';
	if (error.status === 429) return 'wait';
	if (!createUser && (error.code === 'otp_disabled' || error.status === 422)) return 'sent';
	throw new PendingAccessError(`The sign-in link could not be sent (${error.message}).`);
}
