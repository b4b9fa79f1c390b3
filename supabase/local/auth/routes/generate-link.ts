// POST /admin/generate_link: the link and OTP an email would carry, without
// sending the email (signup, invite, magiclink, recovery,
// email_change_current, email_change_new).
import { z } from 'zod';
import { createEmailUser } from '../accounts.ts';
import type { AuthContext } from '../context.ts';
import { inTransaction } from '../db.ts';
import { verifyUrl } from '../email-actions.ts';
import { badRequest, notFound, unprocessable } from '../errors.ts';
import { requireAdmin } from '../guard.ts';
import { createOneTimeToken, generateOtp, tokenHash } from '../one-time-tokens.ts';
import { jsonObject, optionalString, readParams, validateEmail } from '../params.ts';
import { checkPasswordStrength, hashPassword, randomPassword } from '../passwords.ts';
import { isRedirectUrlValid } from '../redirects.ts';
import { redirectTarget, reply, userResponse, type AuthRequest } from '../request.ts';
import { findUserByEmail, findUserById, mergeMetadata, NOW, updateUser, type ColumnValue } from '../users.ts';

const body = z.looseObject({
	type: optionalString,
	email: optionalString,
	new_email: optionalString,
	password: optionalString,
	data: jsonObject.nullish(),
	redirect_to: optionalString
});

const DUPLICATE_EMAIL = 'A user with this email address has already been registered';

export async function generateLink(ctx: AuthContext, request: AuthRequest): Promise<void> {
	await requireAdmin(ctx, request.token);
	const params = await readParams(request.req, body);
	const email = validateEmail(params.email);
	const redirectTo = isRedirectUrlValid(ctx.config, params.redirect_to) ? params.redirect_to : redirectTarget(ctx, request);
	const existing = await findUserByEmail(ctx.pool, email);
	let type = params.type;
	let password = params.password;
	if (!existing) {
		if (type === 'magiclink') {
			type = 'signup';
			password = randomPassword();
		} else if (['recovery', 'email_change_current', 'email_change_new'].includes(type)) {
			throw notFound('user_not_found', 'User with this email not found');
		}
	}
	if (!['signup', 'invite', 'magiclink', 'recovery', 'email_change_current', 'email_change_new'].includes(type)) {
		throw badRequest('validation_failed', `Invalid email action link type requested: ${type}`);
	}
	let encryptedPassword = '';
	if (type === 'signup' && !existing) {
		if (password === '') throw badRequest('validation_failed', 'Signup requires a valid password');
		checkPasswordStrength(password, ctx.config.auth);
		encryptedPassword = await hashPassword(password);
	}
	const otp = generateOtp(ctx.config.auth.otpLength);
	const hashed = tokenHash(email, otp);
	const response = await inTransaction(ctx.pool, async (db) => {
		let user = existing ? ((await findUserById(db, existing.id, true)) ?? existing) : null;
		let linkToken = hashed;
		let linkType = type;
		switch (type) {
			case 'magiclink':
			case 'recovery': {
				const u = user!;
				user = await updateUser(db, u.id, { recovery_token: hashed, recovery_sent_at: NOW });
				await createOneTimeToken(db, u.id, 'recovery_token', hashed, email);
				break;
			}
			case 'invite':
			case 'signup': {
				if (user?.email_confirmed_at) throw unprocessable('email_exists', DUPLICATE_EMAIL);
				if (user && type === 'signup' && params.data) {
					user = await updateUser(db, user.id, { raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, params.data) });
				}
				user ??= await createEmailUser(db, { email, encryptedPassword, userMetadata: params.data ?? {}, metadataFromIdentity: false });
				const changes: Record<string, ColumnValue> = { confirmation_token: hashed, confirmation_sent_at: NOW };
				if (type === 'invite') changes.invited_at = NOW;
				user = await updateUser(db, user.id, changes);
				await createOneTimeToken(db, user.id, 'confirmation_token', hashed, email);
				break;
			}
			default: {
				const u = user!;
				if (type === 'email_change_current' && !ctx.config.auth.doubleConfirmChanges) {
					throw badRequest('validation_failed', 'Enable secure email change to generate link for current email');
				}
				const newEmail = validateEmail(params.new_email);
				const other = await findUserByEmail(db, newEmail);
				if (other && other.id !== u.id) throw unprocessable('email_exists', DUPLICATE_EMAIL);
				linkType = 'email_change';
				if (type === 'email_change_current') {
					user = await updateUser(db, u.id, { email_change: newEmail, email_change_sent_at: NOW, email_change_confirm_status: 0, email_change_token_current: hashed });
					await createOneTimeToken(db, u.id, 'email_change_token_current', hashed, email);
				} else {
					linkToken = tokenHash(newEmail, otp);
					user = await updateUser(db, u.id, { email_change: newEmail, email_change_sent_at: NOW, email_change_confirm_status: 0, email_change_token_new: linkToken });
					await createOneTimeToken(db, u.id, 'email_change_token_new', linkToken, newEmail);
				}
			}
		}
		return {
			...(await userResponse(db, user!)),
			action_link: verifyUrl(ctx, linkToken, linkType, redirectTo),
			email_otp: otp,
			hashed_token: hashed,
			verification_type: type,
			redirect_to: redirectTo
		};
	});
	reply(request, 200, response);
}
