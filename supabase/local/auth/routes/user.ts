// GET /user, PUT /user, GET /reauthenticate and POST /logout: what a
// signed-in user does with their own account.
import { z } from 'zod';
import { applyEmailChange, changePassword, databaseWrite } from '../accounts.ts';
import type { AuthContext } from '../context.ts';
import { inTransaction, type Db } from '../db.ts';
import { sendEmailChange, sendReauthentication } from '../email-actions.ts';
import { AuthError, badRequest, forbidden, unprocessable } from '../errors.ts';
import { clearOneTimeTokens, PKCE_PREFIX, tokenHash } from '../one-time-tokens.ts';
import { sendEmpty } from '../../http.ts';
import { requireUser } from '../guard.ts';
import { jsonObject, optionalString, readParams, validateEmail } from '../params.ts';
import { checkPasswordStrength, hashPassword, passwordMatches } from '../passwords.ts';
import { createFlowState, validatePkceParams } from '../pkce.ts';
import { limitByAddress } from '../rate-limits.ts';
import { redirectTarget, reply, userResponse, type AuthRequest } from '../request.ts';
import { logout as endSessions, type LogoutScope } from '../sessions.ts';
import { findUserByEmail, findUserById, mergeMetadata, updateUser, type UserRecord } from '../users.ts';

export async function getUser(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const caller = await requireUser(ctx, request.token);
	const aud = caller.claims.aud;
	const audience = Array.isArray(aud) ? aud[0] : aud;
	if (audience !== caller.user.aud) throw badRequest('validation_failed', "Token audience doesn't match request audience");
	reply(request, 200, await userResponse(ctx.pool, caller.user));
}

const updateBody = z.looseObject({
	email: optionalString,
	password: z.string().nullish(),
	current_password: z.string().nullish(),
	nonce: optionalString,
	data: jsonObject.nullish(),
	app_metadata: jsonObject.nullish(),
	phone: optionalString,
	code_challenge: optionalString,
	code_challenge_method: optionalString
});

/** How long after signing in a session may change its password without a nonce (GoTrue: 24 h). */
const RECENT_SIGN_IN_SECONDS = 24 * 60 * 60;
const INVALID_NONCE = 'Nonce has expired or is invalid';

async function signedInRecently(db: Db, sessionId: string | null): Promise<boolean> {
	if (!sessionId) return false;
	const { rows } = await db.query<{ recent: boolean }>(
		'select created_at + make_interval(secs => $2) > now() as recent from auth.sessions where id = $1',
		[sessionId, RECENT_SIGN_IN_SECONDS]
	);
	return rows[0]?.recent === true;
}

/**
 * secure_password_change: a session that signed in over 24 h ago (or a token
 * with no session) must bring the code GET /reauthenticate emailed, as
 * `nonce`. A good nonce is spent; a wrong one is refused and stays unspent.
 */
async function requireReauthentication(ctx: AuthContext, db: Db, user: UserRecord, sessionId: string | null, nonce: string): Promise<void> {
	if (await signedInRecently(db, sessionId)) return;
	if (nonce === '') throw badRequest('reauthentication_needed', 'Password update requires reauthentication');
	const expected = user.reauthentication_token ?? '';
	const sentAt = user.reauthentication_sent_at;
	const hash = tokenHash(user.email ?? '', nonce);
	const fresh = sentAt !== null && Date.now() <= Date.parse(sentAt) + ctx.config.auth.otpExpiry * 1000;
	if (expected === '' || !fresh || (hash !== expected && PKCE_PREFIX + hash !== expected)) {
		throw unprocessable('reauthentication_not_valid', INVALID_NONCE);
	}
	await updateUser(db, user.id, { reauthentication_token: '' });
	await clearOneTimeTokens(db, user.id);
}

