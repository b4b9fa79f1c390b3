// Email OTPs and their hashes, and auth.one_time_tokens: GoTrue stores
// hex(SHA-224(email + otp)) (prefixed `pkce_` for PKCE flows) both in the
// user's *_token column and in one_time_tokens, and looks links up there.
import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import type { Queryable } from './users.ts';

export type OneTimeTokenType =
	| 'confirmation_token'
	| 'reauthentication_token'
	| 'recovery_token'
	| 'email_change_token_new'
	| 'email_change_token_current';

export type FlowType = 'pkce' | 'implicit';

export const PKCE_PREFIX = 'pkce_';

export function generateOtp(length: number): string {
	let otp = '';
	for (let i = 0; i < length; i++) otp += String(randomInt(10));
	return otp;
}

export function tokenHash(emailOrPhone: string, otp: string): string {
	return createHash('sha224').update(emailOrPhone + otp).digest('hex');
}

export function withFlowPrefix(hash: string, flow: FlowType): string {
	return flow === 'pkce' ? PKCE_PREFIX + hash : hash;
}

/** Replaces the user's token of this type (one per user and type). */
export async function createOneTimeToken(db: Db, userId: string, type: OneTimeTokenType, hash: string, relatesTo: string): Promise<void> {
	await db.query('delete from auth.one_time_tokens where user_id = $1 and token_type = $2', [userId, type]);
	await db.query(
		`insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
		 values ($1, $2, $3, $4, $5, now(), now())`,
		[randomUUID(), userId, type, hash, relatesTo.toLowerCase()]
	);
}

export async function findOneTimeToken(db: Queryable, hash: string, types: OneTimeTokenType[]): Promise<{ user_id: string; token_type: OneTimeTokenType } | null> {
	const { rows } = await db.query(
		'select user_id, token_type from auth.one_time_tokens where token_hash = $1 and token_type = any($2::auth.one_time_token_type[]) limit 1',
		[hash, types]
	);
	return rows[0] ?? null;
}

export async function clearOneTimeTokens(db: Db, userId: string, type?: OneTimeTokenType): Promise<void> {
	if (type) await db.query('delete from auth.one_time_tokens where user_id = $1 and token_type = $2', [userId, type]);
	else await db.query('delete from auth.one_time_tokens where user_id = $1', [userId]);
}
