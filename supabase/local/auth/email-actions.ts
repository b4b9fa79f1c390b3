// The emails that carry a one-time token (confirmation, invite, magic link,
// recovery, email change, reauthentication): spacing per user, the
// project's email quota, new OTP and token hash, the email itself, then the
// user's *_token column and one_time_tokens.
import type { AuthContext } from './context.ts';
import type { Db } from './db.ts';
import { AuthError, internal } from './errors.ts';
import type { EmailData, EmailKind } from './email-templates.ts';
import { RecipientRefused } from './mailer.ts';
import { createOneTimeToken, generateOtp, tokenHash, withFlowPrefix, type FlowType } from './one-time-tokens.ts';
import { countEmail } from './rate-limits.ts';
import { encodeValues } from './redirects.ts';
import { NOW, updateUser, type UserRecord } from './users.ts';

export function verifyUrl(ctx: AuthContext, hash: string, type: string, redirectTo: string): string {
	// GoTrue writes token, type, redirect_to in this order.
	const query = ['token', 'type', 'redirect_to'].map((k) => encodeValues({ [k]: { token: hash, type, redirect_to: redirectTo }[k] as string })).join('&');
	return `${ctx.config.apiUrl}/auth/v1/verify?${query}`;
}

/** GoTrue's max_frequency check on the user's last email of this kind. */
export function checkEmailFrequency(ctx: AuthContext, sentAt: string | null): void {
	if (!sentAt) return;
	const frequencyMs = ctx.config.auth.maxFrequencySeconds * 1000;
	const readyAt = Date.parse(sentAt) + frequencyMs;
	const now = Date.now();
	if (readyAt > now) {
		const seconds = Math.floor((readyAt - now) / 1000);
		throw new AuthError(429, 'over_email_send_rate_limit', `For security purposes, you can only request this after ${seconds} seconds.`);
	}
}

/** The project-wide email quota (email_sent), checked once per email action as GoTrue's sendEmail does. */
function countOneEmail(ctx: AuthContext): void {
	countEmail(ctx.limiters, !ctx.config.auth.enableConfirmations);
}

async function deliver(ctx: AuthContext, to: string, data: EmailData, failure: string): Promise<void> {
	try {
		await ctx.mailer.send(to, data);
	} catch (error) {
		if (error instanceof RecipientRefused) throw new AuthError(400, 'email_address_invalid', `Email address "${to}" is invalid`);
		ctx.log(`sending ${data.kind} email to ${to} failed: ${error instanceof Error ? error.message : String(error)}`);
		throw internal(failure);
	}
}

interface TokenEmail {
	kind: EmailKind;
	linkType: string;
	column: 'confirmation_token' | 'recovery_token';
	sentAtColumn: 'confirmation_sent_at' | 'recovery_sent_at';
	failure: string;
	rateLimited: boolean;
	extra?: Record<string, typeof NOW>;
}

async function sendTokenEmail(ctx: AuthContext, db: Db, user: UserRecord, flow: FlowType, redirectTo: string, spec: TokenEmail): Promise<UserRecord> {
	const email = user.email ?? '';
	if (spec.rateLimited) checkEmailFrequency(ctx, user[spec.sentAtColumn]);
	countOneEmail(ctx);
	const otp = generateOtp(ctx.config.auth.otpLength);
	const hash = withFlowPrefix(tokenHash(email, otp), flow);
	await deliver(
		ctx,
		email,
		{ kind: spec.kind, confirmationUrl: verifyUrl(ctx, hash, spec.linkType, redirectTo), otp, siteUrl: ctx.config.auth.siteUrl, email },
		spec.failure
	);
	const updated = await updateUser(db, user.id, { [spec.column]: hash, [spec.sentAtColumn]: NOW, ...spec.extra });
	await createOneTimeToken(db, user.id, spec.column, hash, email);
	return updated;
}

export function sendConfirmation(ctx: AuthContext, db: Db, user: UserRecord, flow: FlowType, redirectTo: string): Promise<UserRecord> {
	return sendTokenEmail(ctx, db, user, flow, redirectTo, {
		kind: 'signup',
		linkType: 'signup',
		column: 'confirmation_token',
		sentAtColumn: 'confirmation_sent_at',
		failure: 'Error sending confirmation email',
		rateLimited: true
	});
}

