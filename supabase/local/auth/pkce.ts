// PKCE flow state (auth.flow_state): a code challenge stored when an email
// flow starts, an auth code handed out when its link is followed, and the
// exchange of that code plus the verifier for a session.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.ts';
import { badRequest, unprocessable } from './errors.ts';
import type { FlowType } from './one-time-tokens.ts';
import type { AuthMethod } from './sessions.ts';
import type { Queryable } from './users.ts';

/** GoTrue's default GOTRUE_EXTERNAL_FLOW_STATE_EXPIRY_DURATION. */
export const FLOW_STATE_EXPIRY_SECONDS = 300;
const CHALLENGE_PATTERN = /^[a-zA-Z0-9._~-]+$/;

export interface PkceParams {
	codeChallenge: string;
	codeChallengeMethod: string;
}

/** Both or neither; a well-formed challenge; a known method. Returns the flow type. */
export function validatePkceParams({ codeChallenge, codeChallengeMethod }: PkceParams): FlowType {
	if ((codeChallenge === '') !== (codeChallengeMethod === '')) {
		throw badRequest('validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
	}
	if (codeChallenge === '') return 'implicit';
	if (codeChallenge.length < 43 || codeChallenge.length > 128) {
		throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
	}
	if (!CHALLENGE_PATTERN.test(codeChallenge)) {
		throw badRequest('validation_failed', 'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes');
	}
	if (!['s256', 'plain'].includes(codeChallengeMethod.toLowerCase())) {
		throw badRequest('validation_failed', `unsupported code_challenge method "${codeChallengeMethod}"`);
	}
	return 'pkce';
}

export async function createFlowState(db: Db, userId: string, providerType: string, method: AuthMethod, pkce: PkceParams): Promise<void> {
	await db.query(
		`insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type, authentication_method, created_at, updated_at)
		 values ($1, $2, $3, $4, $5, $6, $7, now(), now())`,
		[randomUUID(), userId, randomUUID(), pkce.codeChallengeMethod.toLowerCase(), pkce.codeChallenge, providerType, method]
	);
}

/** The auth code of the user's latest flow for `method`, stamped as issued now. */
export async function issueAuthCode(db: Db, userId: string, method: AuthMethod): Promise<string> {
	const { rows } = await db.query<{ id: string; auth_code: string }>(
		'select id, auth_code from auth.flow_state where user_id = $1 and authentication_method = $2 order by created_at desc limit 1',
		[userId, method]
	);
	if (!rows[0]) throw badRequest('flow_state_not_found', 'No associated flow state found. No valid flow state found for user.');
	await db.query('update auth.flow_state set auth_code_issued_at = now(), updated_at = now() where id = $1', [rows[0].id]);
	return rows[0].auth_code;
}

export interface FlowState {
	id: string;
	user_id: string | null;
	code_challenge: string;
	code_challenge_method: string;
	authentication_method: string;
	expired: boolean;
}

export async function findFlowStateByAuthCode(db: Queryable, authCode: string): Promise<FlowState | null> {
	const { rows } = await db.query<FlowState>(
		`select id, user_id, code_challenge, code_challenge_method::text as code_challenge_method, authentication_method,
		        now() > (case when authentication_method = 'magiclink' and auth_code_issued_at is not null
		                      then auth_code_issued_at else created_at end) + make_interval(secs => $2) as expired
		 from auth.flow_state where auth_code = $1 limit 1`,
		[authCode, FLOW_STATE_EXPIRY_SECONDS]
	);
	return rows[0] ?? null;
}

export function verifyCodeVerifier(flow: FlowState, verifier: string): void {
	const expected = flow.code_challenge_method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
	const a = Buffer.from(expected);
	const b = Buffer.from(flow.code_challenge);
	if (a.length !== b.length || !timingSafeEqual(a, b)) {
		throw badRequest('bad_code_verifier', 'code challenge does not match previously saved code verifier');
	}
}

export function flowStateExpired(): never {
	throw unprocessable('flow_state_expired', 'invalid flow state, flow state has expired');
}
