// GET /verify (email links: 303 to redirect_to with a code, a session
// fragment or an error fragment) and POST /verify (OTP codes and token
// hashes: a session).
import { z } from 'zod';
import { applyEmailChange, changePassword, clearRecovery, confirmUser, databaseWrite, verifyEmailIdentities } from '../accounts.ts';
import type { AuthContext } from '../context.ts';
import { inTransaction, type Db } from '../db.ts';
import { AuthError, badRequest, forbidden, unprocessable } from '../errors.ts';
import { sendEmpty } from '../../http.ts';
import { clearOneTimeTokens, findOneTimeToken, PKCE_PREFIX, tokenHash, type OneTimeTokenType } from '../one-time-tokens.ts';
import { optionalString, readParams, validateEmail } from '../params.ts';
import { hashPassword, randomPassword } from '../passwords.ts';
import { issueAuthCode } from '../pkce.ts';
import { encodeValues, withFragment, withQuery } from '../redirects.ts';
import { limitByAddress } from '../rate-limits.ts';
import { redirectTarget, reply, type AuthRequest } from '../request.ts';
import { issueSession, type AuthMethod } from '../sessions.ts';
import { findUserByEmail, findUserById, isBanned, refreshProviders, updateUser, type Json, type UserRecord } from '../users.ts';

const SINGLE_CONFIRMATION = 'Confirmation link accepted. Please proceed to confirm link sent to the other email';
const LINK_INVALID = 'Email link is invalid or has expired';
const OTP_INVALID = 'Token has expired or is invalid';

type VerifyType = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change';

const METHOD_OF: Record<VerifyType, AuthMethod> = {
	signup: 'email/signup',
	invite: 'invite',
	magiclink: 'magiclink',
	recovery: 'recovery',
	email_change: 'email_change'
};

const OAUTH_ERROR_OF_STATUS: Record<number, string> = {
	400: 'invalid_request',
	401: 'unauthorized_client',
	403: 'access_denied',
	500: 'server_error',
	503: 'temporarily_unavailable'
};

function isExpired(ctx: AuthContext, sentAt: string | null): boolean {
	return sentAt === null || Date.now() > Date.parse(sentAt) + ctx.config.auth.otpExpiry * 1000;
}

/** verifyTokenHash: the user a link's token belongs to, and the type it resolves to. */
async function userOfTokenHash(ctx: AuthContext, db: Db, hash: string, type: string): Promise<{ user: UserRecord; type: VerifyType }> {
	const types: Record<string, OneTimeTokenType[]> = {
		email: ['confirmation_token', 'recovery_token'],
		signup: ['confirmation_token'],
		invite: ['confirmation_token'],
		recovery: ['recovery_token'],
		magiclink: ['recovery_token'],
		email_change: ['email_change_token_current', 'email_change_token_new']
	};
	if (!types[type]) throw badRequest('validation_failed', 'Invalid email verification type');
	const token = await findOneTimeToken(db, hash, types[type]);
	const user = token ? await findUserById(db, token.user_id, true) : null;
	if (!user) throw forbidden('otp_expired', LINK_INVALID);
	if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
	let resolved = type as VerifyType;
	let sentAt: string | null;
	if (type === 'email') {
		resolved = user.recovery_token === hash ? 'magiclink' : 'signup';
		sentAt = resolved === 'magiclink' ? user.recovery_sent_at : user.confirmation_sent_at;
	} else if (type === 'signup' || type === 'invite') sentAt = user.confirmation_sent_at;
	else if (type === 'recovery' || type === 'magiclink') sentAt = user.recovery_sent_at;
	else sentAt = user.email_change_sent_at;
	if (isExpired(ctx, sentAt)) throw forbidden('otp_expired', LINK_INVALID);
	return { user, type: resolved };
}

function otpMatches(ctx: AuthContext, hash: string, expected: string | null, sentAt: string | null): boolean {
	if (!expected || isExpired(ctx, sentAt)) return false;
	return hash === expected || PKCE_PREFIX + hash === expected;
}

