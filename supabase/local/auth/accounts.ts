// Account changes shared by several endpoints, each written as the same
// sequence of statements GoTrue's models issue: creating an email user,
// confirming it, recovering it, changing its password or email.
import type { Db } from './db.ts';
import { internal } from './errors.ts';
import { clearOneTimeTokens } from './one-time-tokens.ts';
import { logout } from './sessions.ts';
import {
	identitiesOf, insertIdentity, insertUser, mergeIdentityData, mergeMetadata, refreshProviders, updateUser, NOW,
	type Json, type UserRecord
} from './users.ts';

export const EMAIL_PROVIDER_METADATA = { provider: 'email', providers: ['email'] };

export interface EmailUserParams {
	id?: string;
	email: string;
	/** bcrypt hash, or '' for accounts without a password (invites). */
	encryptedPassword: string;
	userMetadata: Json;
	/** Signup replaces user_metadata by the identity's data (RemoveUnconfirmedIdentities). */
	metadataFromIdentity: boolean;
	role?: string;
	/** Error message when the INSERT fails (a trigger raising, say). */
	insertFailure?: string;
}

function isDatabaseError(error: unknown): boolean {
	return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && (error as { severity?: unknown }).severity !== undefined;
}

/** Runs a write; a database error (a trigger raising, a constraint) becomes GoTrue's 500 with `message`. */
export async function databaseWrite<T>(message: string, write: () => Promise<T>): Promise<T> {
	try {
		return await write();
	} catch (error) {
		if (isDatabaseError(error)) throw internal(message);
		throw error;
	}
}

/** INSERT the user, set its role, add its email identity; as signupNewUser + createNewIdentity. */
export async function createEmailUser(db: Db, params: EmailUserParams): Promise<UserRecord> {
	let user = await databaseWrite(params.insertFailure ?? 'Database error saving new user', () =>
		insertUser(db, {
			id: params.id,
			email: params.email,
			encryptedPassword: params.encryptedPassword,
			userMetadata: params.userMetadata,
			appMetadata: { ...EMAIL_PROVIDER_METADATA }
		})
	);
	user = await databaseWrite('Database error updating user', () => updateUser(db, user.id, { role: params.role ?? 'authenticated' }));
	const identityData: Json = { sub: user.id, email: params.email, email_verified: false, phone_verified: false };
	if (params.metadataFromIdentity) {
		for (const [key, value] of Object.entries(params.userMetadata)) if (!(key in identityData)) identityData[key] = value;
	}
	await insertIdentity(db, user.id, 'email', identityData);
	if (params.metadataFromIdentity) {
		user = await updateUser(db, user.id, { raw_user_meta_data: mergeMetadata(user.raw_user_meta_data, identityData) });
		user = await refreshProviders(db, user);
	}
	return user;
}

/** user.Confirm: email_confirmed_at, email_verified in user_metadata, no pending tokens. */
export async function confirmUser(db: Db, user: UserRecord): Promise<UserRecord> {
	let confirmed = await updateUser(db, user.id, { confirmation_token: '', email_confirmed_at: NOW });
	confirmed = await updateUser(db, user.id, { raw_user_meta_data: mergeMetadata(confirmed.raw_user_meta_data, { email_verified: true }) });
	await clearOneTimeTokens(db, user.id);
	return confirmed;
}

/** Marks the identities carrying the user's email as verified (signupVerify). */
export async function verifyEmailIdentities(db: Db, user: UserRecord): Promise<void> {
	for (const identity of await identitiesOf(db, user.id)) {
		if (identity.email && user.email && identity.email === user.email.toLowerCase()) {
			await mergeIdentityData(db, identity.id, { email_verified: true });
		}
	}
}

/** user.Recover: the recovery token is spent. */
export async function clearRecovery(db: Db, user: UserRecord): Promise<UserRecord> {
	const updated = await updateUser(db, user.id, { recovery_token: '' });
	await clearOneTimeTokens(db, user.id);
	return updated;
}

/**
 * user.UpdatePassword: new hash, every pending token dropped, and every
 * session but `keepSessionId` ended (all of them when it is null).
 */
export async function changePassword(db: Db, user: UserRecord, encryptedPassword: string, keepSessionId: string | null): Promise<UserRecord> {
	const updated = await updateUser(db, user.id, {
		encrypted_password: encryptedPassword,
		confirmation_token: '',
		confirmation_sent_at: null,
		recovery_token: '',
		recovery_sent_at: null,
		email_change_token_current: '',
		email_change_token_new: '',
		email_change_sent_at: null,
		phone_change_token: '',
		phone_change_sent_at: null,
		reauthentication_token: '',
		reauthentication_sent_at: null
	});
	await clearOneTimeTokens(db, user.id);
	await logout(db, user.id, keepSessionId, keepSessionId ? 'others' : 'global');
	return updated;
}

/** user.ConfirmEmailChange: the new address becomes the email, on the user and its email identity. */
export async function applyEmailChange(db: Db, user: UserRecord): Promise<UserRecord> {
	const newEmail = user.email_change ?? '';
	const identities = await identitiesOf(db, user.id);
	const emailIdentity = identities.find((i) => i.provider === 'email');
	if (emailIdentity) await mergeIdentityData(db, emailIdentity.id, { email: newEmail, email_verified: true });
	else await insertIdentity(db, user.id, 'email', { sub: user.id, email: newEmail, email_verified: true, phone_verified: false });
	let updated = await updateUser(db, user.id, {
		email: newEmail,
		email_change: '',
		email_change_token_current: '',
		email_change_token_new: '',
		email_change_confirm_status: 0
	});
	await clearOneTimeTokens(db, user.id);
	if (!updated.email_confirmed_at) updated = await confirmUser(db, updated);
	// Linking an email to an anonymous user makes it a permanent one (GoTrue's emailChangeVerify).
	if (updated.is_anonymous) updated = await updateUser(db, user.id, { is_anonymous: false });
	return updated;
}
