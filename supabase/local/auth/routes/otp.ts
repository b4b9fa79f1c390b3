// POST /otp and /magiclink (sign in by emailed link or code, signing up
// unknown addresses unless create_user is false), POST /recover (password
// reset email) and POST /resend.
import { z } from 'zod';
import type { AuthContext } from '../context.ts';
import { inTransaction } from '../db.ts';
import { sendConfirmation, sendEmailChange, sendMagicLink, sendRecovery } from '../email-actions.ts';
import { badRequest, unprocessable } from '../errors.ts';
import { jsonObject, optionalString, readParams, validateEmail } from '../params.ts';
import { randomPassword } from '../passwords.ts';
import { createFlowState, validatePkceParams, type PkceParams } from '../pkce.ts';
import { limitByAddress } from '../rate-limits.ts';
import { redirectTarget, reply, type AuthRequest } from '../request.ts';
import { findUserByEmail, findUserById, type Json } from '../users.ts';
import { signupWithEmail } from './signup.ts';

const otpBody = z.looseObject({
	email: optionalString,
	phone: optionalString,
	create_user: z.boolean().nullish(),
	data: jsonObject.nullish(),
	channel: optionalString,
	code_challenge: optionalString,
	code_challenge_method: optionalString
});

/** Sends a magic link (and code) to an existing, confirmed address; signs up anything else. */
async function magicLink(ctx: AuthContext, request: AuthRequest, email: string, data: Json, pkce: PkceParams): Promise<void> {
	const flow = validatePkceParams(pkce);
	const user = await findUserByEmail(ctx.pool, email);
	if (!user || !user.email_confirmed_at) {
		if (!ctx.config.auth.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
		await signupWithEmail(ctx, request, { email, password: randomPassword(), data, pkce });
		// With confirmations off the signup confirmed the address: now send the link itself.
		if (!ctx.config.auth.enableConfirmations) return magicLink(ctx, request, email, data, pkce);
		return;
	}
	const redirectTo = redirectTarget(ctx, request);
	await inTransaction(ctx.pool, async (db) => {
		if (flow === 'pkce') await createFlowState(db, user.id, 'magiclink', 'magiclink', pkce);
		const locked = (await findUserById(db, user.id, true)) ?? user;
		await sendMagicLink(ctx, db, locked, flow, redirectTo);
	});
}

export async function otp(ctx: AuthContext, request: AuthRequest): Promise<void> {
	limitByAddress(ctx.limiters.otp, request.clientAddress);
	const params = await readParams(request.req, otpBody);
	if (params.email !== '' && params.phone !== '') throw badRequest('validation_failed', 'Only an email address or phone number should be provided');
	if (params.email !== '' && params.channel !== '') throw badRequest('validation_failed', 'Channel should only be specified with Phone OTP');
	const pkce = { codeChallenge: params.code_challenge, codeChallengeMethod: params.code_challenge_method };
	validatePkceParams(pkce);
	if (params.phone !== '') throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
	if (params.email === '') throw badRequest('validation_failed', 'One of email or phone must be set');
	const email = validateEmail(params.email);
	if (params.create_user === false && !(await findUserByEmail(ctx.pool, email))) {
		throw unprocessable('otp_disabled', 'Signups not allowed for otp');
	}
	await magicLink(ctx, request, email, params.data ?? {}, pkce);
	reply(request, 200, {});
}

const magicLinkBody = z.looseObject({ email: optionalString, data: jsonObject.nullish(), code_challenge: optionalString, code_challenge_method: optionalString });

export async function magicLinkRoute(ctx: AuthContext, request: AuthRequest): Promise<void> {
	limitByAddress(ctx.limiters.magicLink, request.clientAddress);
	const params = await readParams(request.req, magicLinkBody);
	if (params.email === '') throw unprocessable('validation_failed', 'Password recovery requires an email');
	const email = validateEmail(params.email);
	await magicLink(ctx, request, email, params.data ?? {}, { codeChallenge: params.code_challenge, codeChallengeMethod: params.code_challenge_method });
	reply(request, 200, {});
}

const recoverBody = z.looseObject({ email: optionalString, code_challenge: optionalString, code_challenge_method: optionalString });

export async function recover(ctx: AuthContext, request: AuthRequest): Promise<void> {
	limitByAddress(ctx.limiters.recover, request.clientAddress);
	const params = await readParams(request.req, recoverBody);
	if (params.email === '') throw badRequest('validation_failed', 'Password recovery requires an email');
	const email = validateEmail(params.email);
	const pkce = { codeChallenge: params.code_challenge, codeChallengeMethod: params.code_challenge_method };
	const flow = validatePkceParams(pkce);
	const user = await findUserByEmail(ctx.pool, email);
	// Unknown addresses get the same answer, so the endpoint does not reveal who has an account.
	if (user) {
		const redirectTo = redirectTarget(ctx, request);
		await inTransaction(ctx.pool, async (db) => {
			if (flow === 'pkce') await createFlowState(db, user.id, 'recovery', 'recovery', pkce);
			const locked = (await findUserById(db, user.id, true)) ?? user;
			await sendRecovery(ctx, db, locked, flow, redirectTo);
		});
	}
	reply(request, 200, {});
}

const resendBody = z.looseObject({ type: optionalString, email: optionalString, phone: optionalString, code_challenge: optionalString, code_challenge_method: optionalString });

export async function resend(ctx: AuthContext, request: AuthRequest): Promise<void> {
	limitByAddress(ctx.limiters.resend, request.clientAddress);
	const params = await readParams(request.req, resendBody);
	if (!['signup', 'email_change'].includes(params.type)) {
		throw badRequest('validation_failed', `Missing one of these types: signup, email_change, sms, phone_change`);
	}
	if (params.email === '') throw badRequest('validation_failed', 'Type provided requires an email address');
	const email = validateEmail(params.email);
	const pkce = { codeChallenge: params.code_challenge, codeChallengeMethod: params.code_challenge_method };
	const flow = validatePkceParams(pkce);
	const user = params.type === 'signup' ? await findUserByEmail(ctx.pool, email) : await findUserWithPendingEmail(ctx, email);
	if (!user) {
		reply(request, 200, {});
		return;
	}
	if (params.type === 'signup' && user.email_confirmed_at) throw badRequest('email_exists', 'Email address already confirmed');
	const redirectTo = redirectTarget(ctx, request);
	await inTransaction(ctx.pool, async (db) => {
		const locked = (await findUserById(db, user.id, true)) ?? user;
		if (params.type === 'signup') {
			if (flow === 'pkce') await createFlowState(db, user.id, 'email', 'email/signup', pkce);
			await sendConfirmation(ctx, db, locked, flow, redirectTo);
		} else {
			if (flow === 'pkce') await createFlowState(db, user.id, 'email_change', 'email_change', pkce);
			await sendEmailChange(ctx, db, locked, locked.email_change ?? '', flow, redirectTo);
		}
	});
	reply(request, 200, {});
}

async function findUserWithPendingEmail(ctx: AuthContext, email: string) {
	const { rows } = await ctx.pool.query<{ id: string }>('select id from auth.users where lower(email_change) = lower($1) limit 1', [email]);
	return rows[0] ? findUserById(ctx.pool, rows[0].id) : null;
}
