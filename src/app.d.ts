import type { SupabaseClient, User } from '@supabase/supabase-js';

declare global {
	namespace App {
		interface Locals {
			supabase: SupabaseClient;
			/** The signed-in user, verified with the Auth server; null when signed out. */
			getUser(): Promise<User | null>;
			/** Set by the auth guard on /app/* routes. */
			user?: User;
		}
	}
}

export {};
