// The browser's Supabase client (one per page load): Realtime subscriptions
// and calls made from components. Its session lives in the same cookies the
// server client reads, so both act as the same signed-in user.
import { createBrowserClient } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import { PUBLIC_SUPABASE_ANON_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';

let client: SupabaseClient | undefined;

export function browserSupabase(): SupabaseClient {
	client ??= createBrowserClient(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY);
	return client;
}
