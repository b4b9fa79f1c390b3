// POST /token?grant_type=password|refresh_token|pkce
import { idTokenGrant, web3Grant } from './disabled.ts';
import { z } from 'zod';
import type { AuthContext } from '../context.ts';
import { inTransaction } from '../db.ts';
import { badRequest, notFound, unprocessable } from '../errors.ts';
import { optionalString, readParams } from '../params.ts';
import { passwordMatches, passwordWeakness } from '../passwords.ts';
import { findFlowStateByAuthCode, flowStateExpired, verifyCodeVerifier } from '../pkce.ts';
import { limitByAddress } from '../rate-limits.ts';
import { reply, type AuthRequest } from '../request.ts';
import { issueSession, refreshSession, type AuthMethod } from '../sessions.ts';
import { findUserByEmail, findUserById, isBanned } from '../users.ts';

const INVALID_LOGIN = 'Invalid login credentials';

const passwordBody = z.looseObject({ email: optionalString, phone: optionalString, password: optionalString });
const refreshBody = z.looseObject({ refresh_token: optionalString });
const pkceBody = z.looseObject({ auth_code: optionalString, code_verifier: optionalString });

async function passwordGrant(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const params = await readParams(request.req, passwordBody);
	if (params.email !== '' && params.phone !== '') {
		throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
	}
	if (params.email === '' && params.phone === '') throw badRequest('validation_failed', 'missing email or phone');
	if (params.phone !== '') throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
	const user = await findUserByEmail(ctx.pool, params.email);
	if (!user || !user.encrypted_password) throw badRequest('invalid_credentials', INVALID_LOGIN);
	if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
	if (!(await passwordMatches(params.password, user.encrypted_password))) throw badRequest('invalid_credentials', INVALID_LOGIN);
	if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
	const session = await inTransaction(ctx.pool, (db) => issueSession(ctx, db, user, 'password', request.req));
	// A password that today's rules call weak still signs in; GoTrue says so in the session.
	const weakness = passwordWeakness(params.password, ctx.config.auth);
	if (weakness) session.weak_password = weakness;
	reply(request, 200, session);
}

async function refreshGrant(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const params = await readParams(request.req, refreshBody);
	reply(request, 200, await refreshSession(ctx, params.refresh_token, request.req));
}

async function pkceGrant(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const params = await readParams(request.req, pkceBody);
	if (params.auth_code === '' || params.code_verifier === '') {
		throw badRequest('validation_failed', 'invalid request: both auth code and code verifier should be non-empty');
	}
	const flow = await findFlowStateByAuthCode(ctx.pool, params.auth_code);
	if (!flow || !flow.user_id) throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
	if (flow.expired) flowStateExpired();
	const user = await findUserById(ctx.pool, flow.user_id);
	if (!user) throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
	verifyCodeVerifier(flow, params.code_verifier);
	const session = await inTransaction(ctx.pool, async (db) => {
		// The code is good once: a second exchange finds no flow state.
		const { rowCount } = await db.query('delete from auth.flow_state where id = $1', [flow.id]);
		if (!rowCount) throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
		return issueSession(ctx, db, user, flow.authentication_method as AuthMethod, request.req);
	});
	reply(request, 200, session);
}

const GRANTS: Record<string, (ctx: AuthContext, request: AuthRequest) => Promise<void>> = {
	password: passwordGrant,
	refresh_token: refreshGrant,
	pkce: pkceGrant,
	id_token: idTokenGrant,
	web3: web3Grant
};

export async function token(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const grantType = request.url.searchParams.get('grant_type') ?? '';
	const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
	if (!grant) throw badRequest('invalid_credentials', 'unsupported_grant_type');
	// Every grant draws on the client's token_refresh bucket, wrong passwords included.
	limitByAddress(ctx.limiters.token, request.clientAddress);
	return grant(ctx, request);
}