export async function updateUserRoute(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const caller = await requireUser(ctx, request.token);
	limitByAddress(ctx.limiters.user, request.clientAddress);
	const params = await readParams(request.req, updateBody);
	const email = params.email !== '' ? validateEmail(params.email) : '';
	const password = params.password ?? null;
	if (password !== null) checkPasswordStrength(password, ctx.config.auth);
	if (params.phone !== '') throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
	if (params.app_metadata) throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
	const flow = validatePkceParams({ codeChallenge: params.code_challenge, codeChallengeMethod: params.code_challenge_method });
	const current = caller.user;
	// GoTrue: with a verified factor, changing the email or password needs an aal2 session.
	if ((password !== null && password !== '') || (email !== '' && email !== current.email)) {
		const { rows } = await ctx.pool.query<{ mfa: boolean; aal2: boolean }>(
			`select exists (select from auth.mfa_factors f where f.user_id = $1 and f.status = 'verified') as mfa,
			        exists (select from auth.sessions s where s.id = $2 and s.aal = 'aal2') as aal2`,
			[current.id, caller.sessionId]
		);
		if (rows[0].mfa && !rows[0].aal2) throw new AuthError(401, 'insufficient_aal', 'AAL2 session is required to update email or password when MFA is enabled.');
	}
	if (current.is_anonymous && password !== null && password !== '' && email === '') {
		throw unprocessable('validation_failed', 'Updating password of an anonymous user without an email or phone is not allowed');
	}
	const changingEmail = email !== '' && email !== current.email;
	if (changingEmail) {
		const other = await findUserByEmail(ctx.pool, email);
		if (other && other.id !== current.id) throw unprocessable('email_exists', 'A user with this email address has already been registered');
	}
	if (password !== null && ctx.config.auth.securePasswordChange) {
		await inTransaction(ctx.pool, async (db) => {
			const locked = (await findUserById(db, current.id, true)) ?? current;
			await requireReauthentication(ctx, db, locked, caller.sessionId, params.nonce);
		});
	}
	let encryptedPassword: string | null = null;
	if (password !== null) {
		if (password !== '' && (await passwordMatches(password, current.encrypted_password))) {
			throw unprocessable('same_password', 'New password should be different from the old password.');
		}
		encryptedPassword = password === '' ? '' : await hashPassword(password);
	}
	const redirectTo = redirectTarget(ctx, request);
	const body = await inTransaction(ctx.pool, async (db) => {
		let user = (await findUserById(db, current.id, true)) ?? current;
		if (encryptedPassword !== null) {
			const before = user;
			user = await databaseWrite('Error during password storage', () => changePassword(db, before, encryptedPassword, caller.sessionId));
		}
		if (params.data) {
			const data = params.data;
			const before = user;
			user = await databaseWrite('Error updating user', () => updateUser(db, before.id, { raw_user_meta_data: mergeMetadata(before.raw_user_meta_data, data) }));
		}
		if (changingEmail) {
			if (flow === 'pkce') {
				await createFlowState(db, user.id, 'email_change', 'email_change', {
					codeChallenge: params.code_challenge,
					codeChallengeMethod: params.code_challenge_method
				});
			}
			if (user.is_anonymous && !ctx.config.auth.enableConfirmations) {
				// GoTrue: an anonymous user adding an email under autoconfirm is like a sign-up, confirmed at once.
				const linking = await updateUser(db, user.id, { email_change: email });
				user = await databaseWrite('Error confirm email', () => applyEmailChange(db, linking));
			} else {
				user = await sendEmailChange(ctx, db, user, email, flow, redirectTo);
			}
		}
		return userResponse(db, user);
	});
	reply(request, 200, body);
}

/** GET /reauthenticate: emails the signed-in user a code to pass as `nonce` when changing the password. */
export async function reauthenticateRoute(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const caller = await requireUser(ctx, request.token);
	const user = caller.user;
	if (!user.email && !user.phone) {
		throw badRequest('validation_failed', 'Reauthentication requires the user to have an email or a phone number');
	}
	if (!user.email) throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
	if (!user.email_confirmed_at) throw unprocessable('email_not_confirmed', 'Please verify your email first.');
	await inTransaction(ctx.pool, async (db) => {
		const locked = (await findUserById(db, user.id, true)) ?? user;
		await sendReauthentication(ctx, db, locked);
	});
	reply(request, 200, {});
}

export async function logoutRoute(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const caller = await requireUser(ctx, request.token);
	const scope = request.url.searchParams.get('scope') ?? '';
	if (!['', 'global', 'local', 'others'].includes(scope)) throw badRequest('validation_failed', `Unsupported logout scope "${scope}"`);
	await inTransaction(ctx.pool, (db) => endSessions(db, caller.user.id, caller.sessionId, (scope || 'global') as LogoutScope));
	sendEmpty(request.res, 204);
}
