// From the bearer JWT to the role and claims a request runs with, with
// PostgREST's errors: PGRST301 for a token that does not verify, PGRST303
// for an expired one. No token means the anonymous role.
import { verifyJwt } from '../jwt.ts';
import { PgrstError } from './errors.ts';

export interface RequestRole {
	role: string;
	/** request.jwt.claims: the token's claims, with `role` always present. */
	claims: string;
	/** False for the anonymous role (PostgREST answers 401 rather than 403 then). */
	authed: boolean;
}

const ANON_ROLE = 'anon';
const CACHE_LIMIT = 1000;

function jwtError(code: 'PGRST301' | 'PGRST303', message: string): PgrstError {
	return new PgrstError(401, code, message, null, null, {
		'WWW-Authenticate': `Bearer error="invalid_token", error_description="${message}"`
	});
}

export function createRoleResolver(secret: string): (token: string | null) => RequestRole {
	// Verified tokens (HMAC + JSON parse once per token); expiry is still checked on each use.
	const cache = new Map<string, { role: RequestRole; exp: number | undefined }>();
	const anonymous: RequestRole = { role: ANON_ROLE, claims: JSON.stringify({ role: ANON_ROLE }), authed: false };
	return (token) => {
		if (token === null || token === '') return anonymous;
		const now = Date.now() / 1000;
		const hit = cache.get(token);
		if (hit) {
			if (hit.exp === undefined || hit.exp > now) return hit.role;
			cache.delete(token);
		}
		const parts = token.split('.').length;
		if (parts !== 3) throw jwtError('PGRST301', `Expected 3 parts in JWT; got ${parts}`);
		const result = verifyJwt(token, secret, now);
		if (!result.ok) {
			switch (result.reason) {
				case 'expired':
					throw jwtError('PGRST303', 'JWT expired');
				case 'algorithm':
					throw jwtError('PGRST301', 'Wrong or unsupported encoding algorithm');
				case 'signature':
					throw jwtError('PGRST301', 'JWT cryptographic operation failed');
				default:
					throw jwtError('PGRST301', "JWT couldn't be decoded");
			}
		}
		const claims = result.claims;
		const role = typeof claims.role === 'string' && claims.role !== '' ? claims.role : ANON_ROLE;
		const resolved: RequestRole = { role, claims: JSON.stringify({ ...claims, role }), authed: role !== ANON_ROLE };
		if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
		cache.set(token, { role: resolved, exp: typeof claims.exp === 'number' ? claims.exp : undefined });
		return resolved;
	};
}
