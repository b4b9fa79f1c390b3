import { describe, expect, it } from 'vitest';
import { waitForMail } from '../helpers/mail.ts';
import { serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { authClient, CLIENT_ADDRESS, fetchFrom, authFetch, authUrl, confirmedUser, follow, fragmentOf, otpCode, PASSWORD, ssrClient, verifyLink } from '../helpers/auth.ts';

describe('signInWithOtp (magic link and email code)', () => {
	it('emails an existing user a magic link that signs in (implicit)', async () => {
		const { email, userId } = await confirmedUser('magic');
		const redirectTo = `${stackInfo().siteUrl}/app`;
		const { data, error } = await authClient().auth.signInWithOtp({ email, options: { emailRedirectTo: redirectTo } });
		expect(error).toBeNull();
		expect(data).toEqual({ user: null, session: null });
		const mail = await waitForMail(email, { subject: /Your Magic Link/ });
		const link = new URL(verifyLink(mail));
		expect(link.searchParams.get('type')).toBe('magiclink');
		const location = await follow(link.toString());
		expect(location.origin + location.pathname).toBe(redirectTo);
		const fragment = fragmentOf(location);
		expect(fragment.get('type')).toBe('magiclink');
		const me = await authFetch('/user', { token: fragment.get('access_token')! });
		expect((await me.json()).id).toBe(userId);
	});

	it('signs in with the emailed code through verifyOtp (type email), once', async () => {
		const { email } = await confirmedUser('code');
		expect((await authClient().auth.signInWithOtp({ email })).error).toBeNull();
		const mail = await waitForMail(email, { subject: /Your Magic Link/ });
		const wrong = await authClient().auth.verifyOtp({ email, token: '000000' === otpCode(mail) ? '111111' : '000000', type: 'email' });
		expect(wrong.error?.code).toBe('otp_expired');
		expect(wrong.error?.status).toBe(403);
		expect(wrong.error?.message).toBe('Token has expired or is invalid');
		const right = await authClient().auth.verifyOtp({ email, token: otpCode(mail), type: 'email' });
		expect(right.error).toBeNull();
		expect(right.data.session?.user.email).toBe(email);
		const again = await authClient().auth.verifyOtp({ email, token: otpCode(mail), type: 'email' });
		expect(again.error?.code).toBe('otp_expired');
	});

	it('signs up an unknown address (a confirmation email) unless shouldCreateUser is false', async () => {
		const refused = uniqueEmail('nocreate');
		const no = await authClient().auth.signInWithOtp({ email: refused, options: { shouldCreateUser: false } });
		expect(no.error?.code).toBe('otp_disabled');
		expect(no.error?.status).toBe(422);

		const email = uniqueEmail('otpsignup');
		expect((await authClient().auth.signInWithOtp({ email, options: { data: { full_name: 'New' } } })).error).toBeNull();
		const mail = await waitForMail(email, { subject: /Confirm Your Signup/ });
		const verified = await authClient().auth.verifyOtp({ email, token: otpCode(mail), type: 'email' });
		expect(verified.error).toBeNull();
		expect(verified.data.user?.user_metadata.full_name).toBe('New');
		expect(verified.data.user?.email_confirmed_at).toBeTruthy();
	});

	it('uses PKCE with @supabase/ssr: the magic link redirects with a code', async () => {
		const { email } = await confirmedUser('magicpkce');
		const { client } = ssrClient();
		expect((await client.auth.signInWithOtp({ email, options: { emailRedirectTo: `${stackInfo().siteUrl}/auth/callback` } })).error).toBeNull();
		const mail = await waitForMail(email, { subject: /Your Magic Link/ });
		expect(new URL(verifyLink(mail)).searchParams.get('token')).toMatch(/^pkce_/);
		const location = await follow(verifyLink(mail));
		const exchanged = await client.auth.exchangeCodeForSession(location.searchParams.get('code')!);
		expect(exchanged.error).toBeNull();
		expect(exchanged.data.user?.email).toBe(email);
		// The code is spent by the exchange.
		const wrong = await authFetch('/token?grant_type=pkce', {
			method: 'POST',
			body: JSON.stringify({ auth_code: location.searchParams.get('code'), code_verifier: 'x'.repeat(43) })
		});
		expect(wrong.status).toBe(404);
	});
});

describe('PKCE exchange errors', () => {
	it('answers flow_state_not_found, bad_code_verifier and validation_failed', async () => {
		const unknown = await authFetch('/token?grant_type=pkce', { method: 'POST', body: JSON.stringify({ auth_code: crypto.randomUUID(), code_verifier: 'v'.repeat(43) }) });
		expect(unknown.status).toBe(404);
		expect(await unknown.json()).toEqual({ code: 'flow_state_not_found', message: 'invalid flow state, no valid flow state found' });

		const empty = await authFetch('/token?grant_type=pkce', { method: 'POST', body: JSON.stringify({ auth_code: '', code_verifier: '' }) });
		expect(empty.status).toBe(400);
		expect((await empty.json()).code).toBe('validation_failed');

		const { email } = await confirmedUser('verifier');
		const { client } = ssrClient();
		await client.auth.signInWithOtp({ email });
		const mail = await waitForMail(email, { subject: /Your Magic Link/ });
		const code = (await follow(verifyLink(mail))).searchParams.get('code');
		const bad = await authFetch('/token?grant_type=pkce', { method: 'POST', body: JSON.stringify({ auth_code: code, code_verifier: 'w'.repeat(43) }) });
		expect(bad.status).toBe(400);
		expect(await bad.json()).toEqual({ code: 'bad_code_verifier', message: 'code challenge does not match previously saved code verifier' });
	});

	it('accepts the plain code_challenge_method', async () => {
		const { email } = await confirmedUser('plain');
		const verifier = 'p'.repeat(50);
		const res = await authFetch('/otp', { method: 'POST', body: JSON.stringify({ email, code_challenge: verifier, code_challenge_method: 'plain' }) });
		expect(res.status).toBe(200);
		const mail = await waitForMail(email, { subject: /Your Magic Link/ });
		const code = (await follow(verifyLink(mail))).searchParams.get('code');
		const ok = await authFetch('/token?grant_type=pkce', { method: 'POST', body: JSON.stringify({ auth_code: code, code_verifier: verifier }) });
		expect(ok.status).toBe(200);
		expect((await ok.json()).user.email).toBe(email);
	});
});

describe('resetPasswordForEmail', () => {
	it('emails a recovery link whose session may set a new password', async () => {
		const { email } = await confirmedUser('recover');
		const redirectTo = `${stackInfo().siteUrl}/reset`;
		expect((await authClient().auth.resetPasswordForEmail(email, { redirectTo })).error).toBeNull();
		const mail = await waitForMail(email, { subject: /Reset Your Password/ });
		const location = await follow(verifyLink(mail));
		expect(location.origin + location.pathname).toBe(redirectTo);
		const fragment = fragmentOf(location);
		expect(fragment.get('type')).toBe('recovery');
		const client = authClient();
		await client.auth.setSession({ access_token: fragment.get('access_token')!, refresh_token: fragment.get('refresh_token')! });
		expect((await client.auth.updateUser({ password: 'recovered-password' })).error).toBeNull();
		expect((await authClient().auth.signInWithPassword({ email, password: 'recovered-password' })).error).toBeNull();
	});

	it('answers unknown addresses the same way and sends nothing', async () => {
		const { data, error } = await authClient().auth.resetPasswordForEmail(uniqueEmail('ghost'));
		expect(error).toBeNull();
		expect(data).toEqual({});
	});
});

describe('inviteUserByEmail', () => {
	it('creates the user, emails an invite whose link signs them in, and lets them choose a password', async () => {
		const email = uniqueEmail('invitee');
		const redirectTo = `${stackInfo().siteUrl}/welcome`;
		const { data, error } = await serviceClient().auth.admin.inviteUserByEmail(email, { data: { team: 'lab' }, redirectTo });
		expect(error).toBeNull();
		expect(data.user?.invited_at).toBeTruthy();
		expect(data.user?.user_metadata).toEqual({ team: 'lab' });
		expect(data.user).not.toHaveProperty('email_confirmed_at');

		const mail = await waitForMail(email, { subject: /You have been invited/ });
		const location = await follow(verifyLink(mail));
		expect(location.origin + location.pathname).toBe(redirectTo);
		const fragment = fragmentOf(location);
		expect(fragment.get('type')).toBe('invite');
		const client = authClient();
		await client.auth.setSession({ access_token: fragment.get('access_token')!, refresh_token: fragment.get('refresh_token')! });
		const me = await client.auth.getUser();
		expect(me.data.user?.email_confirmed_at).toBeTruthy();
		expect((await client.auth.updateUser({ password: PASSWORD })).error).toBeNull();
		expect((await authClient().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();

		const again = await serviceClient().auth.admin.inviteUserByEmail(email);
		expect(again.error?.code).toBe('email_exists');
		expect(again.error?.status).toBe(422);
	});

	it('is for the service role only', async () => {
		const { error } = await authClient().auth.admin.inviteUserByEmail(uniqueEmail('nope'));
		expect(error?.status).toBe(403);
		expect(error?.code).toBe('not_admin');
	});
});

describe('GET /verify', () => {
	it('needs no API key, redirects to the site URL when redirect_to is not allowed, and reports errors in the fragment', async () => {
		const res = await fetchFrom(CLIENT_ADDRESS)(`${authUrl('/verify')}?token=deadbeef&type=signup&redirect_to=${encodeURIComponent('https://evil.example/steal')}`, { redirect: 'manual' });
		expect(res.status).toBe(303);
		const location = new URL(res.headers.get('location')!);
		expect(location.origin).toBe(new URL(stackInfo().siteUrl).origin);
		const fragment = fragmentOf(location);
		expect(fragment.get('error')).toBe('access_denied');
		expect(fragment.get('error_code')).toBe('otp_expired');
		expect(fragment.get('error_description')).toBe('Email link is invalid or has expired');

		const allowed = await fetchFrom(CLIENT_ADDRESS)(`${authUrl('/verify')}?token=deadbeef&type=magiclink&redirect_to=${encodeURIComponent('http://localhost:5173/deep/path')}`, { redirect: 'manual' });
		expect(allowed.headers.get('location')).toMatch(/^http:\/\/localhost:5173\/deep\/path#error=/);

		const noType = await fetchFrom(CLIENT_ADDRESS)(`${authUrl('/verify')}?token=abc`, { headers: { 'x-supabase-api-version': '2024-01-01' } });
		expect(noType.status).toBe(400);
		expect(await noType.json()).toEqual({ code: 'validation_failed', message: 'Verify requires a verification type' });
	});

	it('refuses an expired link', async () => {
		const email = uniqueEmail('expiredlink');
		const { data } = await authClient().auth.signUp({ email, password: PASSWORD });
		const mail = await waitForMail(email, { subject: /Confirm Your Signup/ });
		const { adminPool } = await import('../helpers/stack.ts');
		const pool = adminPool(1);
		try {
			await pool.query("update auth.users set confirmation_sent_at = now() - interval '2 hours' where id = $1", [data.user!.id]);
		} finally {
			await pool.end();
		}
		expect(fragmentOf(await follow(verifyLink(mail))).get('error_code')).toBe('otp_expired');
	});
});
