// A person's notifications (public.notifications: written by the database's
// triggers, readable only by their recipient) and their settings per event
// (public.notification_preferences), through a typed client: the browser's
// for the bell, the server's for the settings and unsubscribe pages.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import type { Database } from '#lib/supabase/database.types.ts';
import { DEFAULT_DELIVERY, deliverySchema, NOTIFICATION_KINDS, notificationKindSchema, type Delivery, type NotificationKind } from './kinds.ts';

type Client = SupabaseClient<Database>;

export const notificationSchema = z.object({
	id: z.uuid(),
	kind: notificationKindSchema,
	title: z.string(),
	body: z.string().nullable(),
	link: z.string().nullable(),
	created_at: z.string(),
	read_at: z.string().nullable()
});
export type AppNotification = z.infer<typeof notificationSchema>;

/** How many the bell lists. */
export const LISTED = 20;

/** The latest notifications and how many are unread in all. */
export async function loadNotifications(client: Client): Promise<{ items: AppNotification[]; unread: number }> {
	const [list, unread] = await Promise.all([
		client.from('notifications').select('id, kind, title, body, link, created_at, read_at').order('created_at', { ascending: false }).limit(LISTED),
		client.from('notifications').select('id', { count: 'exact', head: true }).is('read_at', null)
	]);
	if (list.error) throw list.error;
	if (unread.error) throw unread.error;
	return { items: z.array(notificationSchema).parse(list.data), unread: unread.count ?? 0 };
}

/** Marks the caller's notifications read (`ids`, or all); returns how many changed. */
export async function markNotificationsRead(client: Client, ids: string[] | null): Promise<number> {
	const { data, error } = await client.rpc('mark_notifications_read', ids ? { ids } : {});
	if (error) throw error;
	return data ?? 0;
}

export type Preferences = Record<NotificationKind, Delivery>;

/** Each event's delivery for the signed-in person (the default where they chose nothing). */
export async function loadPreferences(client: Client): Promise<Preferences> {
	const { data, error } = await client.from('notification_preferences').select('kind, delivery');
	if (error) throw error;
	const chosen = new Map((data ?? []).map((row) => [row.kind, deliverySchema.catch(DEFAULT_DELIVERY).parse(row.delivery)]));
	return Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, chosen.get(kind) ?? DEFAULT_DELIVERY])) as Preferences;
}

/** The settings form: one choice per event. */
export const preferencesForm = z.object(
	Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, deliverySchema])) as Record<NotificationKind, typeof deliverySchema>
);

export async function savePreferences(client: Client, preferences: Preferences): Promise<void> {
	const { error } = await client.rpc('set_notification_preferences', { preferences });
	if (error) throw error;
}

/** What an unsubscribe link names: its token, and one event or all. */
export const unsubscribeParams = z.object({
	token: z.string().regex(/^[0-9a-f]{64}$/, 'This unsubscribe link is not complete: open it from the email again.'),
	event: z.union([notificationKindSchema, z.literal('all')]).catch('all')
});

/** Turns email off (the token is the proof; no sign-in); returns the events changed. */
export async function unsubscribe(client: Client, token: string, event: NotificationKind | 'all'): Promise<NotificationKind[]> {
	const { data, error } = await client.rpc('unsubscribe_notifications', { token, kind: event });
	if (error) throw error;
	return z.object({ kinds: z.array(notificationKindSchema) }).parse(data).kinds;
}