/** verifyUserAndToken: an emailed OTP code checked against the user's stored hash. */
async function userOfOtp(ctx: AuthContext, db: Db, email: string, otp: string, type: string): Promise<{ user: UserRecord; type: VerifyType; hash: string }> {
	if (!['email', 'signup', 'invite', 'recovery', 'magiclink', 'email_change'].includes(type)) {
		throw badRequest('validation_failed', 'Unsupported verification type');
	}
	const hash = tokenHash(email, otp);
	let user: UserRecord | null;
	if (type === 'email_change') {
		const token =
			(await findOneTimeToken(db, hash, ['email_change_token_current', 'email_change_token_new'])) ??
			(await findOneTimeToken(db, PKCE_PREFIX + hash, ['email_change_token_current', 'email_change_token_new']));
		user = token ? await findUserById(db, token.user_id, true) : null;
	} else {
		const found = await findUserByEmail(db, email);
		user = found ? await findUserById(db, found.id, true) : null;
	}
	if (!user) throw forbidden('otp_expired', OTP_INVALID);
	if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
	let resolved = type as VerifyType;
	let valid: boolean;
	if (type === 'email') {
		if (otpMatches(ctx, hash, user.confirmation_token, user.confirmation_sent_at)) {
			valid = true;
			resolved = 'signup';
		} else {
			valid = otpMatches(ctx, hash, user.recovery_token, user.recovery_sent_at);
			resolved = 'magiclink';
		}
	} else if (type === 'signup' || type === 'invite') valid = otpMatches(ctx, hash, user.confirmation_token, user.confirmation_sent_at);
	else if (type === 'recovery' || type === 'magiclink') valid = otpMatches(ctx, hash, user.recovery_token, user.recovery_sent_at);
	else {
		valid =
			otpMatches(ctx, hash, user.email_change_token_current, user.email_change_sent_at) ||
			otpMatches(ctx, hash, user.email_change_token_new, user.email_change_sent_at);
	}
	if (!valid) throw forbidden('otp_expired', OTP_INVALID);
	return { user, type: resolved, hash };
}

/**
 * What following the link does to the account. Returns null when this was
 * the first of two email-change confirmations.
 */
async function applyVerification(ctx: AuthContext, db: Db, user: UserRecord, type: VerifyType, hash: string): Promise<UserRecord | null> {
	let updated: UserRecord;
	switch (type) {
		case 'signup':
		case 'invite': {
			updated = user;
			if (!user.encrypted_password && user.invited_at) {
				// Invited users get a random password until they choose one.
				updated = await changePassword(db, user, await hashPassword(randomPassword()), null);
			}
			const toConfirm = updated;
			updated = await databaseWrite('Error confirming user', () => confirmUser(db, toConfirm));
			await verifyEmailIdentities(db, updated);
			break;
		}
		case 'recovery':
		case 'magiclink': {
			updated = await clearRecovery(db, user);
			if (!updated.email_confirmed_at) {
				const toConfirm = updated;
				updated = await databaseWrite('Database error updating user', () => confirmUser(db, toConfirm));
			}
			break;
		}
		case 'email_change': {
			const secure = ctx.config.auth.enableConfirmations && ctx.config.auth.doubleConfirmChanges && (user.email ?? '') !== '';
			if (secure && (user.email_change_confirm_status ?? 0) === 0) {
				const changes: Record<string, string | number> = { email_change_confirm_status: 1 };
				if (hash === user.email_change_token_current || PKCE_PREFIX + hash === user.email_change_token_current) {
					changes.email_change_token_current = '';
					await clearOneTimeTokens(db, user.id, 'email_change_token_current');
				} else {
					changes.email_change_token_new = '';
					await clearOneTimeTokens(db, user.id, 'email_change_token_new');
				}
				await updateUser(db, user.id, changes);
				return null;
			}
			updated = await databaseWrite('Error confirm email', () => applyEmailChange(db, user));
			break;
		}
	}
	return refreshProviders(db, updated);
}

