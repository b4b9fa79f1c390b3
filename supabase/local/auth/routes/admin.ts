// The service-role endpoints: /admin/users (list, create, get, update,
// delete) and /invite.
import { z } from 'zod';
import { changePassword, confirmUser, createEmailUser, databaseWrite } from '../accounts.ts';
import type { AuthContext } from '../context.ts';
import { inTransaction } from '../db.ts';
import { sendInvite } from '../email-actions.ts';
import { badRequest, internal, notFound, unprocessable } from '../errors.ts';
import { requireAdmin } from '../guard.ts';
import { jsonObject, optionalString, readParams, validateEmail } from '../params.ts';
import { checkPasswordStrength, hashPassword, randomPassword } from '../passwords.ts';
import { encodeValues } from '../redirects.ts';
import { redirectTarget, reply, userResponse, type AuthRequest } from '../request.ts';
import { userJson } from '../serialize.ts';
import { logout } from '../sessions.ts';
import {
	deleteUser, findUserByEmail, findUserById, identitiesOf, identitiesOfUsers, insertIdentity, listUsers, mergeIdentityData,
	mergeMetadata, updateUser, type UserRecord
} from '../users.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DUPLICATE_EMAIL = 'A user with this email address has already been registered';
const DEFAULT_PER_PAGE = 50;

export async function listUsersRoute(ctx: AuthContext, request: AuthRequest): Promise<void> {
	await requireAdmin(ctx, request.token);
	const query = request.url.searchParams;
	const parsePositive = (raw: string | null, fallback: number): number => {
		if (raw === null || raw === '') return fallback;
		if (!/^\d+$/.test(raw)) throw badRequest('validation_failed', `Bad Pagination Parameters: strconv.ParseUint: parsing "${raw}": invalid syntax`);
		return Number(raw);
	};
	const page = Math.max(1, parsePositive(query.get('page'), 1));
	const perPage = Math.max(1, parsePositive(query.get('per_page'), DEFAULT_PER_PAGE));
	const { users, total } = await listUsers(ctx.pool, page, perPage);
	const identities = await identitiesOfUsers(ctx.pool, users.map((u) => u.id));
	// GoTrue's pagination headers: links to the next and last page, and the total.
	const totalPages = Math.ceil(total / perPage);
	const params: Record<string, string> = {};
	query.forEach((v, k) => {
		params[k] = v;
	});
	const link = (p: number) => `</admin/users?${encodeValues({ ...params, page: String(p) })}>`;
	let header = '';
	if (totalPages > page) header += `${link(page + 1)}; rel="next", `;
	header += `${link(totalPages)}; rel="last"`;
	reply(
		request,
		200,
		{ users: users.map((u) => userJson(u, identities.get(u.id) ?? [])), aud: 'authenticated' },
		{ Link: header, 'X-Total-Count': String(total) }
	);
}

async function loadUser(ctx: AuthContext, id: string): Promise<UserRecord> {
	if (!UUID.test(id)) throw notFound('validation_failed', 'user_id must be an UUID');
	const user = await findUserById(ctx.pool, id);
	if (!user) throw notFound('user_not_found', 'User not found');
	return user;
}

export async function getUserRoute(ctx: AuthContext, request: AuthRequest, id: string): Promise<void> {
	await requireAdmin(ctx, request.token);
	const user = await loadUser(ctx, id);
	reply(request, 200, await userResponse(ctx.pool, user));
}

const adminUserBody = z.looseObject({
	id: optionalString,
	role: optionalString,
	email: optionalString,
	phone: optionalString,
	password: z.string().nullish(),
	password_hash: optionalString,
	email_confirm: z.boolean().nullish(),
	phone_confirm: z.boolean().nullish(),
	user_metadata: jsonObject.nullish(),
	app_metadata: jsonObject.nullish(),
	ban_duration: optionalString
});

