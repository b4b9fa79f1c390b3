// Sessions (auth.sessions), their refresh tokens (auth.refresh_tokens,
// opaque strings rotated on every refresh) and how they were authenticated
// (auth.mfa_amr_claims), issued and refreshed like GoTrue's token service.
import type { IncomingMessage } from 'node:http';
import { randomInt, randomUUID } from 'node:crypto';
import type { AuthContext } from './context.ts';
import { inTransaction, type Db } from './db.ts';
import { signAccessToken, type AmrEntry } from './access-tokens.ts';
import { AuthError, OAuthError, badRequest } from './errors.ts';
import { sessionJson } from './serialize.ts';
import { findUserById, identitiesOf, isBanned, updateUser, NOW, type Json, type Queryable, type UserRecord } from './users.ts';
import { userJson } from './serialize.ts';
import { factorJson, factorsOf } from './mfa.ts';

/** GoTrue's authentication method names (the `amr` claim's `method`). */
export type AuthMethod = 'anonymous' | 'password' | 'otp' | 'magiclink' | 'recovery' | 'invite' | 'email/signup' | 'email_change' | 'token_refresh';

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function newRefreshToken(): string {
	let token = '';
	for (let i = 0; i < 12; i++) token += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
	return token;
}

function clientInfo(req: IncomingMessage): { userAgent: string | null; ip: string | null } {
	const userAgent = req.headers['user-agent'] ?? null;
	const forwarded = req.headers['x-forwarded-for'];
	const raw = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim() || req.socket.remoteAddress || null;
	const ip = raw?.startsWith('::ffff:') ? raw.slice(7) : raw;
	return { userAgent, ip: ip && /^[0-9a-fA-F:.]+$/.test(ip) ? ip : null };
}

async function insertRefreshToken(db: Db, userId: string, sessionId: string, parent: string | null): Promise<string> {
	const token = newRefreshToken();
	await db.query(
		`insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
		 values ('00000000-0000-0000-0000-000000000000', $1, $2, false, now(), now(), $3, $4)`,
		[token, userId, parent, sessionId]
	);
	return token;
}

async function amrOf(db: Queryable, sessionId: string): Promise<AmrEntry[]> {
	const { rows } = await db.query<{ method: string; timestamp: string }>(
		`select authentication_method as method, floor(extract(epoch from updated_at))::bigint as timestamp
		 from auth.mfa_amr_claims where session_id = $1 order by updated_at desc`,
		[sessionId]
	);
	return rows.map((r) => ({ method: r.method, timestamp: Number(r.timestamp) }));
}

async function sessionResponse(ctx: AuthContext, db: Db, user: UserRecord, sessionId: string, refreshToken: string): Promise<Json> {
	const amr = await amrOf(db, sessionId);
	const { rows } = await db.query<{ aal: string | null }>('select aal from auth.sessions where id = $1', [sessionId]);
	const { token, expiresAt } = signAccessToken(ctx.config, user, sessionId, amr, rows[0]?.aal === 'aal2' ? 'aal2' : 'aal1');
	const identities = await identitiesOf(db, user.id);
	const factors = await factorsOf(db, user.id);
	return sessionJson({ accessToken: token, refreshToken, expiresAt, user: userJson(user, identities, factors.map(factorJson)) });
}

/**
 * A new session response for an existing session whose assurance changed
 * (MFA verified): its refresh tokens are revoked and a new one issued, as
 * GoTrue's updateMFASessionAndClaims does.
 */
export async function sessionResponseFor(ctx: AuthContext, db: Db, user: UserRecord, sessionId: string, options: { rotate: boolean }): Promise<Json> {
	let parent: string | null = null;
	if (options.rotate) {
		const { rows } = await db.query<{ token: string }>(
			'update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked = false returning token',
			[sessionId]
		);
		parent = rows.at(-1)?.token ?? null;
	}
	const refreshToken = await insertRefreshToken(db, user.id, sessionId, parent);
	return sessionResponse(ctx, db, user, sessionId, refreshToken);
}