const postBody = z.looseObject({
	type: optionalString,
	token: optionalString,
	token_hash: optionalString,
	email: optionalString,
	phone: optionalString,
	redirect_to: optionalString
});

export async function verifyPost(ctx: AuthContext, request: AuthRequest): Promise<void> {
	// Every guess, right or wrong, draws on the address's token_verifications bucket: there is no
	// per-code attempt counter in GoTrue, so this is what stops an OTP being brute-forced.
	limitByAddress(ctx.limiters.verify, request.clientAddress);
	const params = await readParams(request.req, postBody);
	if (params.type === '') throw badRequest('validation_failed', 'Verify requires a verification type');
	if ((params.token === '') === (params.token_hash === '')) throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
	let email = '';
	if (params.token !== '') {
		if (params.phone !== '' && params.email === '') throw forbidden('otp_expired', OTP_INVALID);
		if (params.email === '' || params.phone !== '') {
			throw badRequest('validation_failed', 'Only an email address or phone number should be provided on verify');
		}
		try {
			email = validateEmail(params.email);
		} catch {
			throw unprocessable('validation_failed', 'Invalid email format');
		}
	} else if (params.email !== '' || params.phone !== '' || params.redirect_to !== '') {
		throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
	}
	const body = await inTransaction(ctx.pool, async (db): Promise<Json> => {
		const found =
			params.token_hash !== ''
				? { ...(await userOfTokenHash(ctx, db, params.token_hash, params.type)), hash: params.token_hash }
				: await userOfOtp(ctx, db, email, params.token, params.type);
		const user = await applyVerification(ctx, db, found.user, found.type, found.hash);
		if (!user) return { code: '200', msg: SINGLE_CONFIRMATION };
		return issueSession(ctx, db, user, 'otp', request.req);
	});
	reply(request, 200, body);
}

function redirect(request: AuthRequest, location: string): void {
	sendEmpty(request.res, 303, { Location: location, 'Content-Length': '0' });
}

export async function verifyGet(ctx: AuthContext, request: AuthRequest): Promise<void> {
	limitByAddress(ctx.limiters.verify, request.clientAddress);
	const token = request.url.searchParams.get('token') ?? '';
	const type = request.url.searchParams.get('type') ?? '';
	const redirectTo = redirectTarget(ctx, request);
	if (type === '') throw badRequest('validation_failed', 'Verify requires a verification type');
	if (token === '') throw badRequest('validation_failed', 'Verify requires a token or a token hash');
	const pkce = token.startsWith(PKCE_PREFIX);
	let location: string;
	try {
		location = await inTransaction(ctx.pool, async (db) => {
			const found = await userOfTokenHash(ctx, db, token, type);
			const user = await applyVerification(ctx, db, found.user, found.type, token);
			if (!user) {
				const message = { message: SINGLE_CONFIRMATION, sb: '' };
				return withFragment(redirectTo, message, pkce ? { message: SINGLE_CONFIRMATION } : undefined);
			}
			if (pkce) {
				const code = await issueAuthCode(db, user.id, METHOD_OF[found.type]);
				return withQuery(redirectTo, { code });
			}
			const session = await issueSession(ctx, db, user, 'otp', request.req);
			const fragment = {
				access_token: String(session.access_token),
				token_type: 'bearer',
				expires_in: String(session.expires_in),
				expires_at: String(session.expires_at),
				refresh_token: String(session.refresh_token),
				type,
				sb: ''
			};
			return `${redirectTo}#${encodeValues(fragment)}`;
		});
	} catch (error) {
		if (!(error instanceof AuthError)) throw error;
		const fragment: Record<string, string> = { error_code: error.code, error_description: error.message, sb: '' };
		const query: Record<string, string> = { error_code: error.code, error_description: error.message };
		const oauthError = OAUTH_ERROR_OF_STATUS[error.status];
		if (oauthError) {
			fragment.error = oauthError;
			query.error = oauthError;
		}
		location = withFragment(redirectTo, fragment, pkce ? query : undefined);
	}
	redirect(request, location);
}