/** A Go duration ("24h", "1h30m", "none" = lift the ban) in milliseconds. */
function parseBanDuration(text: string): number | null {
	if (text === '') return null;
	if (text === 'none') return 0;
	const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
	const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
	if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
		throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration "${text}"`);
	}
	return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0);
}

export async function createUserRoute(ctx: AuthContext, request: AuthRequest): Promise<void> {
	await requireAdmin(ctx, request.token);
	const params = await readParams(request.req, adminUserBody);
	if (params.email === '' && params.phone === '') throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
	if (params.phone !== '') throw badRequest('phone_provider_disabled', 'Phone users are not supported by the local stack');
	const email = validateEmail(params.email);
	if (await findUserByEmail(ctx.pool, email)) throw unprocessable('email_exists', DUPLICATE_EMAIL);
	if (params.password && params.password_hash) throw badRequest('validation_failed', 'Only a password or a password hash should be provided');
	if (params.id !== '' && !UUID.test(params.id)) throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
	if (params.id === '00000000-0000-0000-0000-000000000000') throw badRequest('validation_failed', 'ID cannot be a nil uuid');
	if (params.password && params.password.length > 72) throw badRequest('validation_failed', 'bcrypt: password length exceeds 72 bytes');
	if (params.password_hash && !/^\$2[aby]\$\d{2}\$.{53}$/.test(params.password_hash)) {
		throw internal('Error creating user');
	}
	const banMs = parseBanDuration(params.ban_duration);
	const encryptedPassword = params.password_hash || (await hashPassword(params.password || randomPassword()));
	const body = await inTransaction(ctx.pool, async (db) => {
		let user = await createEmailUser(db, {
			id: params.id || undefined,
			email,
			encryptedPassword,
			userMetadata: params.user_metadata ?? {},
			metadataFromIdentity: false,
			role: params.role || 'authenticated',
			insertFailure: 'Database error creating new user'
		});
		const created = user;
		user = await databaseWrite('Database error creating new user', async () => {
			let u = created;
			if (params.app_metadata) u = await updateUser(db, u.id, { raw_app_meta_data: mergeMetadata(u.raw_app_meta_data, params.app_metadata) });
			if (params.email_confirm) u = await confirmUser(db, u);
			if (banMs !== null) u = await updateUser(db, u.id, { banned_until: banMs === 0 ? null : new Date(Date.now() + banMs).toISOString() });
			return u;
		});
		return userResponse(db, user);
	});
	reply(request, 200, body);
}

export async function updateUserRoute(ctx: AuthContext, request: AuthRequest, id: string): Promise<void> {
	await requireAdmin(ctx, request.token);
	const existing = await loadUser(ctx, id);
	const params = await readParams(request.req, adminUserBody);
	const email = params.email !== '' ? validateEmail(params.email) : '';
	if (params.phone !== '') throw badRequest('phone_provider_disabled', 'Phone users are not supported by the local stack');
	const banMs = parseBanDuration(params.ban_duration);
	if (email && email !== existing.email) {
		const other = await findUserByEmail(ctx.pool, email);
		if (other && other.id !== existing.id) throw unprocessable('email_exists', DUPLICATE_EMAIL);
	}
	const password = params.password ?? null;
	// GoTrue checks an admin's new password like a user's (but not the password of a new user, above).
	if (password !== null) checkPasswordStrength(password, ctx.config.auth);
	const encryptedPassword = password !== null ? (password === '' ? '' : await hashPassword(password)) : null;
	const body = await inTransaction(ctx.pool, async (db) => {
		const user = await databaseWrite('Error updating user', async () => {
			let u = (await findUserById(db, existing.id, true)) ?? existing;
			if (params.role) u = await updateUser(db, u.id, { role: params.role });
			if (params.email_confirm) u = await confirmUser(db, u);
			if (encryptedPassword !== null) u = await changePassword(db, u, encryptedPassword, null);
			if (email) {
				const identity = (await identitiesOf(db, u.id)).find((i) => i.provider === 'email');
				const verified = params.email_confirm === true;
				if (identity) await mergeIdentityData(db, identity.id, { email, email_verified: verified });
				else await insertIdentity(db, u.id, 'email', { sub: u.id, email, email_verified: verified, phone_verified: false });
				u = await updateUser(db, u.id, { email });
			}
			if (params.app_metadata) u = await updateUser(db, u.id, { raw_app_meta_data: mergeMetadata(u.raw_app_meta_data, params.app_metadata) });
			if (params.user_metadata) u = await updateUser(db, u.id, { raw_user_meta_data: mergeMetadata(u.raw_user_meta_data, params.user_metadata) });
			if (banMs !== null) u = await updateUser(db, u.id, { banned_until: banMs === 0 ? null : new Date(Date.now() + banMs).toISOString() });
			return u;
		});
		return userResponse(db, user);
	});
	reply(request, 200, body);
}

const deleteBody = z.looseObject({ should_soft_delete: z.boolean().nullish() });

export async function deleteUserRoute(ctx: AuthContext, request: AuthRequest, id: string): Promise<void> {
	await requireAdmin(ctx, request.token);
	const user = await loadUser(ctx, id);
	const params = await readParams(request.req, deleteBody);
	await inTransaction(ctx.pool, async (db) => {
		if (!params.should_soft_delete) {
			await databaseWrite('Database error deleting user', () => deleteUser(db, user.id));
			return;
		}
		if (user.deleted_at) return;
		// Soft delete: the row stays (for foreign keys) but can no longer sign in or be found by email.
		await databaseWrite('Error soft deleting user', async () => {
			await updateUser(db, user.id, {
				email: null,
				phone: null,
				encrypted_password: '',
				confirmation_token: '',
				recovery_token: '',
				email_change: '',
				email_change_token_current: '',
				email_change_token_new: '',
				raw_user_meta_data: {},
				raw_app_meta_data: {},
				deleted_at: new Date().toISOString()
			});
			await db.query("update auth.identities set provider_id = 'deleted:' || id::text, identity_data = '{}'::jsonb where user_id = $1", [user.id]);
			await logout(db, user.id, null, 'global');
		});
	});
	reply(request, 200, {});
}

const inviteBody = z.looseObject({ email: optionalString, data: jsonObject.nullish() });

export async function inviteRoute(ctx: AuthContext, request: AuthRequest): Promise<void> {
	await requireAdmin(ctx, request.token);
	const params = await readParams(request.req, inviteBody);
	const email = validateEmail(params.email);
	const existing = await findUserByEmail(ctx.pool, email);
	if (existing?.email_confirmed_at) throw unprocessable('email_exists', DUPLICATE_EMAIL);
	const redirectTo = redirectTarget(ctx, request);
	const body = await inTransaction(ctx.pool, async (db) => {
		let user = existing ? ((await findUserById(db, existing.id, true)) ?? existing) : null;
		user ??= await createEmailUser(db, { email, encryptedPassword: '', userMetadata: params.data ?? {}, metadataFromIdentity: false });
		user = await sendInvite(ctx, db, user, redirectTo);
		return userResponse(db, user);
	});
	reply(request, 200, body);
}
