import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '#lib/supabase/database.types.ts';
import type { SessionUser } from '#lib/supabase/session-user.ts';

declare global {
	namespace App {
		interface Locals {
			supabase: SupabaseClient<Database>;
			/** The signed-in user, from the session's access token verified by getClaims() (once per request); null when signed out. */
			getSessionUser(): Promise<SessionUser | null>;
			/** Set by the auth guard on /app/* routes. */
			user?: SessionUser;
		}
	}
}

export {};
