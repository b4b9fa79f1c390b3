// The events a person is notified of, and how each reaches them. Mirrors
// private.notification_kinds() (supabase/migrations/20261209820000_notifications.sql;
// tests/db/notifications.test.ts checks they agree).
import { z } from 'zod';

export const NOTIFICATION_KINDS = ['job_completed', 'job_failed', 'job_timeout', 'job_shared', 'team_invite', 'credits_low'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const notificationKindSchema = z.enum(NOTIFICATION_KINDS);

/** 'email': in the app, and by email while you are away (the default); 'in_app': only in the app; 'off': not at all. */
export const DELIVERIES = ['email', 'in_app', 'off'] as const;
export type Delivery = (typeof DELIVERIES)[number];
export const deliverySchema = z.enum(DELIVERIES);
export const DEFAULT_DELIVERY: Delivery = 'email';

export const KIND_LABELS: Record<NotificationKind, string> = {
	job_completed: 'Your job finished',
	job_failed: 'Your job failed',
	job_timeout: 'Your job timed out',
	job_shared: 'A job was shared with you',
	team_invite: 'You were invited to a team',
	credits_low: "A team's credits fell below its alert"
};

export const DELIVERY_LABELS: Record<Delivery, string> = {
	email: 'In the app and by email',
	in_app: 'In the app only',
	off: 'Off'
};
