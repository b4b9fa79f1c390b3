// The two ways a function reaches Supabase. As the caller: supabase-js with
// the caller's own Authorization header, so RLS and the RPCs' permission
// checks apply exactly as for the browser. As the service role: only for
// what no user may do (Auth admin links, the email log), and only after the
// caller's request was allowed.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
// Types only (erased before Deno runs the function): the app's generated schema types, `npm run db:types`.
import type { Database } from '../../../src/lib/supabase/database.types.ts';
import { HttpError } from './http.ts';

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

function env(name: string): string {
	const value = Deno.env.get(name);
	if (!value) throw new Error(`${name} is not set (Supabase sets it for every function)`);
	return value;
}

/** The claims of the caller's JWT. The gateway verified it (verify_jwt) and REST verifies it again. */
function claimsOf(token: string): Record<string, unknown> | null {
	const payload = token.split('.')[1];
	if (!payload) return null;
	try {
		const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
		const claims = JSON.parse(json);
		return typeof claims === 'object' && claims !== null ? claims : null;
	} catch {
		return null;
	}
}

/** A client acting as the signed-in caller; 401 when the request carries no user's token. */
export function callerClient(request: Request): SupabaseClient {
	const authorization = request.headers.get('authorization') ?? '';
	const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
	const claims = token ? claimsOf(token) : null;
	if (!token || claims?.role !== 'authenticated' || typeof claims.sub !== 'string') {
		throw new HttpError(401, 'not_signed_in', 'Sign in first: call this function with a signed-in user\'s access token (supabase-js does this for a signed-in client).');
	}
	return createClient<Database>(env('SUPABASE_URL'), env('SUPABASE_ANON_KEY'), {
		global: { headers: { Authorization: `Bearer ${token}` } },
		auth: NO_SESSION
	});
}

let service: SupabaseClient<Database> | undefined;

/** The service-role client (kept for the life of the process). */
export function serviceClient(): SupabaseClient {
	service ??= createClient<Database>(env('SUPABASE_URL'), env('SUPABASE_SERVICE_ROLE_KEY'), { auth: NO_SESSION });
	return service;
}

interface RpcError {
	code?: string;
	message: string;
	hint?: string | null;
	details?: string | null;
}

/** A database refusal as an HTTP answer: the RPC's own message, with a status by its SQLSTATE. */
function rpcRefusal(error: RpcError): HttpError {
	const extra = error.hint ? { hint: error.hint } : {};
	switch (error.code) {
		case '42501':
			return new HttpError(403, 'forbidden', error.message, extra);
		case '42704':
			return new HttpError(404, 'not_found', error.message, extra);
		case '22023':
		case '22P02':
			return new HttpError(400, 'invalid_request', error.message, extra);
		case 'P0001':
		case '23505':
		case '23514':
			return new HttpError(409, 'conflict', error.message, extra);
		case 'PGRST301':
		case 'PGRST303':
			return new HttpError(401, 'not_signed_in', `Your session is not valid (${error.message}): sign in again.`);
		default:
			console.error('unexpected database error:', error);
			return new HttpError(500, 'internal_error', 'The database could not do this; try again, and report it if it keeps happening.');
	}
}

/** Calls an RPC; a refusal becomes the matching HttpError. */
export async function callRpc<T>(client: SupabaseClient, name: string, args: Record<string, unknown>): Promise<T> {
	const { data, error } = await client.rpc(name, args);
	if (error) throw rpcRefusal(error);
	return data as T;
}
