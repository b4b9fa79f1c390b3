// secure_password_change, from the side of someone holding a session that is
// not theirs (a stolen cookie, a shared computer): with a session signed in
// over 24 hours ago, or a bare token, the password cannot be changed without
// the code GET /reauthenticate emails to the account's owner.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../supabase/local/config.ts';
import { clientFrom, confirmedUser, fetchFrom, otpCode, PASSWORD, randomLoopbackAddress, signedToken } from '../helpers/auth.ts';
import { waitForMail } from '../helpers/mail.ts';
import { adminPool, stackInfo } from '../helpers/stack.ts';

let pool: pg.Pool;
beforeAll(() => {
	pool = adminPool();
});
afterAll(async () => {
	await pool.end();
});

function sessionIdOf(accessToken: string): string {
	return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).session_id as string;
}

/** A signed-in user whose session began 25 hours ago. */
async function oldSession(prefix: string) {
	const user = await confirmedUser(prefix);
	const { data } = await user.client.auth.getSession();
	await pool.query("update auth.sessions set created_at = now() - interval '25 hours' where id = $1", [sessionIdOf(data.session!.access_token)]);
	return user;
}

async function signsInWith(email: string, password: string): Promise<boolean> {
	return (await clientFrom(randomLoopbackAddress()).auth.signInWithPassword({ email, password })).error === null;
}

describe('changing the password (secure_password_change)', () => {
	it('is on in config.toml', () => {
		expect(loadConfig().auth.securePasswordChange).toBe(true);
	});

	it('is allowed without a code within 24 hours of signing in', async () => {
		const { client, email } = await confirmedUser('recent');
		expect((await client.auth.updateUser({ password: 'fresh-session-password' })).error).toBeNull();
		expect(await signsInWith(email, 'fresh-session-password')).toBe(true);
	});

	it('is refused with reauthentication_needed for a session signed in over 24 hours ago, and for a token with no session', async () => {
		const { client, email, userId } = await oldSession('stale');
		const stale = await client.auth.updateUser({ password: 'taken-over-password' });
		expect(stale.error?.status).toBe(400);
		expect(stale.error?.code).toBe('reauthentication_needed');
		expect(stale.error?.message).toBe('Password update requires reauthentication');

		const now = Math.floor(Date.now() / 1000);
		const bare = signedToken({ sub: userId, role: 'authenticated', aud: 'authenticated', email, exp: now + 600, iat: now });
		const res = await fetchFrom(randomLoopbackAddress())(`${stackInfo().apiUrl}/auth/v1/user`, {
			method: 'PUT',
			headers: { apikey: stackInfo().anonKey, authorization: `Bearer ${bare}`, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
			body: JSON.stringify({ password: 'taken-over-password' })
		});
		expect(res.status).toBe(400);
		expect((await res.json()).code).toBe('reauthentication_needed');

		expect(await signsInWith(email, 'taken-over-password')).toBe(false);
		expect(await signsInWith(email, PASSWORD)).toBe(true);
		// Other changes need no code.
		expect((await client.auth.updateUser({ data: { display_name: 'Still me' } })).error).toBeNull();
	});

	it('works with the emailed code as nonce, once; a wrong code is refused', async () => {
		const { client, email } = await oldSession('nonce');
		expect((await client.auth.reauthenticate()).error).toBeNull();
		const mail = await waitForMail(email, { subject: /Confirm Reauthentication/ });
		const nonce = otpCode(mail);

		const wrong = await client.auth.updateUser({ password: 'guessed-nonce-password', nonce: nonce === '000000' ? '111111' : '000000' });
		expect(wrong.error?.status).toBe(422);
		expect(wrong.error?.code).toBe('reauthentication_not_valid');
		expect(wrong.error?.message).toBe('Nonce has expired or is invalid');

		expect((await client.auth.updateUser({ password: 'reauthenticated-password', nonce })).error).toBeNull();
		expect(await signsInWith(email, 'reauthenticated-password')).toBe(true);

		const again = await client.auth.updateUser({ password: 'second-use-password', nonce });
		expect(again.error?.code).toBe('reauthentication_not_valid');
	});

	it('sends codes no faster than max_frequency', async () => {
		const { client, userId } = await confirmedUser('spacing');
		expect((await client.auth.reauthenticate()).error).toBeNull();
		// Pretend the code went out just now (the window is 1 s; no timing race in the test).
		await pool.query("update auth.users set reauthentication_sent_at = now() + interval '30 seconds' where id = $1", [userId]);
		const second = await client.auth.reauthenticate();
		expect(second.error?.status).toBe(429);
		expect(second.error?.code).toBe('over_email_send_rate_limit');
	});
});
