// Telling the database that this person has a page of the app open
// (public.touch_presence()), when a page loads and every minute while it is
// visible: notification emails go only to people away for longer than the
// database's away period (10 minutes by default).
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '#lib/supabase/database.types.ts';

export const PRESENCE_EVERY_MS = 60_000;

/** Starts reporting; returns the stop. */
export function keepPresence(client: SupabaseClient<Database>): () => void {
	const touch = () => {
		if (document.visibilityState !== 'visible') return;
		// Best effort: a missed minute only makes an email a little likelier.
		void client.rpc('touch_presence').then(({ error }) => {
			if (error) console.warn(`touch_presence: ${error.message}`);
		});
	};
	touch();
	const timer = setInterval(touch, PRESENCE_EVERY_MS);
	document.addEventListener('visibilitychange', touch);
	return () => {
		clearInterval(timer);
		document.removeEventListener('visibilitychange', touch);
	};
}
