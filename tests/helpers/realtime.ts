// Realtime test helpers: subscribing a supabase-js channel with a deadline.
import type { RealtimeChannel } from '@supabase/supabase-js';

/** Subscribes and resolves on SUBSCRIBED; rejects on CHANNEL_ERROR, TIMED_OUT or after 8 s. */
export function subscribe(channel: RealtimeChannel): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('subscribe timed out')), 8_000);
		channel.subscribe((status, error) => {
			if (status === 'SUBSCRIBED') {
				clearTimeout(timer);
				resolve();
			} else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
				clearTimeout(timer);
				reject(error ?? new Error(status));
			}
		});
	});
}
