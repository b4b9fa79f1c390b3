// Multi-factor authentication as GoTrue does it (internal/api/mfa.go):
// TOTP factors (enrol with a secret, its otpauth URI and a QR code; a
// challenge per attempt; verify turns the session into aal2 and ends the
// user's other aal1 sessions; unenrolling a verified factor needs aal2),
// the admin's list/delete, and GoTrue's "disabled" errors for phone and
// WebAuthn factors, which this stack does not offer.
import { randomUUID } from 'node:crypto';
import qrcode from 'qrcode-generator';
import { z } from 'zod';
import type { AuthContext } from './context.ts';
import { inTransaction, type Db } from './db.ts';
import { AuthError, badRequest, forbidden, notFound, unprocessable } from './errors.ts';
import { requireAdmin, requireUser, type Caller } from './guard.ts';
import { optionalString, readParams } from './params.ts';
import { limitByAddress } from './rate-limits.ts';
import { reply, type AuthRequest } from './request.ts';
import { sessionResponseFor } from './sessions.ts';
import { newTotpSecret, totpUri, verifyTotp } from './totp.ts';
import { findUserById, type Json, type Queryable } from './users.ts';

/** GoTrue's defaults (internal/conf): challenges and unverified factors last 300 s. */
const CHALLENGE_EXPIRY_S = 300;
const FACTOR_EXPIRY_S = 300;
const MAX_VERIFIED_FACTORS = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface FactorRecord {
	id: string;
	user_id: string;
	friendly_name: string | null;
	factor_type: 'totp' | 'phone' | 'webauthn';
	status: 'unverified' | 'verified';
	created_at: string;
	updated_at: string;
	secret: string | null;
	phone: string | null;
	last_challenged_at: string | null;
}

const FACTOR_COLUMNS = `id, user_id, friendly_name, factor_type, status, secret, phone,
	to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at,
	to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as updated_at,
	to_char(last_challenged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as last_challenged_at`;

/** A factor as GoTrue serialises it (the secret never leaves). */
export function factorJson(factor: FactorRecord): Json {
	const out: Json = { id: factor.id, created_at: factor.created_at, updated_at: factor.updated_at, status: factor.status };
	if (factor.friendly_name) out.friendly_name = factor.friendly_name;
	out.factor_type = factor.factor_type;
	out.phone = factor.phone ?? '';
	out.last_challenged_at = factor.last_challenged_at;
	return out;
}

export async function factorsOf(db: Queryable, userId: string): Promise<FactorRecord[]> {
	const { rows } = await db.query<FactorRecord>(`select ${FACTOR_COLUMNS} from auth.mfa_factors where user_id = $1 order by created_at`, [userId]);
	return rows;
}

async function loadFactor(db: Queryable, userId: string, factorId: string): Promise<FactorRecord> {
	if (!UUID.test(factorId)) throw notFound('validation_failed', 'factor_id must be an UUID');
	const { rows } = await db.query<FactorRecord>(`select ${FACTOR_COLUMNS} from auth.mfa_factors where id = $1 and user_id = $2`, [factorId, userId]);
	if (!rows[0]) throw notFound('mfa_factor_not_found', 'Factor not found');
	return rows[0];
}

async function sessionAal(db: Queryable, sessionId: string | null): Promise<'aal1' | 'aal2'> {
	if (!sessionId) return 'aal1';
	const { rows } = await db.query<{ aal: string | null }>('select aal from auth.sessions where id = $1', [sessionId]);
	return rows[0]?.aal === 'aal2' ? 'aal2' : 'aal1';
}

/** The /factors endpoints are for signed-in, non-anonymous users (GoTrue's requireNotAnonymous). */
async function requireFactorUser(ctx: AuthContext, request: AuthRequest): Promise<Caller> {
	const caller = await requireUser(ctx, request.token);
	if (caller.claims.is_anonymous === true || caller.user.is_anonymous) {
		throw forbidden('no_authorization', 'Anonymous user not allowed to perform these actions');
	}
	return caller;
}