/** Starts a session for `user` inside the caller's transaction and returns the session JSON. */
export async function issueSession(ctx: AuthContext, db: Db, user: UserRecord, method: AuthMethod, req: IncomingMessage): Promise<Json> {
	const sessionId = randomUUID();
	const { userAgent, ip } = clientInfo(req);
	await db.query(
		`insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
		 values ($1, $2, now(), now(), 'aal1', $3, $4)`,
		[sessionId, user.id, userAgent, ip]
	);
	const refreshToken = await insertRefreshToken(db, user.id, sessionId, null);
	const signedIn = await updateUser(db, user.id, { last_sign_in_at: NOW });
	await db.query(
		`insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
		 values ($1, $2, now(), now(), $3)
		 on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey do update set updated_at = now()`,
		[randomUUID(), sessionId, method]
	);
	return sessionResponse(ctx, db, signedIn, sessionId, refreshToken);
}

class TokenReuse extends AuthError {}

/** The refresh_token grant: rotation, the reuse interval, and revocation on reuse. */
export async function refreshSession(ctx: AuthContext, refreshToken: string, req: IncomingMessage): Promise<Json> {
	if (!refreshToken) throw new OAuthError('invalid_request', 'refresh_token required');
	const { refreshTokenRotation, refreshTokenReuseInterval } = ctx.config.auth;
	return inTransaction(
		ctx.pool,
		async (db) => {
			const { rows } = await db.query<{ id: string; token: string; user_id: string; revoked: boolean; session_id: string | null; age: number }>(
				`select id, token, user_id, revoked, session_id, extract(epoch from (now() - updated_at))::float8 as age
				 from auth.refresh_tokens where token = $1 for update`,
				[refreshToken]
			);
			const token = rows[0];
			if (!token) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
			const user = await findUserById(db, token.user_id);
			if (!user) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
			if (isBanned(user)) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
			const session = token.session_id
				? (await db.query<{ id: string }>('select id from auth.sessions where id = $1 for update', [token.session_id])).rows[0]
				: undefined;
			if (!session) {
				await db.query('delete from auth.refresh_tokens where id = $1', [token.id]);
				throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
			}

			let issued: string | null = null;
			if (token.revoked) {
				const active = await db.query<{ token: string; parent: string | null }>(
					'select token, parent from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1',
					[session.id]
				);
				if (active.rows[0] && active.rows[0].parent === token.token) {
					// A parallel refresh already rotated this token: hand out the same child.
					issued = active.rows[0].token;
				} else if (token.age > refreshTokenReuseInterval) {
					if (refreshTokenRotation) {
						// Reuse outside the interval looks like a stolen token: end the whole session (its token family).
						await db.query('delete from auth.sessions where id = $1', [session.id]);
					}
					throw new TokenReuse(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
				}
			}
			if (issued === null) {
				await db.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [token.id]);
				issued = await insertRefreshToken(db, user.id, session.id, token.token);
			}
			const { userAgent, ip } = clientInfo(req);
			await db.query('update auth.sessions set refreshed_at = now() at time zone \'UTC\', updated_at = now(), user_agent = $2, ip = $3 where id = $1', [
				session.id,
				userAgent,
				ip
			]);
			return sessionResponse(ctx, db, user, session.id, issued);
		},
		{ commitOn: (error) => error instanceof TokenReuse }
	);
}

export type LogoutScope = 'global' | 'local' | 'others';

export async function logout(db: Db, userId: string, sessionId: string | null, scope: LogoutScope): Promise<void> {
	if (sessionId && scope === 'local') {
		await db.query('delete from auth.sessions where id = $1', [sessionId]);
	} else if (sessionId && scope === 'others') {
		await db.query('delete from auth.sessions where user_id = $1 and id <> $2', [userId, sessionId]);
	} else {
		await db.query('delete from auth.sessions where user_id = $1', [userId]);
	}
}

export async function sessionExists(db: Queryable, sessionId: string): Promise<boolean> {
	const { rowCount } = await db.query('select 1 from auth.sessions where id = $1', [sessionId]);
	return (rowCount ?? 0) > 0;
}
