// Helpers for the REST contract tests: user JWTs signed with the stack's
// secret, supabase-js clients acting as a user, and per-file fixture names.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import { signJwt, type JwtClaims } from '../../supabase/local/jwt.ts';
import { stackInfo } from './stack.ts';

/** A name unique to this test run, safe as a SQL identifier. */
export function uniqueName(prefix: string): string {
	return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
}

/**
 * SQL granting EXECUTE on the public functions named `<prefix>_…` (a test's
 * own, from uniqueName) to the given roles. Tests share one stack: a grant on
 * every function of the schema would open the app's service-only functions
 * to other tests' attackers for the rest of the run.
 */
export function grantOwnFunctions(prefix: string, roles: string): string {
	return `do $grant$ declare f regprocedure; begin
		for f in select p.oid::regprocedure from pg_proc p where p.pronamespace = 'public'::regnamespace and starts_with(p.proname, '${prefix}_') loop
			execute format('grant execute on function %s to ${roles}', f);
		end loop;
	end $grant$;`;
}

/** An access token like GoTrue's for `sub` (role authenticated), valid for an hour unless told otherwise. */
export function userToken(sub: string, extra: Partial<JwtClaims> = {}, secret = stackInfo().jwtSecret): string {
	const now = Math.floor(Date.now() / 1000);
	return signJwt({ sub, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 3600, ...extra }, secret);
}

/** supabase-js acting with `token` as its bearer (the anon key as apikey). */
export function tokenClient(token: string, schema?: string): SupabaseClient {
	return createClient(stackInfo().apiUrl, stackInfo().anonKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		global: { headers: { Authorization: `Bearer ${token}` } },
		...(schema ? { db: { schema } } : {})
	}) as SupabaseClient;
}

/** Raw fetch against /rest/v1 with the anon key (and optional bearer). */
export function restFetch(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set('apikey', stackInfo().anonKey);
	if (init.token) headers.set('Authorization', `Bearer ${init.token}`);
	return fetch(`${stackInfo().apiUrl}/rest/v1${path}`, { ...init, headers });
}