function typeDisabled(kind: 'enroll' | 'verify', type: string): AuthError {
	const names: Record<string, string> = { totp: 'TOTP', phone: 'Phone', webauthn: 'WebAuthn' };
	const codes: Record<string, string> = { totp: 'totp', phone: 'phone', webauthn: 'webauthn' };
	return kind === 'enroll'
		? unprocessable(`mfa_${codes[type]}_enroll_not_enabled`, `MFA enroll is disabled for ${names[type]}`)
		: unprocessable(`mfa_${codes[type]}_verify_not_enabled`, `MFA verification is disabled for ${names[type]}`);
}

function enabled(ctx: AuthContext, type: string, kind: 'enroll' | 'verify'): boolean {
	const mfa = ctx.config.auth.mfa;
	const setting = type === 'totp' ? mfa.totp : type === 'phone' ? mfa.phone : mfa.webAuthn;
	return setting[kind];
}

const enrollBody = z.looseObject({ factor_type: optionalString, friendly_name: optionalString, issuer: optionalString, phone: optionalString });

/** POST /factors */
export async function enroll(ctx: AuthContext, request: AuthRequest): Promise<void> {
	const caller = await requireFactorUser(ctx, request);
	const params = await readParams(request.req, enrollBody);
	const type = params.factor_type;
	if (type !== 'totp' && type !== 'phone' && type !== 'webauthn') throw badRequest('validation_failed', 'factor_type needs to be totp, phone, or webauthn');
	// Only TOTP is offered here; phone and WebAuthn answer GoTrue's errors for a project with them off.
	if (!enabled(ctx, type, 'enroll') || type !== 'totp') throw typeDisabled('enroll', type);
	let issuer = params.issuer;
	if (!issuer) issuer = new URL(ctx.config.auth.siteUrl).host;
	const body = await inTransaction(ctx.pool, async (db) => {
		await validateFactors(ctx, db, caller, params.friendly_name);
		const secret = newTotpSecret();
		const uri = totpUri(issuer, caller.user.email ?? '', secret);
		const factorId = randomUUID();
		await db.query(
			`insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
			 values ($1, $2, $3, 'totp', 'unverified', now(), now(), $4)`,
			[factorId, caller.user.id, params.friendly_name, secret]
		);
		return { id: factorId, type: 'totp', friendly_name: params.friendly_name, totp: { qr_code: qrSvg(uri), secret, uri } };
	});
	reply(request, 200, body);
}

/** GoTrue's validateFactors: stale unverified factors go, then the name, count and aal rules. */
async function validateFactors(ctx: AuthContext, db: Db, caller: Caller, friendlyName: string): Promise<void> {
	await db.query(`delete from auth.mfa_factors where status = 'unverified' and created_at < now() - make_interval(secs => $1)`, [FACTOR_EXPIRY_S]);
	const factors = await factorsOf(db, caller.user.id);
	const verified = factors.filter((f) => f.status === 'verified').length;
	if (factors.some((f) => (f.friendly_name ?? '') === friendlyName)) {
		throw unprocessable('mfa_factor_name_conflict', `A factor with the friendly name ${JSON.stringify(friendlyName)} for this user already exists`);
	}
	if (factors.length >= ctx.config.auth.mfa.maxEnrolledFactors || verified >= MAX_VERIFIED_FACTORS) {
		throw unprocessable('too_many_enrolled_mfa_factors', 'Maximum number of verified factors reached, unenroll to continue');
	}
	if (verified > 0 && caller.sessionId && (await sessionAal(db, caller.sessionId)) !== 'aal2') {
		throw forbidden('insufficient_aal', 'AAL2 required to enroll a new factor');
	}
}

/** The QR code of the otpauth URI as an SVG document (GoTrue sends the SVG text; auth-js makes it a data: URL). */
function qrSvg(uri: string): string {
	const code = qrcode(0, 'H');
	code.addData(uri, 'Byte');
	code.make();
	return code.createSvgTag({ cellSize: 4, margin: 0, scalable: true });
}

