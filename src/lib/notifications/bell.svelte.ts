// The header bell's state: the latest notifications and the unread count,
// read once and then kept current from the person's topic (user-topic.ts).
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '#lib/supabase/database.types.ts';
import { LISTED, loadNotifications, markNotificationsRead, type AppNotification } from './notifications.ts';
import { followUser, type UserTopicMessage } from './user-topic.ts';

export class NotificationBell {
	items = $state<AppNotification[]>([]);
	unread = $state(0);
	#client: SupabaseClient<Database> | null = null;

	async #reload(): Promise<void> {
		if (!this.#client) return;
		const { items, unread } = await loadNotifications(this.#client);
		this.items = items;
		this.unread = unread;
	}

	#apply(message: UserTopicMessage): void {
		if (message.type === 'notification_added') {
			if (this.items.some((n) => n.id === message.notification.id)) return;
			this.items = [message.notification, ...this.items].slice(0, LISTED);
			if (!message.notification.read_at) this.unread += 1;
			return;
		}
		const now = new Date().toISOString();
		const read = message.ids ? new Set(message.ids) : null;
		this.items = this.items.map((n) => (!n.read_at && (!read || read.has(n.id)) ? { ...n, read_at: now } : n));
		// The count covers notifications beyond the list too: ask the database.
		void this.#reload();
	}

	/** Reads the list, then follows the person's topic; returns the stop. */
	follow(ready: Promise<SupabaseClient<Database>>, userId: string): () => void {
		void ready.then((client) => {
			this.#client = client;
			return this.#reload();
		});
		return followUser(ready, userId, { onMessage: (m) => this.#apply(m), onResync: () => void this.#reload() });
	}

	async markRead(ids: string[] | null): Promise<void> {
		if (!this.#client) return;
		await markNotificationsRead(this.#client, ids);
		await this.#reload();
	}
}