export function sendInvite(ctx: AuthContext, db: Db, user: UserRecord, redirectTo: string): Promise<UserRecord> {
	return sendTokenEmail(ctx, db, user, 'implicit', redirectTo, {
		kind: 'invite',
		linkType: 'invite',
		column: 'confirmation_token',
		sentAtColumn: 'confirmation_sent_at',
		failure: 'Error sending invite email',
		rateLimited: false,
		extra: { invited_at: NOW }
	});
}

export function sendRecovery(ctx: AuthContext, db: Db, user: UserRecord, flow: FlowType, redirectTo: string): Promise<UserRecord> {
	return sendTokenEmail(ctx, db, user, flow, redirectTo, {
		kind: 'recovery',
		linkType: 'recovery',
		column: 'recovery_token',
		sentAtColumn: 'recovery_sent_at',
		failure: 'Error sending recovery email',
		rateLimited: true
	});
}

export function sendMagicLink(ctx: AuthContext, db: Db, user: UserRecord, flow: FlowType, redirectTo: string): Promise<UserRecord> {
	return sendTokenEmail(ctx, db, user, flow, redirectTo, {
		kind: 'magiclink',
		linkType: 'magiclink',
		column: 'recovery_token',
		sentAtColumn: 'recovery_sent_at',
		failure: 'Error sending magic link email',
		rateLimited: true
	});
}

/**
 * Email change: a link to the new address and, with double_confirm_changes
 * (GoTrue's secure email change), one to the current address too.
 */
export async function sendEmailChange(ctx: AuthContext, db: Db, user: UserRecord, newEmail: string, flow: FlowType, redirectTo: string): Promise<UserRecord> {
	checkEmailFrequency(ctx, user.email_change_sent_at);
	countOneEmail(ctx);
	const currentEmail = user.email ?? '';
	const otpNew = generateOtp(ctx.config.auth.otpLength);
	const hashNew = withFlowPrefix(tokenHash(newEmail, otpNew), flow);
	const secure = ctx.config.auth.doubleConfirmChanges && currentEmail !== '';
	const otpCurrent = secure ? generateOtp(ctx.config.auth.otpLength) : '';
	const hashCurrent = secure ? withFlowPrefix(tokenHash(currentEmail, otpCurrent), flow) : '';
	const base = { kind: 'email_change' as const, siteUrl: ctx.config.auth.siteUrl, email: currentEmail, newEmail };
	const sends = [deliver(ctx, newEmail, { ...base, otp: otpNew, confirmationUrl: verifyUrl(ctx, hashNew, 'email_change', redirectTo) }, 'Error sending email change email')];
	if (secure) {
		sends.push(deliver(ctx, currentEmail, { ...base, otp: otpCurrent, confirmationUrl: verifyUrl(ctx, hashCurrent, 'email_change', redirectTo) }, 'Error sending email change email'));
	}
	await Promise.all(sends);
	const updated = await updateUser(db, user.id, {
		email_change: newEmail,
		email_change_token_new: hashNew,
		email_change_token_current: hashCurrent,
		email_change_sent_at: NOW,
		email_change_confirm_status: 0
	});
	if (hashCurrent) await createOneTimeToken(db, user.id, 'email_change_token_current', hashCurrent, currentEmail);
	await createOneTimeToken(db, user.id, 'email_change_token_new', hashNew, newEmail);
	return updated;
}

/**
 * GET /reauthenticate's email: a code (no link) for the user's own address,
 * which PUT /user then takes as `nonce` for a password change.
 */
export async function sendReauthentication(ctx: AuthContext, db: Db, user: UserRecord): Promise<UserRecord> {
	const email = user.email ?? '';
	checkEmailFrequency(ctx, user.reauthentication_sent_at);
	countOneEmail(ctx);
	const otp = generateOtp(ctx.config.auth.otpLength);
	const hash = tokenHash(email, otp);
	await deliver(ctx, email, { kind: 'reauthentication', confirmationUrl: '', otp, siteUrl: ctx.config.auth.siteUrl, email }, 'Error sending reauthentication email');
	const updated = await updateUser(db, user.id, { reauthentication_token: hash, reauthentication_sent_at: NOW });
	await createOneTimeToken(db, user.id, 'reauthentication_token', hash, email);
	return updated;
}