/** POST /factors/{id}/challenge */
export async function challenge(ctx: AuthContext, request: AuthRequest, factorId: string): Promise<void> {
	limitByAddress(ctx.limiters.factorChallenge, request.clientAddress);
	const caller = await requireFactorUser(ctx, request);
	await readParams(request.req, z.looseObject({ channel: optionalString }));
	const factor = await loadFactor(ctx.pool, caller.user.id, factorId);
	if (factor.factor_type !== 'totp' || !enabled(ctx, factor.factor_type, 'verify')) throw typeDisabled('verify', factor.factor_type);
	const id = randomUUID();
	const expiresAt = await inTransaction(ctx.pool, async (db) => {
		const { rows } = await db.query<{ expires_at: string }>(
			`insert into auth.mfa_challenges (id, factor_id, created_at, ip_address) values ($1, $2, now(), $3)
			 returning floor(extract(epoch from created_at))::bigint + $4 as expires_at`,
			[id, factor.id, ipOf(request.clientAddress), CHALLENGE_EXPIRY_S]
		);
		await db.query('update auth.mfa_factors set last_challenged_at = now(), updated_at = now() where id = $1', [factor.id]);
		return Number(rows[0].expires_at);
	});
	reply(request, 200, { id, type: factor.factor_type, expires_at: expiresAt });
}

/** A client address that fits an inet column (the gateway's key may be anything). */
function ipOf(address: string): string {
	return /^[0-9a-fA-F:.]+$/.test(address) ? address : '0.0.0.0';
}

const verifyBody = z.looseObject({ challenge_id: optionalString, code: optionalString });

/** POST /factors/{id}/verify */
export async function verify(ctx: AuthContext, request: AuthRequest, factorId: string): Promise<void> {
	limitByAddress(ctx.limiters.factorVerify, request.clientAddress);
	const caller = await requireFactorUser(ctx, request);
	const params = await readParams(request.req, verifyBody);
	const factor = await loadFactor(ctx.pool, caller.user.id, factorId);
	if (factor.factor_type !== 'totp' || !enabled(ctx, factor.factor_type, 'verify')) throw typeDisabled('verify', factor.factor_type);
	if (!UUID.test(params.challenge_id)) throw badRequest('bad_json', 'Could not parse request body as JSON: challenge_id: invalid UUID');
	const found = (
		await ctx.pool.query<{ id: string; verified: boolean; ip: string; expired: boolean }>(
			`select id, verified_at is not null as verified, host(ip_address) as ip, created_at + make_interval(secs => $3) < now() as expired
			 from auth.mfa_challenges where id = $1 and factor_id = $2`,
			[params.challenge_id, factor.id, CHALLENGE_EXPIRY_S]
		)
	).rows[0];
	if (!found) throw unprocessable('mfa_factor_not_found', 'MFA factor with the provided challenge ID not found');
	if (found.verified || found.ip !== ipOf(request.clientAddress)) throw unprocessable('mfa_ip_address_mismatch', 'Challenge and verify IP addresses mismatch.');
	if (found.expired) {
		await ctx.pool.query('delete from auth.mfa_challenges where id = $1', [found.id]);
		throw unprocessable('mfa_challenge_expired', `MFA challenge ${found.id} has expired, verify against another challenge or create a new challenge.`);
	}
	if (!verifyTotp(factor.secret ?? '', params.code)) throw unprocessable('mfa_verification_failed', 'Invalid TOTP code entered');
	if (!caller.sessionId) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
	const sessionId = caller.sessionId;
	const body = await inTransaction(ctx.pool, async (db) => {
		// One use per challenge: a second verify of the same challenge finds it verified.
		const claimed = await db.query('update auth.mfa_challenges set verified_at = now() where id = $1 and verified_at is null', [found.id]);
		if (claimed.rowCount !== 1) throw unprocessable('mfa_ip_address_mismatch', 'Challenge and verify IP addresses mismatch.');
		if (factor.status !== 'verified') await db.query(`update auth.mfa_factors set status = 'verified', updated_at = now() where id = $1`, [factor.id]);
		await db.query(`update auth.sessions set aal = 'aal2', factor_id = $2, updated_at = now() where id = $1`, [sessionId, factor.id]);
		await db.query(
			`insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
			 values ($1, $2, now(), now(), 'totp')
			 on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey do update set updated_at = now()`,
			[randomUUID(), sessionId]
		);
		// GoTrue: the user's sessions below aal2 end; unverified factors of this type go.
		await db.query(`delete from auth.sessions where user_id = $1 and id <> $2 and (aal is null or aal < 'aal2')`, [caller.user.id, sessionId]);
		await db.query(`delete from auth.mfa_factors where user_id = $1 and factor_type = 'totp' and status = 'unverified' and id <> $2`, [caller.user.id, factor.id]);
		const user = (await findUserById(db, caller.user.id))!;
		return sessionResponseFor(ctx, db, user, sessionId, { rotate: true });
	});
	reply(request, 200, body);
}

