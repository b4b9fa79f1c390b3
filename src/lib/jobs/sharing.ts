// Sharing a job: its visibility and the people invited by email. The share
// dialog talks only to this module, so where sharing happens (the RPCs
// today; the share-job edge function, which also emails invitees, later)
// changes here alone.
//
// A share whose user_id is null is pending: nobody has a confirmed account
// with that address yet; it attaches by itself when they sign up.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { jobVisibilitySchema, type JobVisibility } from './status.ts';

export interface JobShare {
	id: string;
	email: string;
	/** Null while the invite is pending (no account with this address yet). */
	user_id: string | null;
	created_at: string;
}

export const jobShareSchema = z.object({ id: z.uuid(), email: z.string(), user_id: z.uuid().nullable(), created_at: z.string() });

export function isPending(share: Pick<JobShare, 'user_id'>): boolean {
	return share.user_id === null;
}

/** The same test the database applies (share_job). */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
export const MAX_EMAIL_LENGTH = 255;
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
		const email = raw.toLowerCase();
		if (EMAIL.test(email) && email.length <= MAX_EMAIL_LENGTH) {
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
	constructor(message: string) {
		super(message);
		this.name = 'SharingError';
	}
}

export interface SharingChange {
	visibility: JobVisibility;
	/** Addresses to invite (only with visibility "invited"). */
	invite: string[];
	/** Addresses whose invite is withdrawn. */
	remove: string[];
}

const sharedSchema = z.object({ job: z.object({ visibility: jobVisibilitySchema }) });

/**
 * Sets the visibility and invites the new addresses in one transaction
 * (share_job_with: all or nothing), then withdraws the removed ones.
 * Returns the visibility and the invite list as saved.
 */
export async function saveSharing(supabase: SupabaseClient, jobId: string, change: SharingChange): Promise<{ visibility: JobVisibility; shares: JobShare[] }> {
	const invite = change.visibility === 'invited' ? change.invite : [];
	if (invite.length > MAX_INVITES_PER_SAVE) {
		throw new SharingError(`Invite at most ${MAX_INVITES_PER_SAVE} people at a time; save these, then add the rest.`);
	}
	const { data, error } = await supabase.rpc('share_job_with', { job_id: jobId, visibility: change.visibility, emails: invite });
	if (error) {
		if (error.code === '22023' || error.code === '42501' || error.code === '42704') throw new SharingError(sentence(error.message));
		throw new Error(`Could not save the sharing: ${error.message}`);
	}
	const { visibility } = sharedSchema.parse(data).job;
	for (const email of change.remove) {
		const { error: unshareError } = await supabase.rpc('unshare_job', { job_id: jobId, email });
		if (unshareError) throw new Error(`Could not remove ${email}: ${unshareError.message}`);
	}
	return { visibility, shares: await loadShares(supabase, jobId) };
}

function sentence(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

let channelCount = 0;

export type ShareEvent = { type: 'upsert'; share: JobShare } | { type: 'delete'; id: string };

/**
 * Follows the job's invite list live (an invite attaching to a new account,
 * others' changes), through Realtime on job_shares. Returns the unsubscribe.
 * Deletes carry only the share's id (Realtime sends just the key of a
 * deleted row), so they come unfiltered and the caller matches the id.
 */
export function followShares(supabase: SupabaseClient, jobId: string, onEvent: (event: ShareEvent) => void): () => void {
	const upsert = (payload: { new: unknown }) => {
		const share = jobShareSchema.safeParse(payload.new);
		if (share.success) onEvent({ type: 'upsert', share: share.data });
	};
	let stopped = false;
	const channel: RealtimeChannel = supabase
		.channel(`job-shares-${jobId}-${++channelCount}`)
		.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'job_shares', filter: `job_id=eq.${jobId}` }, upsert)
		.on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'job_shares', filter: `job_id=eq.${jobId}` }, upsert)
		.on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'job_shares' }, (payload) => {
			const old = z.object({ id: z.uuid() }).safeParse(payload.old);
			if (old.success) onEvent({ type: 'delete', id: old.data.id });
		});
	// Join as the signed-in user (RLS shows shares to the job's team): the session must be read first,
	// or the channel joins with the anonymous key.
	void supabase.auth
		.getSession()
		.then(({ data }) => (data.session ? supabase.realtime.setAuth(data.session.access_token) : undefined))
		.then(() => {
			if (!stopped) channel.subscribe();
		});
	return () => {
		stopped = true;
		void supabase.removeChannel(channel);
	};
}

/** The invite list after one live event, in the order the dialog shows it. */
export function applyShareEvent(shares: JobShare[], event: ShareEvent): JobShare[] {
	if (event.type === 'delete') return shares.filter((s) => s.id !== event.id);
	const rest = shares.filter((s) => s.id !== event.share.id && s.email !== event.share.email);
	return [...rest, event.share].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.email.localeCompare(b.email));
}
