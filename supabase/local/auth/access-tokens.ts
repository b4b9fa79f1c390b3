// Access tokens with Supabase's claims (signed with the current asymmetric key, else HS256), and reading the bearer token
// of a request the way GoTrue's requireAuthentication does.
import { signJwt, verifyJwt, type JwtClaims } from '../jwt.ts';
import type { StackConfig } from '../config.ts';
import { AuthError, forbidden } from './errors.ts';
import type { UserRecord } from './users.ts';

export interface AmrEntry {
	method: string;
	timestamp: number;
}

export function issuerOf(config: StackConfig): string {
	return `${config.apiUrl}/auth/v1`;
}

export function signAccessToken(
	config: StackConfig,
	user: UserRecord,
	sessionId: string,
	amr: AmrEntry[],
	aal: 'aal1' | 'aal2' = 'aal1',
	nowSeconds = Math.floor(Date.now() / 1000)
): { token: string; expiresAt: number } {
	const expiresAt = nowSeconds + config.auth.jwtExpiry;
	const claims: JwtClaims = {
		iss: issuerOf(config),
		sub: user.id,
		aud: user.aud ?? 'authenticated',
		exp: expiresAt,
		iat: nowSeconds,
		email: user.email ?? '',
		phone: user.phone ?? '',
		app_metadata: user.raw_app_meta_data ?? {},
		user_metadata: user.raw_user_meta_data ?? {},
		role: user.role ?? '',
		aal,
		amr,
		session_id: sessionId,
		is_anonymous: user.is_anonymous
	};
	return { token: signJwt(claims, config.jwtKeys), expiresAt };
}

const REASONS: Record<string, string> = {
	malformed: 'token is malformed: could not JSON decode token',
	signature: 'token signature is invalid: signature is invalid',
	expired: 'token has invalid claims: token is expired',
	algorithm: 'token is unverifiable: error while executing keyfunc: unrecognized JWT algorithm'
};

/** Verifies a bearer token; throws no_authorization (none given) or bad_jwt. */
export function verifyBearer(config: StackConfig, token: string | null): JwtClaims {
	if (!token) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
	const result = verifyJwt(token, config.jwtKeys);
	if (!result.ok) throw forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${REASONS[result.reason]}`);
	return result.claims;
}