/** DELETE /factors/{id} */
export async function unenroll(ctx: AuthContext, request: AuthRequest, factorId: string): Promise<void> {
	const caller = await requireFactorUser(ctx, request);
	const factor = await loadFactor(ctx.pool, caller.user.id, factorId);
	if (factor.status === 'verified' && (await sessionAal(ctx.pool, caller.sessionId)) !== 'aal2') {
		throw unprocessable('insufficient_aal', 'AAL2 required to unenroll verified factor');
	}
	await inTransaction(ctx.pool, async (db) => {
		await db.query('delete from auth.mfa_factors where id = $1', [factor.id]);
		await downgradeSessions(db, factor.id);
	});
	reply(request, 200, { id: factor.id });
}

/** Sessions that reached aal2 with this factor go back to aal1 (GoTrue's DowngradeSessionsToAAL1). */
async function downgradeSessions(db: Db, factorId: string): Promise<void> {
	const { rows } = await db.query<{ id: string }>(`update auth.sessions set aal = 'aal1', factor_id = null, updated_at = now() where factor_id = $1 returning id`, [factorId]);
	if (rows.length) {
		await db.query(`delete from auth.mfa_amr_claims where session_id = any($1::uuid[]) and authentication_method in ('totp', 'mfa/totp')`, [rows.map((r) => r.id)]);
	}
}

/** GET /admin/users/{id}/factors */
export async function adminListFactors(ctx: AuthContext, request: AuthRequest, userId: string): Promise<void> {
	await requireAdmin(ctx, request.token);
	const user = await adminUser(ctx, userId);
	reply(request, 200, (await factorsOf(ctx.pool, user)).map(factorJson));
}

/** DELETE /admin/users/{id}/factors/{factor_id} */
export async function adminDeleteFactor(ctx: AuthContext, request: AuthRequest, userId: string, factorId: string): Promise<void> {
	await requireAdmin(ctx, request.token);
	const user = await adminUser(ctx, userId);
	const factor = await loadFactor(ctx.pool, user, factorId);
	await inTransaction(ctx.pool, async (db) => {
		await db.query('delete from auth.mfa_factors where id = $1', [factor.id]);
		await downgradeSessions(db, factor.id);
	});
	reply(request, 200, factorJson(factor));
}

/** PUT /admin/users/{id}/factors/{factor_id}: a new friendly_name. */
export async function adminUpdateFactor(ctx: AuthContext, request: AuthRequest, userId: string, factorId: string): Promise<void> {
	await requireAdmin(ctx, request.token);
	const user = await adminUser(ctx, userId);
	const factor = await loadFactor(ctx.pool, user, factorId);
	const params = await readParams(request.req, z.looseObject({ friendly_name: optionalString }));
	if (params.friendly_name) {
		await ctx.pool.query('update auth.mfa_factors set friendly_name = $2, updated_at = now() where id = $1', [factor.id, params.friendly_name]);
	}
	reply(request, 200, factorJson(await loadFactor(ctx.pool, user, factorId)));
}

async function adminUser(ctx: AuthContext, userId: string): Promise<string> {
	if (!UUID.test(userId)) throw notFound('validation_failed', 'user_id must be an UUID');
	const user = await findUserById(ctx.pool, userId);
	if (!user) throw notFound('user_not_found', 'User not found');
	return user.id;
}
