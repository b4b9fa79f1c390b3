// Sharing a job: its visibility and the people invited by email. The share
// dialog talks only to this module. Changes go through the share-job edge
// function (supabase/functions/README.md), which saves them as the caller
// and emails the people added; the list is read straight from job_shares.
//
// A share whose user_id is null is pending: its recipient has not opened it
// yet. Every share starts so, whether or not the address has an account (the
// sharer learns nothing about accounts); it attaches when the recipient,
// signed in with proven credentials, opens the emailed link
// (claim_pending_access).
import type { SupabaseClient } from '@supabase/supabase-js';
import { functionRefusal, type FunctionRefusal } from '#lib/supabase/functions.ts';
import { followTeam } from '#lib/teams/team-topic.ts';
import { z } from 'zod';
import { emailAddressSchema } from '#lib/forms/email.ts';
import { jobVisibilitySchema, type JobVisibility } from './status.ts';

export interface JobShare {
	id: string;
	email: string;
	/** Null while the invite is pending (the recipient has not opened it yet). */
	user_id: string | null;
	created_at: string;
}

export const jobShareSchema = z.object({ id: z.uuid(), email: z.string(), user_id: z.uuid().nullable(), created_at: z.string() });

export function isPending(share: Pick<JobShare, 'user_id'>): boolean {
	return share.user_id === null;
}

/** Most addresses added in one go (share_job_with's limit). */
export const MAX_INVITES_PER_SAVE = 50;

/**
 * Addresses typed or pasted into one box: separated by commas, semicolons,
 * spaces or new lines, "Name <address>" accepted; lower-cased, each once.
 */
export function parseEmailList(text: string): { valid: string[]; invalid: string[] } {
	const valid: string[] = [];
	const invalid: string[] = [];
	for (const part of text.split(/[,;\s]+/)) {
		const raw = part.replace(/^<|>$/g, '').trim();
		if (!raw) continue;
		const parsed = emailAddressSchema.safeParse(raw);
		if (parsed.success) {
			const email = parsed.data;
			if (!valid.includes(email)) valid.push(email);
		} else if (!invalid.includes(raw)) invalid.push(raw);
	}
	return { valid, invalid };
}

export async function loadShares(supabase: SupabaseClient, jobId: string): Promise<JobShare[]> {
	const { data, error } = await supabase.from('job_shares').select('id, email, user_id, created_at').eq('job_id', jobId).order('created_at').order('email');
	if (error) throw new Error(`Could not load who this job is shared with: ${error.message}`);
	return z.array(jobShareSchema).parse(data);
}

/** A refusal the person can fix (a bad address, not allowed); shown in the dialog. */
export class SharingError extends Error {
	/** What is wrong with particular addresses (the function's `issues` about `emails`), for beside the address box. */
	readonly emailProblems: string[];
	constructor(message: string, emailProblems: string[] = []) {
		super(message);
		this.name = 'SharingError';
		this.emailProblems = emailProblems;
	}
}

export interface SharingChange {
	visibility: JobVisibility;
	/** Addresses to invite (only with visibility "invited"). */
	invite: string[];
	/** Addresses whose invite is withdrawn. */
	remove: string[];
}

export interface SavedSharing {
	visibility: JobVisibility;
	shares: JobShare[];
	/** Saved, but not every email went out (the hourly limit, a failed delivery): say so. */
	warning: string | null;
}

const notificationSchema = z.object({ status: z.string(), error: z.string().optional() });
const sharedSchema = z.object({
	job: z.object({ visibility: jobVisibilitySchema }),
	shares: z.array(z.object({ email: z.string(), notification: notificationSchema.optional() })).default([])
});

/** Refusals the person can act on become SharingError; anything else is unexpected. (A response body reads once: pass the refusal read already.) */
function sharingFailure(refusal: FunctionRefusal | null, error: unknown, what: string): Error {
	if (!refusal || refusal.status >= 500) return new Error(`${what}: ${refusal?.message ?? (error instanceof Error ? error.message : String(error))}`);
	const emailProblems = refusal.issues.filter((i) => i.path.startsWith('emails')).map((i) => i.message);
	if (refusal.status === 401) return new SharingError('Your session has ended: sign in again, then share the job.');
	return new SharingError(sentence(refusal.message), emailProblems);
}

