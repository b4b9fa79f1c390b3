// Who is calling: the user (and session) behind a bearer token, or an admin
// token, checked the way GoTrue's requireAuthentication and
// requireAdminCredentials check them.
import type { JwtClaims } from '../jwt.ts';
import { verifyBearer } from './access-tokens.ts';
import { ADMIN_ROLES, type AuthContext } from './context.ts';
import { badRequest, forbidden } from './errors.ts';
import { sessionExists } from './sessions.ts';
import { findUserById, isBanned, type UserRecord } from './users.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export interface Caller {
	claims: JwtClaims;
	user: UserRecord;
	/** The session of the token's session_id claim, when it has one. */
	sessionId: string | null;
}

export async function requireUser(ctx: AuthContext, token: string | null): Promise<Caller> {
	const claims = verifyBearer(ctx.config, token);
	const sub = typeof claims.sub === 'string' ? claims.sub : '';
	if (!sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
	if (!UUID.test(sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
	const user = await findUserById(ctx.pool, sub);
	if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
	let sessionId: string | null = null;
	const sid = claims.session_id;
	if (typeof sid === 'string' && sid !== '' && sid !== NIL_UUID) {
		if (!UUID.test(sid)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
		if (!(await sessionExists(ctx.pool, sid))) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
		sessionId = sid;
	}
	if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
	return { claims, user, sessionId };
}

export async function requireAdmin(ctx: AuthContext, token: string | null): Promise<JwtClaims> {
	const claims = verifyBearer(ctx.config, token);
	const sid = claims.session_id;
	if (typeof sid === 'string' && sid !== '' && sid !== NIL_UUID) {
		// A user's token: it must still belong to a live session.
		await requireUser(ctx, token);
	}
	if (!ADMIN_ROLES.includes(String(claims.role ?? ''))) throw forbidden('not_admin', 'User not allowed');
	return claims;
}
