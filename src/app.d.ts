import type { SupabaseClient, User } from '@supabase/supabase-js';
import type { Database } from '#lib/supabase/database.types.ts';

declare global {
	namespace App {
		interface Locals {
			supabase: SupabaseClient<Database>;
			/** The signed-in user, verified with the Auth server; null when signed out. */
			getUser(): Promise<User | null>;
			/** Set by the auth guard on /app/* routes. */
			user?: User;
		}
	}
}

export {};
