// A person's live channel: the private Realtime topic `user:<id>`
// (supabase/migrations/20261209820000_notifications.sql), which only that
// person can join and only the database writes to. It carries
// `notification_added` {notification} and `notifications_read` {ids: the
// ids, or null for all}, so every open tab's bell stays current.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { notificationSchema } from './notifications.ts';

export const userTopic = (userId: string): string => `user:${userId}`;

const messageSchema = z.discriminatedUnion('type', [
	z.object({ type: z.literal('notification_added'), notification: notificationSchema }),
	z.object({ type: z.literal('notifications_read'), ids: z.array(z.uuid()).nullable() })
]);
export type UserTopicMessage = z.infer<typeof messageSchema>;

export interface UserTopicFollower {
	onMessage(message: UserTopicMessage): void;
	/** Joined again after the connection was down: what happened meanwhile was missed, so read it again. */
	onResync(): void;
}

/** Follows the person's topic once `ready` gives the client with their token; returns the stop. */
export function followUser(ready: Promise<SupabaseClient>, userId: string, follower: UserTopicFollower): () => void {
	let stopped = false;
	let client: SupabaseClient | null = null;
	let channel: ReturnType<SupabaseClient['channel']> | null = null;
	let wasLive = false;
	void ready.then((ready) => {
		if (stopped) return;
		client = ready;
		channel = ready.channel(userTopic(userId), { config: { private: true } }).on('broadcast', { event: '*' }, (message: { event?: string; payload?: unknown }) => {
			const parsed = messageSchema.safeParse({ ...(message.payload as object), type: message.event });
			if (parsed.success) follower.onMessage(parsed.data);
		});
		channel.subscribe((status) => {
			if (status !== 'SUBSCRIBED') return;
			if (wasLive) follower.onResync();
			wasLive = true;
		});
	});
	return () => {
		stopped = true;
		if (client && channel) void client.removeChannel(channel);
	};
}
