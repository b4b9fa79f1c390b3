// HS256 JSON Web Tokens, as GoTrue issues them and PostgREST/Realtime verify
// them with the project's JWT secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtClaims = Record<string, unknown> & { role?: string; sub?: string; exp?: number };

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function sign(input: string, secret: string): string {
	return createHmac('sha256', secret).update(input).digest('base64url');
}

export function signJwt(claims: JwtClaims, secret: string): string {
	const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
	return `${body}.${sign(body, secret)}`;
}

export type JwtResult = { ok: true; claims: JwtClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'algorithm' };

/** Verifies signature, algorithm and expiry (with `leewaySeconds` of clock skew). */
export function verifyJwt(token: string, secret: string, nowSeconds = Date.now() / 1000, leewaySeconds = 0): JwtResult {
	const parts = token.split('.');
	if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return { ok: false, reason: 'malformed' };
	let header: unknown;
	let claims: unknown;
	try {
		header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
		claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
	} catch {
		return { ok: false, reason: 'malformed' };
	}
	if (typeof header !== 'object' || header === null || Array.isArray(header) || typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
		return { ok: false, reason: 'malformed' };
	}
	if ((header as { alg?: unknown }).alg !== 'HS256') return { ok: false, reason: 'algorithm' };
	const expected = Buffer.from(sign(`${parts[0]}.${parts[1]}`, secret));
	const given = Buffer.from(parts[2]);
	if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
	const exp = (claims as JwtClaims).exp;
	if (exp !== undefined && (typeof exp !== 'number' || exp + leewaySeconds <= nowSeconds)) return { ok: false, reason: 'expired' };
	return { ok: true, claims: claims as JwtClaims };
}
