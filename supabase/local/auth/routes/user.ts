// GET /user, PUT /user and POST /logout: what a signed-in user does with
// their own account.
import { z } from 'zod';
import { changePassword, databaseWrite } from '../accounts.ts';
import type { AuthContext } from '../context.ts';
import { inTransaction } from '../db.ts';
import { sendEmailChange } from '../email-actions.ts';
import { badRequest, forbidden, unprocessable } from '../errors.ts';
import { sendEmpty } from '../../http.ts';
import { requireUser } from '../guard.ts';
import { jsonObject, optionalString, readParams, validateEmail } from '../params.ts';
import { checkPasswordStrength, hashPassword, passwordMatches } from '../passwords.ts';
import { createFlowState, validatePkceParams } from '../pkce.ts';
import { redirectTarget, reply, userResponse, type AuthRequest } from '../request.ts';
import { logout as endSessions, type LogoutScope } from '../sessions.ts';
import { findUserByEmail, findUserById, mergeMetadata, updateUser } from '../users.ts';

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

export async function updateUserRoute(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const caller = await requireUser(ctx, request.token);
	const params = await readParams(request.req, updateBody);
	const email = params.email !== '' ? validateEmail(params.email) : '';
	const password = params.password ?? null;
	if (password !== null) checkPasswordStrength(password, ctx.config.auth.minimumPasswordLength);
	if (params.phone !== '') throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
	if (params.app_metadata) throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
	const flow = validatePkceParams({ codeChallenge: params.code_challenge, codeChallengeMethod: params.code_challenge_method });
	const current = caller.user;
	const changingEmail = email !== '' && email !== current.email;
	if (changingEmail) {
		const other = await findUserByEmail(ctx.pool, email);
		if (other && other.id !== current.id) throw unprocessable('email_exists', 'A user with this email address has already been registered');
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
			user = await sendEmailChange(ctx, db, user, email, flow, redirectTo);
		}
		return userResponse(db, user);
	});
	reply(request, 200, body);
}

export async function logoutRoute(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const caller = await requireUser(ctx, request.token);
	const scope = request.url.searchParams.get('scope') ?? '';
	if (!['', 'global', 'local', 'others'].includes(scope)) throw badRequest('validation_failed', `Unsupported logout scope "${scope}"`);
	await inTransaction(ctx.pool, (db) => endSessions(db, caller.user.id, caller.sessionId, (scope || 'global') as LogoutScope));
	sendEmpty(request.res, 204);
}