/** What to tell about the emails of a save (all went out, or had gone out within the hour: null). */
function emailWarning(shares: z.infer<typeof sharedSchema>['shares']): string | null {
	const failed = shares.filter((s) => s.notification?.status === 'failed');
	const limited = shares.filter((s) => s.notification?.status === 'recipient_limited');
	const warnings: string[] = [];
	if (failed.length > 0) {
		warnings.push(`Saved, but the email to ${failed.map((s) => s.email).join(', ')} could not be sent (${failed[0].notification?.error ?? 'unknown error'}). Save again later to retry.`);
	}
	if (limited.length > 0) {
		warnings.push(`Saved, but no email went to ${limited.map((s) => s.email).join(', ')}: one address gets at most 12 invitation and sharing emails a day. Send them the link yourself.`);
	}
	return warnings.length > 0 ? warnings.join(' ') : null;
}

/**
 * Sets the visibility and invites the new addresses through the share-job
 * edge function (one transaction, all or nothing; it then emails each new
 * invitee: a link for existing accounts, an invitation to sign up otherwise),
 * then withdraws the removed ones. Returns the visibility and the invite
 * list as saved.
 */
export async function saveSharing(supabase: SupabaseClient, jobId: string, change: SharingChange): Promise<SavedSharing> {
	const invite = change.visibility === 'invited' ? change.invite : [];
	if (invite.length > MAX_INVITES_PER_SAVE) {
		throw new SharingError(`Invite at most ${MAX_INVITES_PER_SAVE} people at a time; save these, then add the rest.`);
	}
	const body: Record<string, unknown> = { job_id: jobId, visibility: change.visibility };
	if (invite.length > 0) body.emails = invite;
	const { data, error } = await supabase.functions.invoke('share-job', { body });
	let visibility: JobVisibility;
	let warning: string | null = null;
	if (error) {
		const refusal = await functionRefusal(error);
		// Over the hourly email limit: the shares are saved all the same, only the emails wait.
		const saved = refusal?.status === 429 ? sharedSchema.safeParse(refusal.body) : null;
		if (!refusal || !saved?.success) throw sharingFailure(refusal, error, 'Could not save the sharing');
		visibility = saved.data.job.visibility;
		warning = sentence(refusal.message);
	} else {
		const shared = sharedSchema.parse(data);
		visibility = shared.job.visibility;
		warning = emailWarning(shared.shares);
	}
	if (change.remove.length > 0) {
		const { error: unshareError } = await supabase.functions.invoke('share-job', { body: { action: 'unshare', job_id: jobId, emails: change.remove } });
		if (unshareError) throw sharingFailure(await functionRefusal(unshareError), unshareError, 'Could not remove people from the job');
	}
	return { visibility, shares: await loadShares(supabase, jobId), warning };
}

function sentence(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

export type ShareEvent = { type: 'upsert'; share: JobShare } | { type: 'delete'; id: string };

/**
 * Follows the job's invite list live (an invite attaching to a new account,
 * others' changes) on its team's Realtime topic (share_changed, sent by the
 * database to the team's members). Returns the stop. Give it a client whose
 * Realtime already has the user's token (in the browser: realtimeClient()).
 */
export function followShares(ready: Promise<SupabaseClient>, teamId: string, jobId: string, onEvent: (event: ShareEvent) => void): () => void {
	return followTeam(ready, teamId, {
		onMessage: (message) => {
			if (message.type !== 'share_changed' || message.share.job_id !== jobId) return;
			if (message.operation === 'DELETE') return onEvent({ type: 'delete', id: message.share.id });
			const share = jobShareSchema.safeParse(message.share);
			if (share.success) onEvent({ type: 'upsert', share: share.data });
		}
	});
}

/** The invite list after one live event, in the order the dialog shows it. */
export function applyShareEvent(shares: JobShare[], event: ShareEvent): JobShare[] {
	if (event.type === 'delete') return shares.filter((s) => s.id !== event.id);
	const rest = shares.filter((s) => s.id !== event.share.id && s.email !== event.share.email);
	return [...rest, event.share].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.email.localeCompare(b.email));
}
