import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { adminPool, stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { authClient, authFetch, confirmedUser, PASSWORD, signedToken } from '../helpers/auth.ts';

let pool: pg.Pool;
beforeAll(() => {
	pool = adminPool();
});
afterAll(async () => {
	await pool.end();
});

function claimsOf(token: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

async function refresh(refreshToken: string): Promise<Response> {
	return authFetch('/token?grant_type=refresh_token', { method: 'POST', body: JSON.stringify({ refresh_token: refreshToken }) });
}

describe('password grant', () => {
	it('issues a session whose access token carries Supabase’s claims', async () => {
		const { email, client, userId } = await confirmedUser('claims');
		const { data } = await client.auth.getSession();
		const session = data.session!;
		expect(session.token_type).toBe('bearer');
		expect(session.expires_in).toBeGreaterThan(3590);
		expect(session.refresh_token).toMatch(/^[a-z0-9]{12}$/);
		const header = JSON.parse(Buffer.from(session.access_token.split('.')[0], 'base64url').toString());
		// supabase/config.toml gives the project an ES256 signing key ([auth] signing_keys_path).
		expect(header).toMatchObject({ alg: 'ES256', kid: expect.any(String), typ: 'JWT' });
		const claims = claimsOf(session.access_token);
		expect(claims).toMatchObject({
			iss: `${stackInfo().apiUrl}/auth/v1`,
			sub: userId,
			aud: 'authenticated',
			email,
			phone: '',
			app_metadata: { provider: 'email', providers: ['email'] },
			role: 'authenticated',
			aal: 'aal1',
			amr: [{ method: 'password', timestamp: expect.any(Number) }],
			is_anonymous: false
		});
		expect(claims.exp).toBe((claims.iat as number) + 3600);
		expect(claims.exp).toBe(session.expires_at);
		const stored = await pool.query('select user_id, aal::text from auth.sessions where id = $1', [claims.session_id]);
		expect(stored.rows).toEqual([{ user_id: userId, aal: 'aal1' }]);
		const user = await client.auth.getUser();
		expect(user.data.user?.last_sign_in_at).toBeTruthy();
	});

	it('refuses a wrong password and an unknown address alike', async () => {
		const { email } = await confirmedUser('wrongpw');
		for (const attempt of [{ email, password: 'wrong-password' }, { email: uniqueEmail('nobody'), password: PASSWORD }]) {
			const { error, data } = await authClient().auth.signInWithPassword(attempt);
			expect(data.session).toBeNull();
			expect(error?.status).toBe(400);
			expect(error?.code).toBe('invalid_credentials');
			expect(error?.message).toBe('Invalid login credentials');
		}
		const unsupported = await authFetch('/token?grant_type=magic', { method: 'POST', body: '{}' });
		expect(unsupported.status).toBe(400);
		expect(await unsupported.json()).toEqual({ code: 'invalid_credentials', message: 'unsupported_grant_type' });
	});
});

describe('refresh_token grant', () => {
	it('rotates the refresh token and revokes the old one', async () => {
		const { client } = await confirmedUser('rotate');
		const first = (await client.auth.getSession()).data.session!;
		const refreshed = await client.auth.refreshSession();
		expect(refreshed.error).toBeNull();
		const second = refreshed.data.session!;
		expect(second.refresh_token).not.toBe(first.refresh_token);
		expect(claimsOf(second.access_token).session_id).toBe(claimsOf(first.access_token).session_id);
		const rows = await pool.query('select token, revoked, parent from auth.refresh_tokens where token = any($1) order by id', [[first.refresh_token, second.refresh_token]]);
		expect(rows.rows).toEqual([
			{ token: first.refresh_token, revoked: true, parent: null },
			{ token: second.refresh_token, revoked: false, parent: first.refresh_token }
		]);
	});

	it('accepts the parent again within the reuse interval (parallel SSR refreshes) and answers with its child', async () => {
		const { client } = await confirmedUser('reuse');
		const parent = (await client.auth.getSession()).data.session!.refresh_token;
		const [a, b] = await Promise.all([refresh(parent), refresh(parent)]);
		expect(a.status).toBe(200);
		expect(b.status).toBe(200);
		const [bodyA, bodyB] = [await a.json(), await b.json()];
		expect(bodyA.refresh_token).toBe(bodyB.refresh_token);
		expect(bodyA.refresh_token).not.toBe(parent);
		const me = await authFetch('/user', { token: bodyB.access_token });
		expect(me.status).toBe(200);
	});

	it('treats reuse of a spent token after the interval as theft: refresh_token_already_used, and the session is revoked', async () => {
		const { client } = await confirmedUser('stolen');
		const session = (await client.auth.getSession()).data.session!;
		const child = (await (await refresh(session.refresh_token)).json()).refresh_token;
		const grandchild = (await (await refresh(child)).json()).refresh_token;
		// The parent was revoked 11 s ago (the configured interval is 10 s).
		await pool.query("update auth.refresh_tokens set updated_at = now() - interval '11 seconds' where token = $1", [session.refresh_token]);
		const reuse = await refresh(session.refresh_token);
		expect(reuse.status).toBe(400);
		expect(await reuse.json()).toEqual({ code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' });
		// The family is gone: the newest token is refused, and so is the session's access token.
		const latest = await refresh(grandchild);
		expect(latest.status).toBe(400);
		expect((await latest.json()).code).toBe('refresh_token_not_found');
		const me = await authFetch('/user', { token: session.access_token });
		expect(me.status).toBe(403);
		expect((await me.json()).code).toBe('session_not_found');
	});

	it('hands out the unused child again when its parent comes back, even after the interval (GoTrue)', async () => {
		const { client } = await confirmedUser('lostchild');
		const parent = (await client.auth.getSession()).data.session!.refresh_token;
		const child = (await (await refresh(parent)).json()).refresh_token;
		await pool.query("update auth.refresh_tokens set updated_at = now() - interval '60 seconds' where token = $1", [parent]);
		const again = await refresh(parent);
		expect(again.status).toBe(200);
		expect((await again.json()).refresh_token).toBe(child);
	});

	it('refuses unknown and missing refresh tokens', async () => {
		const unknown = await authClient().auth.refreshSession({ refresh_token: 'nosuchtoken1' });
		expect(unknown.error?.code).toBe('refresh_token_not_found');
		expect(unknown.error?.status).toBe(400);
		const missing = await refresh('');
		expect(missing.status).toBe(400);
		expect(await missing.json()).toEqual({ error: 'invalid_request', error_description: 'refresh_token required' });
	});

	it('lets a client whose access token expired get a new one with its refresh token', async () => {
		const { client, userId } = await confirmedUser('expired');
		const session = (await client.auth.getSession()).data.session!;
		const claims = claimsOf(session.access_token);
		const now = Math.floor(Date.now() / 1000);
		const expired = signedToken({ ...claims, iat: now - 7200, exp: now - 3600 });
		const refused = await authFetch('/user', { token: expired });
		expect(refused.status).toBe(403);
		expect(await refused.json()).toMatchObject({ code: 'bad_jwt', message: expect.stringContaining('token is expired') });

		// supabase-js refreshes a session that is past its expiry before using it.
		const other = authClient();
		await other.auth.setSession({ access_token: expired, refresh_token: session.refresh_token });
		const me = await other.auth.getUser();
		expect(me.error).toBeNull();
		expect(me.data.user?.id).toBe(userId);
		const renewed = (await other.auth.getSession()).data.session!;
		expect(renewed.access_token).not.toBe(expired);
		expect(renewed.refresh_token).not.toBe(session.refresh_token);
	});
});

describe('GET /user refuses tokens it did not issue', () => {
	it('refuses forged, wrong-secret, unsigned and malformed tokens with bad_jwt', async () => {
		const { client } = await confirmedUser('forged');
		const token = (await client.auth.getSession()).data.session!.access_token;
		const [header, payload] = token.split('.');
		const claims = claimsOf(token);
		const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'service_role' })).toString('base64url')}.${token.split('.')[2]}`;
		const wrongSecret = signedToken(claims, 'another-secret-that-is-at-least-32-characters');
		const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
		for (const bad of [tampered, wrongSecret, none, 'not-a-jwt']) {
			const res = await authFetch('/user', { token: bad });
			expect(res.status).toBe(403);
			expect((await res.json()).code).toBe('bad_jwt');
		}
		const viaClient = await authClient().auth.getUser(wrongSecret);
		expect(viaClient.data.user).toBeNull();
		expect(viaClient.error?.status).toBe(403);
	});

	it('refuses the anon key (no sub), a deleted user and a missing bearer', async () => {
		const anon = await authFetch('/user');
		expect(anon.status).toBe(403);
		expect(await anon.json()).toEqual({ code: 'bad_jwt', message: 'invalid claim: missing sub claim' });

		const now = Math.floor(Date.now() / 1000);
		const ghost = signedToken({ sub: crypto.randomUUID(), aud: 'authenticated', role: 'authenticated', exp: now + 60 });
		const res = await authFetch('/user', { token: ghost });
		expect(res.status).toBe(403);
		expect(await res.json()).toEqual({ code: 'user_not_found', message: 'User from sub claim in JWT does not exist' });

		const bare = await fetch(`${stackInfo().apiUrl}/auth/v1/logout`, { method: 'POST', headers: { 'x-supabase-api-version': '2024-01-01' } });
		expect(bare.status).toBe(401);
	});
});

describe('signOut', () => {
	async function twoSessions() {
		const { email, client } = await confirmedUser('logout');
		const second = authClient();
		expect((await second.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		const tokenOf = async (c: typeof client) => (await c.auth.getSession()).data.session!;
		return { first: await tokenOf(client), second: await tokenOf(second), client };
	}
	const status = async (token: string) => (await authFetch('/user', { token })).status;

	it('scope local ends only this session', async () => {
		const { first, second } = await twoSessions();
		const res = await authFetch('/logout?scope=local', { method: 'POST', token: first.access_token });
		expect(res.status).toBe(204);
		expect(await status(first.access_token)).toBe(403);
		expect(await status(second.access_token)).toBe(200);
		expect((await refresh(first.refresh_token)).status).toBe(400);
	});

	it('scope others ends every other session', async () => {
		const { first, second } = await twoSessions();
		expect((await authFetch('/logout?scope=others', { method: 'POST', token: first.access_token })).status).toBe(204);
		expect(await status(first.access_token)).toBe(200);
		expect(await status(second.access_token)).toBe(403);
	});

	it('scope global (the default of signOut) ends all sessions of the user', async () => {
		const { first, second, client } = await twoSessions();
		const { error } = await client.auth.signOut();
		expect(error).toBeNull();
		expect(await status(first.access_token)).toBe(403);
		expect(await status(second.access_token)).toBe(403);
		const bad = await authFetch('/logout?scope=everything', { method: 'POST', token: second.access_token });
		expect(bad.status).toBe(403);
	});
});
