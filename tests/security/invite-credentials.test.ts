// The rule under every invitation and share, from the side of someone who
// registered your address first: an account gets invited access only with
// proven credentials (20261207100000_account_credentials.sql). Played on a
// database of this file's own, with auth rows written the way Auth writes
// them: a sign-up with a password (unconfirmed), the owner confirming the
// address, sessions opened by password or by an emailed link (their amr),
// and password changes. tests/security/invite-takeover.test.ts replays the
// same attack end to end through Auth, the functions and the mail catcher.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, errorOf, openTestDatabase, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
let owner: TestUser;
let teamId: string;
let jobId: string;

beforeAll(async () => {
	db = await openTestDatabase(2);
	owner = await createUser(db.pool, { email: 'owner@example.test' });
	teamId = (await db.pool.query(`insert into public.teams (name, created_by) values ('Lab', $1) returning id`, [owner.id])).rows[0].id;
	await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'owner')`, [teamId, owner.id]);
	jobId = (
		await db.pool.query(
			`insert into public.jobs (team_id, tool_id, submitted_by, name, input, visibility) values ($1, 'protein-properties', $2, 'Secret', '{"sequences":[{}]}', 'invited') returning id`,
			[teamId, owner.id]
		)
	).rows[0].id;
});
afterAll(async () => {
	await db?.close();
});

/** A sign-up with a password, unconfirmed: what /signup writes (the squatter's move). */
async function signUpUnconfirmed(email: string): Promise<string> {
	const id = randomUUID();
	await db.pool.query(
		`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
		 values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '$2a$10$squattersquattersquattersquattersquattersquattersqu', '{}', '{}', now(), now())`,
		[id, email]
	);
	return id;
}

const confirm = (id: string) => db.pool.query('update auth.users set email_confirmed_at = now() where id = $1', [id]);

/** A password change as Auth makes it (PUT /user from session `keep`; none: the admin API): one transaction that ends every other session. */
async function changePassword(id: string, hash: string, keep: string | null): Promise<void> {
	const client = await db.pool.connect();
	try {
		await client.query('begin');
		await client.query('update auth.users set encrypted_password = $2 where id = $1', [id, hash]);
		await client.query('delete from auth.sessions where user_id = $1 and id is distinct from $2', [id, keep]);
		await client.query('commit');
	} finally {
		client.release();
	}
}

/** A session as Auth opens it: `method` is its amr ('password', or 'otp'/'magiclink'/'email/signup' for an emailed link). */
async function openSession(userId: string, method: string): Promise<string> {
	const id = randomUUID();
	await db.pool.query(`insert into auth.sessions (id, user_id, created_at, updated_at, aal) values ($1, $2, now(), now(), 'aal1')`, [id, userId]);
	await db.pool.query(`insert into auth.refresh_tokens (token, user_id, revoked, created_at, updated_at, session_id) values ($1, $2, false, now(), now(), $3)`, [
		randomUUID().slice(0, 12),
		userId,
		id
	]);
	await db.pool.query(`insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method) values ($1, $2, now(), now(), $3)`, [
		randomUUID(),
		id,
		method
	]);
	return id;
}

/** Runs `sql` as the user in session `sessionId` (what REST does with that session's access token). */
async function asSession<T = any>(userId: string, email: string, sessionId: string | null, sql: string, params: unknown[] = []): Promise<T> {
	const client: pg.PoolClient = await db.pool.connect();
	try {
		await client.query('begin');
		const claims = { sub: userId, role: 'authenticated', aud: 'authenticated', email, ...(sessionId ? { session_id: sessionId } : {}) };
		await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
		const { rows } = await client.query(sql, params);
		await client.query('commit');
		return rows[0] as T;
	} catch (error) {
		await client.query('rollback');
		throw error;
	} finally {
		client.release();
	}
}

const refusal = (p: Promise<unknown>) => p.then(() => null, errorOf);
const stateOf = async (userId: string, email: string, sessionId: string | null) =>
	(await asSession<{ r: { state: string } }>(userId, email, sessionId, 'select public.account_access() as r')).r.state;
const sessionsOf = async (userId: string) => (await db.pool.query('select id from auth.sessions where user_id = $1 order by created_at, id', [userId])).rows.map((r) => r.id);
const refreshTokensOf = async (userId: string) => (await db.pool.query('select session_id from auth.refresh_tokens where user_id = $1', [userId])).rows.map((r) => r.session_id);

async function inviteAdmin(email: string): Promise<string> {
	const { rows } = await db.pool.query(`insert into public.team_invites (team_id, email, role, invited_by) values ($1, $2, 'admin', $3) returning id`, [teamId, email, owner.id]);
	return rows[0].id;
}

describe('an address registered by someone else first', () => {
	it('gives the squatter nothing after the owner confirms: not by password, not by changing the password, not by accepting', async () => {
		const email = 'victim-1@example.test';
		const victimId = await signUpUnconfirmed(email);
		const inviteId = await inviteAdmin(email);
		await db.pool.query('insert into public.job_shares (job_id, email, invited_by) values ($1, $2, $3)', [jobId, email, owner.id]);
		// The real owner confirms the address with an emailed link: Auth opens a session for them.
		await confirm(victimId);
		const victimSession = await openSession(victimId, 'email/signup');
		// The squatter's password still works at Auth now: a password session.
		const squatterSession = await openSession(victimId, 'password');

		expect(await stateOf(victimId, email, squatterSession)).toBe('email_link');
		const accept = (session: string) => refusal(asSession(victimId, email, session, 'select public.accept_team_invite($1)', [inviteId]));
		const claim = (session: string) => refusal(asSession(victimId, email, session, 'select public.claim_pending_access()'));
		expect(await accept(squatterSession)).toEqual({
			code: '42501',
			message:
				'sign in with a link emailed to you, then choose a new password, before you join a team: that proves the address is yours and ends any sign-in someone else opened with it'
		});
		expect((await claim(squatterSession))?.code).toBe('42501');
		// Changing the password from the squatter's session proves nothing (a password session never does),
		// and it ends the owner's session.
		await changePassword(victimId, '$2a$10$squatterchosethisonetooooooooooooooooooooooooooooooooo', squatterSession);
		expect(await stateOf(victimId, email, squatterSession)).toBe('email_link');
		expect((await accept(squatterSession))?.code).toBe('42501');
		// A token with no session (not one Auth issues) proves nothing either.
		expect((await refusal(asSession(victimId, email, null, 'select public.accept_team_invite($1)', [inviteId])))?.code).toBe('42501');

		const { rows } = await db.pool.query('select status from public.team_invites where id = $1', [inviteId]);
		expect(rows).toEqual([{ status: 'pending' }]);
		expect((await db.pool.query('select user_id from public.job_shares where job_id = $1 and email = $2', [jobId, email])).rows).toEqual([{ user_id: null }]);
		expect((await db.pool.query('select 1 from public.team_members where team_id = $1 and user_id = $2', [teamId, victimId])).rows).toEqual([]);
		expect(await stateOf(victimId, email, victimSession)).toBe('email_link');
		// Signing in by link again, the owner is asked for a new password: the current one is the squatter's.
		const again = await openSession(victimId, 'magiclink');
		expect(await stateOf(victimId, email, again)).toBe('choose_password');
	});

	it('lets the owner in once they choose a new password in the emailed-link session; every other session ends', async () => {
		const email = 'victim-2@example.test';
		const victimId = await signUpUnconfirmed(email);
		const inviteId = await inviteAdmin(email);
		await db.pool.query('insert into public.job_shares (job_id, email, invited_by) values ($1, $2, $3)', [jobId, email, owner.id]);
		await confirm(victimId);
		const squatterSession = await openSession(victimId, 'password');
		const victimSession = await openSession(victimId, 'otp');

		// The password predates the owner's session: it may be the squatter's.
		expect(await stateOf(victimId, email, victimSession)).toBe('choose_password');
		expect(await asSession(victimId, email, victimSession, 'select public.account_access() as r')).toEqual({
			r: { state: 'choose_password', credentials_proven: false, pending_shares: 1, pending_invites: 1 }
		});
		const refused = await refusal(asSession(victimId, email, victimSession, 'select public.accept_team_invite($1)', [inviteId]));
		expect(refused).toEqual({
			code: '42501',
			message: 'choose a new password before you join a team: a password chosen before your address was confirmed may not be yours, so it has to stop working'
		});

		await changePassword(victimId, '$2a$10$theownerchosethisoneoooooooooooooooooooooooooooooooooo', victimSession);
		expect(await stateOf(victimId, email, victimSession)).toBe('provable');
		// The password change ended the squatter's session; a sign-in opened since ends when the proof is recorded.
		expect(await sessionsOf(victimId)).toEqual([victimSession]);
		await openSession(victimId, 'password');
		const membership = await asSession(victimId, email, victimSession, 'select * from public.accept_team_invite($1)', [inviteId]);
		expect(membership).toMatchObject({ team_id: teamId, user_id: victimId, role: 'admin' });
		// Proving ended every other session and its refresh tokens; the owner's stays.
		expect(await sessionsOf(victimId)).toEqual([victimSession]);
		expect(await refreshTokensOf(victimId)).toEqual([victimSession]);
		expect(await stateOf(victimId, email, victimSession)).toBe('proven');
		expect(await asSession(victimId, email, victimSession, 'select public.claim_pending_access() as r')).toEqual({
			r: { attached: [{ job_id: jobId, tool_id: 'protein-properties', name: 'Secret' }], pending_invites: [] }
		});
		// The squatter's old token names a session that is gone.
		expect(await refusal(asSession(victimId, email, squatterSession, 'select public.claim_pending_access()'))).toMatchObject({ code: '42501' });
	});

	it('credits a password only to the one session left when it changed', async () => {
		const email = 'victim-3@example.test';
		const victimId = await signUpUnconfirmed(email);
		await confirm(victimId);
		const squatterSession = await openSession(victimId, 'password');
		await changePassword(victimId, '$2a$10$squattersecondpasswordoooooooooooooooooooooooooooooooo', squatterSession);
		// The owner signs in by magic link after that: the password is still not theirs.
		const victimSession = await openSession(victimId, 'magiclink');
		expect(await stateOf(victimId, email, victimSession)).toBe('choose_password');
		// An Auth that left other sessions alive on a password change would credit nobody.
		await db.pool.query('update auth.users set encrypted_password = $2 where id = $1', [victimId, '$2a$10$leftsessionsaliveooooooooooooooooooooooooooooooooooooo']);
		expect(await stateOf(victimId, email, victimSession)).toBe('choose_password');
		await changePassword(victimId, '$2a$10$ownerpasswordooooooooooooooooooooooooooooooooooooooooo', victimSession);
		expect(await stateOf(victimId, email, victimSession)).toBe('provable');
	});

	it('refuses a session that has ended, whatever the account', async () => {
		const email = 'victim-4@example.test';
		const victimId = await signUpUnconfirmed(email);
		await confirm(victimId);
		const ended = await openSession(victimId, 'otp');
		await db.pool.query('delete from auth.sessions where id = $1', [ended]);
		const refused = await refusal(asSession(victimId, email, ended, 'select public.claim_pending_access()'));
		expect(refused?.code).toBe('42501');
	});
});

describe('accounts that need no extra step', () => {
	it('proves an address confirmed in the same transaction that set its password (Auth admin, a sign-up confirmed at once), and keeps the proof', async () => {
		const client = await db.pool.connect();
		const id = randomUUID();
		try {
			await client.query('begin');
			await client.query(
				`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
				 values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', 'admin-made@example.test', '$2a$10$adminmadeooooooooooooooooooooooooooooooooooooooooooooo', '{}', '{}', now(), now())`,
				[id]
			);
			await client.query('update auth.users set email_confirmed_at = now() where id = $1', [id]);
			await client.query('commit');
		} finally {
			client.release();
		}
		const session = await openSession(id, 'password');
		expect(await stateOf(id, 'admin-made@example.test', session)).toBe('proven');
		// A later password change (in settings, from a password session) keeps it proven.
		await changePassword(id, '$2a$10$changedlateroooooooooooooooooooooooooooooooooooooooooo', session);
		expect(await stateOf(id, 'admin-made@example.test', session)).toBe('proven');
	});

	it('proves an account without a password once its address is confirmed; one whose password history is unknown is not', async () => {
		const passwordless = await createUser(db.pool, { email: 'passwordless@example.test', confirmed: false });
		await confirm(passwordless.id);
		expect(await stateOf(passwordless.id, passwordless.email, null)).toBe('proven');

		// An account from before the migration (no row in private.account_credentials) counts as having an old password.
		const legacy = await createUser(db.pool, { email: 'legacy@example.test' });
		await db.pool.query('delete from private.account_credentials where user_id = $1', [legacy.id]);
		const linkSession = await openSession(legacy.id, 'magiclink');
		expect(await stateOf(legacy.id, legacy.email, linkSession)).toBe('choose_password');
	});

	it('keeps the credentials table and the proof RPCs away from clients', async () => {
		const user = await createUser(db.pool);
		const session = await openSession(user.id, 'password');
		for (const sql of ['select * from private.account_credentials', `select private.require_proven_credentials('x')`, `select public.emails_with_accounts('{}')`]) {
			expect((await refusal(asSession(user.id, user.email, session, sql)))?.code, sql).toBe('42501');
		}
	});
});
