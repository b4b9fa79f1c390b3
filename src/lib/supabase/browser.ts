// The browser's Supabase client (one per page load): Realtime subscriptions
// and calls made from components. Its session lives in the same cookies the
// server client reads, so both act as the same signed-in user.
import { createBrowserClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from './database.types.ts';
import { PUBLIC_SUPABASE_ANON_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';

let client: SupabaseClient<Database> | undefined;

export function browserSupabase(): SupabaseClient<Database> {
	client ??= createBrowserClient<Database>(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY);
	return client;
}

/**
 * The browser client, ready for Realtime channels that the database
 * authorises as the signed-in user (private topics such as a job's or a
 * team's, whose join is checked against the realtime.messages policies):
 * right after a page load supabase-js has not
 * yet read the session from the cookies, and a channel subscribed then joins
 * with the anonymous key (and hears nothing, or is refused). This reads the
 * session and hands its token to Realtime first. Token refreshes later reach
 * Realtime by themselves, and each one has the join checked again.
 */
export async function realtimeClient(): Promise<SupabaseClient<Database>> {
	const supabase = browserSupabase();
	const { data } = await supabase.auth.getSession();
	await supabase.realtime.setAuth(data.session?.access_token ?? null);
	return supabase;
}
