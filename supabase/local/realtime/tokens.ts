// Checks a channel's access token the way Realtime does: a valid signature
// and the `role` and `exp` claims are required; the error texts are Realtime's.
import { verifyJwt, type JwtClaims, type JwtKeys } from '../jwt.ts';

export type TokenCheck =
	| { ok: true; claims: JwtClaims & { role: string; exp: number } }
	| { ok: false; code: string; message: string };

export function checkToken(token: string | null, keys: string | JwtKeys, nowSeconds = Date.now() / 1000): TokenCheck {
	if (!token) return { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };
	const result = verifyJwt(token.replace(/\s/g, ''), keys, nowSeconds);
	if (!result.ok) {
		if (result.reason === 'expired') {
			const exp = peekExp(token);
			const ago = exp === null ? 0 : Math.max(0, Math.floor(nowSeconds) - exp);
			return { ok: false, code: 'InvalidJWTToken', message: `Token has expired ${ago} seconds ago` };
		}
		if (result.reason === 'signature' || result.reason === 'algorithm') {
			return { ok: false, code: 'JwtSignatureError', message: 'Failed to validate JWT signature' };
		}
		return { ok: false, code: 'MalformedJWT', message: 'The token provided is not a valid JWT' };
	}
	const { claims } = result;
	if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
		return { ok: false, code: 'InvalidJWTToken', message: 'Fields `role` and `exp` are required in JWT' };
	}
	return { ok: true, claims: claims as JwtClaims & { role: string; exp: number } };
}

function peekExp(token: string): number | null {
	try {
		const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
		return typeof claims.exp === 'number' ? claims.exp : null;
	} catch {
		return null;
	}
}
