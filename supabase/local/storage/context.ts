// What every Storage route works with: settings, the database, the object
// files, and who the caller is.
import type { ApiRequest } from '../gateway.ts';
import { verifyJwt } from '../jwt.ts';
import type { StorageSettings } from '../config.ts';
import type { Caller, RequestFacts, StorageDatabase } from './database.ts';
import type { ObjectFiles } from './disk.ts';
import { errors } from './errors.ts';

export interface StorageContext {
	settings: StorageSettings;
	jwtSecret: string;
	/** Public URL of the gateway (TUS Location headers). */
	apiUrl: string;
	db: StorageDatabase;
	files: ObjectFiles;
	log(message: string): void;
}

/** Verified tokens (an HMAC and a JSON parse each), kept while they are valid; expiry is checked on every use. */
const verified = new Map<string, { caller: Caller; exp: number | undefined }>();
const VERIFIED_LIMIT = 1000;

export const ANONYMOUS: Caller = { role: 'anon', claims: JSON.stringify({ role: 'anon' }), sub: null, token: null };

/**
 * The caller of a request, from the bearer token the gateway passed on
 * (the user's JWT, or the JWT the API key stands for). Routes that serve
 * public objects take a missing or bad token as anonymous (`lenient`);
 * every other route refuses it, as Storage does.
 */
export function callerOf(ctx: StorageContext, request: ApiRequest, lenient = false): Caller & { verified: boolean } {
	const token = request.token;
	if (!token) {
		if (lenient) return { ...ANONYMOUS, verified: false };
		throw errors.invalidJwt("headers must have required property 'authorization'");
	}
	// Keyed by secret too: stacks in one process (tests) may have different secrets.
	const cacheKey = `${ctx.jwtSecret}\u0000${token}`;
	const hit = verified.get(cacheKey);
	if (hit && (hit.exp === undefined || hit.exp > Date.now() / 1000)) return { ...hit.caller, verified: true };
	const result = verifyJwt(token, ctx.jwtSecret);
	if (!result.ok) {
		if (lenient) return { ...ANONYMOUS, verified: false };
		throw errors.invalidJwt(result.reason === 'expired' ? 'jwt expired' : result.reason === 'signature' ? 'invalid signature' : 'jwt malformed');
	}
	const claims = result.claims;
	const role = typeof claims.role === 'string' && claims.role !== '' ? claims.role : 'anon';
	const caller: Caller = { role, claims: JSON.stringify({ ...claims, role }), sub: typeof claims.sub === 'string' ? claims.sub : null, token };
	if (verified.size >= VERIFIED_LIMIT) verified.delete(verified.keys().next().value!);
	verified.set(cacheKey, { caller, exp: typeof claims.exp === 'number' ? claims.exp : undefined });
	return { ...caller, verified: true };
}

export function factsOf(request: ApiRequest): RequestFacts {
	return { method: request.req.method ?? 'GET', path: request.url.pathname, headers: request.req.headers };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Storage records `owner` (uuid) only when the JWT's sub is one; owner_id always. */
export function ownerColumns(sub: string | null): { owner: string | null; ownerId: string | null } {
	return { owner: sub && UUID.test(sub) ? sub : null, ownerId: sub };
}

export function header(request: ApiRequest, name: string): string | undefined {
	const value = request.req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}
