// POST /signup: email + password accounts, confirmed at once when email
// confirmations are off, else sent a confirmation email (PKCE or implicit).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { confirmUser, createEmailUser, databaseWrite, EMAIL_PROVIDER_METADATA } from '../accounts.ts';
import { AUDIENCE, type AuthContext } from '../context.ts';
import { inTransaction } from '../db.ts';
import { sendConfirmation } from '../email-actions.ts';
import { badRequest, unprocessable } from '../errors.ts';
import { jsonObject, optionalString, readParams, validateEmail } from '../params.ts';
import { checkPasswordStrength, hashPassword } from '../passwords.ts';
import { createFlowState, validatePkceParams, type PkceParams } from '../pkce.ts';
import { limitByAddress } from '../rate-limits.ts';
import { redirectTarget, reply, userResponse, type AuthRequest } from '../request.ts';
import { issueSession } from '../sessions.ts';
import { findUserById, findUserByEmail, insertUser, updateUser, type Json } from '../users.ts';

const signupBody = z.looseObject({
	email: optionalString,
	phone: optionalString,
	password: optionalString,
	data: jsonObject.nullish(),
	code_challenge: optionalString,
	code_challenge_method: optionalString
});

export interface SignupInput {
	email: string;
	password: string;
	data: Json;
	pkce: PkceParams;
}

class AlreadyRegistered extends Error {}

/** A stand-in user for a repeated signup, so the answer does not reveal that the address is taken. */
function obfuscatedUser(email: string, data: Json): Json {
	const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
	return {
		id: randomUUID(),
		aud: AUDIENCE,
		role: '',
		email,
		phone: '',
		confirmation_sent_at: now,
		app_metadata: { ...EMAIL_PROVIDER_METADATA },
		user_metadata: data,
		identities: [],
		created_at: now,
		updated_at: now,
		is_anonymous: false
	};
}

/** GoTrue's Signup for the email provider; returns the response body (a session or a user). */
export async function signupWithEmail(ctx: AuthContext, request: AuthRequest, input: SignupInput): Promise<Json> {
	if (input.password === '') throw badRequest('validation_failed', 'Signup requires a valid password');
	checkPasswordStrength(input.password, ctx.config.auth);
	const flow = validatePkceParams(input.pkce);
	const email = validateEmail(input.email);
	const autoconfirm = !ctx.config.auth.enableConfirmations;
	const existing = await findUserByEmail(ctx.pool, email);
	// Hashed whether or not the address is taken, so a repeated signup costs
	// the same bcrypt work as a new one and its answer time does not tell them
	// apart (GoTrue hashes for new addresses only; see the README's security notes).
	const hashed = await hashPassword(input.password);
	const encryptedPassword = existing ? '' : hashed;
	const redirectTo = redirectTarget(ctx, request);
	try {
		return await inTransaction(ctx.pool, async (db) => {
			let user = existing ? await findUserById(db, existing.id, true) : null;
			if (user?.email_confirmed_at) throw new AlreadyRegistered();
			user ??= await createEmailUser(db, { email, encryptedPassword, userMetadata: input.data, metadataFromIdentity: true });
			if (!user.email_confirmed_at) {
				if (autoconfirm) {
					const unconfirmed = user;
					user = await databaseWrite('Database error updating user', () => confirmUser(db, unconfirmed));
				} else {
					if (flow === 'pkce') await createFlowState(db, user.id, 'email', 'email/signup', input.pkce);
					user = await sendConfirmation(ctx, db, user, flow, redirectTo);
				}
			}
			if (user.email_confirmed_at) return issueSession(ctx, db, user, 'password', request.req);
			const body = await userResponse(db, user);
			if (user.invited_at) {
				body.user_metadata = {};
				body.identities = [];
			}
			return body;
		});
	} catch (error) {
		if (!(error instanceof AlreadyRegistered)) throw error;
		if (autoconfirm) throw unprocessable('user_already_exists', 'User already registered');
		return obfuscatedUser(email, input.data);
	}
}

/** GoTrue's SignupAnonymously: a user with no email or identity, signed in at once (amr "anonymous"). */
async function signupAnonymously(ctx: AuthContext, request: AuthRequest, data: Json): Promise<Json> {
	if (!ctx.config.auth.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
	return inTransaction(ctx.pool, async (db) => {
		const created = await insertUser(db, { email: null, encryptedPassword: '', userMetadata: data, appMetadata: {}, isAnonymous: true });
		// GoTrue sets the role with the user's first update.
		const user = await updateUser(db, created.id, { role: AUDIENCE });
		return issueSession(ctx, db, user, 'anonymous', request.req);
	});
}

export async function signup(ctx: AuthContext, request: AuthRequest): Promise<void> {
	// GoTrue's order: the body, the anonymous check, then the sign-up limit of the client's address.
	const params = await readParams(request.req, signupBody);
	if (params.email === '' && params.phone === '') {
		if (!ctx.config.auth.anonymousSignIns) throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
		limitByAddress(ctx.limiters.anonymous, request.clientAddress);
		reply(request, 200, await signupAnonymously(ctx, request, params.data ?? {}));
		return;
	}
	limitByAddress(ctx.limiters.signups, request.clientAddress);
	if (!ctx.config.auth.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
	if (params.email !== '' && params.phone !== '') {
		throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
	}
	if (params.phone !== '') {
		if (params.password === '') throw badRequest('validation_failed', 'Signup requires a valid password');
		throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
	}
	const body = await signupWithEmail(ctx, request, {
		email: params.email,
		password: params.password,
		data: params.data ?? {},
		pkce: { codeChallenge: params.code_challenge, codeChallengeMethod: params.code_challenge_method }
	});
	reply(request, 200, body);
}
