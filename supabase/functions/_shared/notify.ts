// Emailing people on a user's behalf, after the user's request was allowed:
// claim the emails in the log (service role: at most one email per address
// and subject per hour, at most 12 per address per day whoever sends them,
// at most the sender's hourly limit), compose and send the claimed ones a few
// at a time, and release the claims of those that failed so a retry sends
// them.
import { emailSender } from './email/sender.ts';
import { EmailDeliveryError, InvalidEmail, type EmailMessage } from './email/message.ts';
import { HttpError } from './http.ts';
import { callRpc, serviceClient } from './supabase.ts';

export type EmailKind = 'job_share' | 'team_invite';

/**
 * What happened to one email: sent now, skipped (sent within the hour, or the
 * address had its emails for the day: `recipient_limited`), or failed (with why).
 */
export type Notification =
	| { status: 'sent' }
	| { status: 'already_sent'; last_sent_at: string }
	| { status: 'recipient_limited'; limit: number; retry_after: string; error: string }
	| { status: 'failed'; error: string };

export interface Outgoing {
	email: string;
	/** The job or team invite the email is about. */
	subjectId: string;
	/** Builds the message (only claimed emails are composed). */
	compose(): EmailMessage;
}

interface Claim {
	allowed: boolean;
	limit: number;
	sent_last_hour: number;
	requested: number;
	retry_after: string | null;
	claims: Array<{ email: string; subject_id: string; id: string }>;
	recent: Array<{ email: string; subject_id: string; last_sent_at: string }>;
	capped: Array<{ email: string; subject_id: string; sent_today: number; retry_after: string | null }>;
	recipient_limit: number;
}

const PARALLEL_SENDS = 4;

/** The key of one email's outcome in what notify returns. */
export const outcomeKey = (email: string, subjectId: string) => `${email} ${subjectId}`;

/** The rate-limit refusal: 429 with when to try again, and `saved` (what was done anyway) in its body. */
function rateLimited(claim: Claim, what: string, saved: Record<string, unknown>): HttpError {
	const retryAfter = new Date(claim.retry_after ?? Date.now() + 3_600_000);
	const seconds = Math.max(1, Math.ceil((retryAfter.getTime() - Date.now()) / 1000));
	return new HttpError(
		429,
		'email_rate_limited',
		`Too many emails: each person can have at most ${claim.limit} invitation and sharing emails sent per hour, ` +
			`you have sent ${claim.sent_last_hour} in the last hour and this would send ${claim.requested} more. ${what} ` +
			`Try again after ${retryAfter.toISOString().slice(11, 16)} UTC (in ${Math.ceil(seconds / 60)} min).`,
		{ limit: claim.limit, sent_last_hour: claim.sent_last_hour, requested: claim.requested, retry_after: retryAfter.toISOString(), ...saved },
		{ 'Retry-After': String(seconds) }
	);
}

/**
 * Sends what may be sent; returns each outgoing email's outcome by
 * outcomeKey(email, subjectId). Throws a 429 HttpError (nothing sent) when
 * the sender is over the limit; `limitNote` tells what was done anyway, and
 * `saved` (the answer without notifications) goes into its body.
 */
export async function notify(
	senderId: string,
	kind: EmailKind,
	outgoing: Outgoing[],
	limitNote: string,
	saved: Record<string, unknown>
): Promise<Map<string, Notification>> {
	const results = new Map<string, Notification>();
	if (outgoing.length === 0) return results;
	const service = serviceClient();
	const claim = await callRpc<Claim>(service, 'claim_email_sends', {
		sender_id: senderId,
		kind,
		items: outgoing.map((o) => ({ email: o.email, subject_id: o.subjectId }))
	});
	if (!claim.allowed) throw rateLimited(claim, limitNote, saved);
	for (const recent of claim.recent) results.set(outcomeKey(recent.email, recent.subject_id), { status: 'already_sent', last_sent_at: recent.last_sent_at });
	for (const capped of claim.capped) results.set(outcomeKey(capped.email, capped.subject_id), recipientLimited(claim.recipient_limit, capped));

	const byKey = new Map(outgoing.map((o) => [outcomeKey(o.email, o.subjectId), o]));
	const queue = [...claim.claims];
	const failedClaims: string[] = [];
	const sender = emailSender();
	const worker = async () => {
		for (let next = queue.shift(); next; next = queue.shift()) {
			const item = byKey.get(outcomeKey(next.email, next.subject_id));
			try {
				if (!item) throw new Error(`claimed ${next.email} without asking for it`);
				const message = item.compose();
				await sender.send({ ...message, idempotencyKey: next.id });
				results.set(outcomeKey(next.email, next.subject_id), { status: 'sent' });
			} catch (error) {
				failedClaims.push(next.id);
				results.set(outcomeKey(next.email, next.subject_id), { status: 'failed', error: describeFailure(error) });
				if (!(error instanceof InvalidEmail) && !(error instanceof EmailDeliveryError && error.permanent)) {
					console.error(`sending a ${kind} email to ${next.email} failed:`, error);
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(PARALLEL_SENDS, queue.length) }, worker));
	if (failedClaims.length > 0) await callRpc(service, 'release_email_sends', { claim_ids: failedClaims });
	return results;
}

/** An address that has had its sharing and invitation emails for the day (from anyone): not emailed now, and when it may be. */
function recipientLimited(limit: number, capped: Claim['capped'][number]): Notification {
	const retryAfter = new Date(capped.retry_after ?? Date.now() + 86_400_000).toISOString();
	return {
		status: 'recipient_limited',
		limit,
		retry_after: retryAfter,
		error:
			`no email went to ${capped.email}: it has had ${limit} invitation and sharing emails in the last 24 hours, the most one address gets, ` +
			`so this one was not sent; try again after ${retryAfter.slice(0, 16).replace('T', ' ')} UTC`
	};
}

function describeFailure(error: unknown): string {
	if (error instanceof InvalidEmail) return `the email was not sent: ${error.message}`;
	if (error instanceof EmailDeliveryError) {
		return error.permanent
			? 'the mail server refused this address; check it for typos'
			: 'the email could not be delivered just now; call again to retry';
	}
	if (error instanceof HttpError) return error.message;
	return 'the email could not be sent just now; call again to retry';
}
