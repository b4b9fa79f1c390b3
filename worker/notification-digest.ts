// The fleet's scheduled notification task: every FOLDWORK_DIGEST_SWEEP_MS (a
// minute by default), delete notifications and digests past the
// notification policy's retention (worker.prune_notifications), then claim
// the notification digests that are due
// (worker.claim_notification_digests: people away from the app, at most one
// digest per person per interval, a lapsed claim taken again with the same
// contents) and send them through the one mail path the edge functions use
// (supabase/functions/_shared/email, configured by the same EMAIL_* and
// SMTP_* variables), then report each sent or failed. Safe in every worker
// at once: the database hands each digest to one claimer.
//
// A timer in each worker rather than a pg-boss schedule: pg-boss's cron has
// a one-minute resolution and this fleet runs pg-boss without its scheduler
// (worker/job-queue.ts); the claim, not the timer, is what keeps a digest
// from going out twice.
import type pg from 'pg';
import { z } from 'zod';
import { createEmailSender, type EmailSender } from '../supabase/functions/_shared/email/from-env.ts';
import { EmailDeliveryError, InvalidEmail } from '../supabase/functions/_shared/email/message.ts';
import { notificationDigestEmail } from '../supabase/functions/_shared/email/templates.ts';
import { KIND_LABELS, notificationKindSchema, type NotificationKind } from '../src/lib/notifications/kinds.ts';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';
import { WakeLoop } from './wake-loop.ts';

/** Digests claimed per pass; a full batch runs the next pass at once. */
const BATCH = 20;
/** Notifications listed in one email; the rest are counted ("… and 12 more"). */
const LISTED = 20;

const digestSchema = z.object({
	digest_id: z.uuid(),
	user_id: z.uuid(),
	email: z.string(),
	unsubscribe_token: z.string().regex(/^[0-9a-f]{64}$/),
	notifications: z.array(z.object({ kind: z.string(), title: z.string(), body: z.string().nullable(), link: z.string().nullable() }))
});
export type ClaimedDigest = z.infer<typeof digestSchema>;

export interface DigestTaskOptions {
	db: pg.Pool;
	/** The web app's public address; every link in a digest starts with it. */
	siteUrl: string;
	sweepMs: number;
	log: Logger;
	/** The mail path; by default built from this process's environment on first use. */
	sender?: EmailSender;
}

export function digestMessage(digest: ClaimedDigest, siteUrl: string) {
	const site = siteUrl.replace(/\/+$/, '');
	const unsubscribeUrl = `${site}/unsubscribe?token=${digest.unsubscribe_token}`;
	const kinds = [...new Set(digest.notifications.map((n) => n.kind))].filter((k) => notificationKindSchema.safeParse(k).success) as NotificationKind[];
	return notificationDigestEmail({
		to: digest.email.trim().toLowerCase(),
		items: digest.notifications.slice(0, LISTED).map((n) => ({ title: n.title, body: n.body, url: `${site}${n.link ?? '/app'}` })),
		total: digest.notifications.length,
		settingsUrl: `${site}/app/settings/notifications`,
		unsubscribeUrl,
		eventUnsubscribes: kinds.map((kind) => ({ event: KIND_LABELS[kind].toLowerCase(), url: `${unsubscribeUrl}&event=${kind}` }))
	});
}

/** Notifications (or digests) deleted per pass; a full batch runs the next pass at once. */
const PRUNE_BATCH = 1000;
const prunedSchema = z.object({ notifications: z.number().int(), digests: z.number().int() });

/** Deletes a batch of notifications and digests past the retention; returns the larger count. */
async function pruneOldNotifications(db: pg.Pool, log: Logger): Promise<number> {
	const { rows } = await db.query('select * from worker.prune_notifications($1)', [PRUNE_BATCH]);
	const pruned = prunedSchema.parse(rows[0]);
	if (pruned.notifications || pruned.digests) log.info(`notifications: ${pruned.notifications} and ${pruned.digests} digests deleted past the retention period`);
	return Math.max(pruned.notifications, pruned.digests);
}

/** One pass: claims due digests, sends each, reports it; returns how many were claimed. */
export async function sendDueDigests(db: pg.Pool, sender: EmailSender, siteUrl: string, log: Logger): Promise<number> {
	const { rows } = await db.query('select * from worker.claim_notification_digests($1)', [BATCH]);
	const digests = z.array(digestSchema).parse(rows);
	for (const digest of digests) {
		try {
			await sender.send(digestMessage(digest, siteUrl));
			await db.query('select worker.notification_digest_sent($1)', [digest.digest_id]);
		} catch (error) {
			const permanent = error instanceof InvalidEmail || (error instanceof EmailDeliveryError && error.permanent);
			log.warn(`notification digest ${digest.digest_id} to ${digest.email} not sent (${describeError(error)}); ${permanent ? 'not trying again' : 'trying again on the next pass'}`);
			await db.query('select worker.notification_digest_failed($1, $2)', [digest.digest_id, permanent]);
		}
	}
	if (digests.length) log.info(`notification digests: ${digests.length} claimed`);
	return digests.length;
}

export interface DigestTask {
	wake(): void;
	/** Stops the timer, waits for a pass under way, closes the mail connections. */
	stop(): Promise<void>;
}

export function createDigestTask(options: DigestTaskOptions): DigestTask {
	let sender = options.sender ?? null;
	const loop = new WakeLoop({
		name: 'notification-digest',
		intervalMs: options.sweepMs,
		maxBackoffMs: 60_000,
		onError: (error, wait) => options.log.warn(`notification digests failed (${describeError(error)}); retrying in ${wait} ms`),
		async step() {
			// Before the mail path is made: a mail misconfiguration does not keep old notifications.
			const pruned = await pruneOldNotifications(options.db, options.log);
			// Made here, not at start: a mail misconfiguration is logged and retried without stopping the worker's jobs.
			sender ??= createEmailSender({ get: (name) => process.env[name] });
			return (await sendDueDigests(options.db, sender, options.siteUrl, options.log)) >= BATCH || pruned >= PRUNE_BATCH;
		}
	});
	return {
		wake: () => loop.wake(),
		async stop() {
			await loop.stop();
			sender?.close();
		}
	};
}
