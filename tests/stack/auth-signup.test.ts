import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { waitForMail } from '../helpers/mail.ts';
import { adminPool, serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { authClient, CLIENT_ADDRESS, fetchFrom, authFetch, follow, fragmentOf, otpCode, PASSWORD, signUpAndWaitForMail, ssrClient, verifyLink } from '../helpers/auth.ts';

let pool: pg.Pool;

beforeAll(async () => {
	pool = adminPool();
	// A fixture table filled by triggers on auth.users, the way the domain schema reacts to
	// new and confirmed users. They only act on addresses starting with "trigger-" or
	// "failtrigger-", so other test files running in parallel are unaffected.
	await pool.query(`
		create table if not exists public.auth_trigger_log (
			user_id uuid not null, event text not null, email text, full_name text, at timestamptz not null default now());
		create or replace function public.auth_trigger_fixture() returns trigger
		language plpgsql security definer set search_path = '' as $$
		begin
			if new.email like 'failtrigger-%' then
				raise exception 'fixture trigger refuses %', new.email;
			end if;
			if new.email like 'trigger-%' then
				if tg_op = 'INSERT' then
					insert into public.auth_trigger_log (user_id, event, email, full_name)
					values (new.id, 'created', new.email, new.raw_user_meta_data ->> 'full_name');
				elsif old.email_confirmed_at is null and new.email_confirmed_at is not null then
					insert into public.auth_trigger_log (user_id, event, email) values (new.id, 'confirmed', new.email);
				end if;
			end if;
			return new;
		end $$;
		drop trigger if exists auth_trigger_fixture_insert on auth.users;
		drop trigger if exists auth_trigger_fixture_update on auth.users;
		create trigger auth_trigger_fixture_insert after insert on auth.users for each row execute function public.auth_trigger_fixture();
		create trigger auth_trigger_fixture_update after update on auth.users for each row execute function public.auth_trigger_fixture();
	`);
});

afterAll(async () => {
	await pool.query(`
		drop trigger if exists auth_trigger_fixture_insert on auth.users;
		drop trigger if exists auth_trigger_fixture_update on auth.users;
		drop function if exists public.auth_trigger_fixture();
		drop table if exists public.auth_trigger_log;
	`);
	await pool.end();
});

describe('signUp with email confirmations on', () => {
	it('returns the user without a session and emails a confirmation link that signs in (implicit flow)', async () => {
		const email = uniqueEmail('signup');
		const redirectTo = `${stackInfo().siteUrl}/welcome`;
		const { result, mail } = await signUpAndWaitForMail(email, { data: { full_name: 'Ada' }, emailRedirectTo: redirectTo });
		expect(result.data.session).toBeNull();
		const user = result.data.user!;
		expect(user).toMatchObject({ aud: 'authenticated', role: 'authenticated', email, phone: '', is_anonymous: false });
		expect(user.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
		expect(user.user_metadata).toEqual({ sub: user.id, email, email_verified: false, phone_verified: false, full_name: 'Ada' });
		expect(user.confirmation_sent_at).toBeTruthy();
		expect(user).not.toHaveProperty('email_confirmed_at');
		expect(user.identities).toHaveLength(1);
		expect(user.identities![0]).toMatchObject({ id: user.id, user_id: user.id, provider: 'email', email });

		expect(mail.to).toEqual([email]);
		const link = new URL(verifyLink(mail));
		expect(link.origin + link.pathname).toBe(`${stackInfo().apiUrl}/auth/v1/verify`);
		expect(link.searchParams.get('type')).toBe('signup');
		expect(link.searchParams.get('redirect_to')).toBe(redirectTo);
		expect(link.searchParams.get('token')).toMatch(/^[0-9a-f]{56}$/);
		// The stored hash is hex(SHA-224(email + otp)), also kept in one_time_tokens.
		const { createHash } = await import('node:crypto');
		expect(link.searchParams.get('token')).toBe(createHash('sha224').update(email + otpCode(mail)).digest('hex'));
		const stored = await pool.query('select u.confirmation_token, t.token_type, t.relates_to from auth.users u join auth.one_time_tokens t on t.user_id = u.id where u.id = $1', [user.id]);
		expect(stored.rows).toEqual([{ confirmation_token: link.searchParams.get('token'), token_type: 'confirmation_token', relates_to: email }]);

		// Signing in before confirming is refused.
		const early = await authClient().auth.signInWithPassword({ email, password: PASSWORD });
		expect(early.error?.code).toBe('email_not_confirmed');
		expect(early.error?.status).toBe(400);

		const location = await follow(link.toString());
		expect(location.origin + location.pathname).toBe(redirectTo);
		const fragment = fragmentOf(location);
		expect(fragment.get('type')).toBe('signup');
		expect(fragment.get('token_type')).toBe('bearer');
		expect(Number(fragment.get('expires_in'))).toBeGreaterThan(3500);
		expect(Number(fragment.get('expires_at'))).toBeGreaterThan(Date.now() / 1000);

		const client = authClient();
		const set = await client.auth.setSession({ access_token: fragment.get('access_token')!, refresh_token: fragment.get('refresh_token')! });
		expect(set.error).toBeNull();
		const me = await client.auth.getUser();
		expect(me.data.user?.email_confirmed_at).toBeTruthy();
		expect(me.data.user?.user_metadata.email_verified).toBe(true);
		expect(me.data.user?.identities?.[0].identity_data?.email_verified).toBe(true);

		// The link works once.
		const again = await follow(link.toString());
		const error = fragmentOf(again);
		expect(error.get('error')).toBe('access_denied');
		expect(error.get('error_code')).toBe('otp_expired');
		expect(error.get('error_description')).toBe('Email link is invalid or has expired');

		// Now the password works.
		const signIn = await authClient().auth.signInWithPassword({ email, password: PASSWORD });
		expect(signIn.error).toBeNull();
		expect(signIn.data.session?.user.id).toBe(user.id);
	});

	it('confirms through @supabase/ssr with PKCE: the link redirects with ?code= which exchanges for a session', async () => {
		const email = uniqueEmail('pkce');
		const { client, cookies } = ssrClient();
		const redirectTo = `${stackInfo().siteUrl}/auth/callback`;
		const result = await client.auth.signUp({ email, password: PASSWORD, options: { emailRedirectTo: redirectTo } });
		expect(result.error).toBeNull();
		expect(result.data.session).toBeNull();
		const flow = await pool.query('select code_challenge_method::text, authentication_method, provider_type from auth.flow_state where user_id = $1', [result.data.user!.id]);
		expect(flow.rows).toEqual([{ code_challenge_method: 's256', authentication_method: 'email/signup', provider_type: 'email' }]);

		const mail = await waitForMail(email, { subject: /Confirm Your Signup/ });
		const link = new URL(verifyLink(mail));
		expect(link.searchParams.get('token')).toMatch(/^pkce_[0-9a-f]{56}$/);
		const location = await follow(link.toString());
		expect(location.origin + location.pathname).toBe(redirectTo);
		expect(location.hash).toBe('');
		const code = location.searchParams.get('code')!;
		expect(code).toMatch(/^[0-9a-f-]{36}$/);

		const exchanged = await client.auth.exchangeCodeForSession(code);
		expect(exchanged.error).toBeNull();
		expect(exchanged.data.session?.user.email).toBe(email);
		expect([...cookies.keys()].some((name) => name.startsWith('sb-127-auth-token'))).toBe(true);
		const claims = JSON.parse(Buffer.from(exchanged.data.session!.access_token.split('.')[1], 'base64url').toString());
		expect(claims.amr).toEqual([{ method: 'email/signup', timestamp: expect.any(Number) }]);

		// A code is good once.
		const second = await ssrClient().client.auth.exchangeCodeForSession(code);
		expect(second.error).not.toBeNull();
	});

	it('does not reveal that an address is taken: a confirmed user signing up again gets an obfuscated user and no email', async () => {
		const email = uniqueEmail('taken');
		const created = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
		expect(created.error).toBeNull();
		const again = await authClient().auth.signUp({ email, password: 'another-password' });
		expect(again.error).toBeNull();
		expect(again.data.session).toBeNull();
		expect(again.data.user?.id).not.toBe(created.data.user!.id);
		expect(again.data.user?.identities).toEqual([]);
	});

	it('limits confirmation emails to one address per max_frequency', async () => {
		const email = uniqueEmail('ratelimit');
		await signUpAndWaitForMail(email);
		// Pretend the first email went out just now (the window is 1 s; no timing race in the test).
		await pool.query("update auth.users set confirmation_sent_at = now() + interval '30 seconds' where email = $1", [email]);
		const again = await authClient().auth.signUp({ email, password: PASSWORD });
		expect(again.error?.status).toBe(429);
		expect(again.error?.code).toBe('over_email_send_rate_limit');
		expect(again.error?.message).toMatch(/^For security purposes, you can only request this after \d+ seconds\.$/);
	});

	it('refuses weak passwords, bad addresses, phones and missing passwords with GoTrue’s errors', async () => {
		const weak = await authClient().auth.signUp({ email: uniqueEmail('weak'), password: '123' });
		expect(weak.error?.status).toBe(422);
		expect(weak.error?.code).toBe('weak_password');
		expect((weak.error as { reasons?: string[] }).reasons).toEqual(['length']);
		expect(weak.error?.message).toBe('Password should be at least 8 characters.');

		const invalid = await authClient().auth.signUp({ email: 'not-an-email', password: PASSWORD });
		expect(invalid.error?.status).toBe(400);
		expect(invalid.error?.code).toBe('validation_failed');
		expect(invalid.error?.message).toBe('Unable to validate email address: invalid format');

		const raw = await authFetch('/signup', { method: 'POST', body: JSON.stringify({ email: uniqueEmail('nopw') }) });
		expect(raw.status).toBe(400);
		expect(raw.headers.get('x-supabase-api-version')).toBe('2024-01-01');
		expect(await raw.json()).toEqual({ code: 'validation_failed', message: 'Signup requires a valid password' });

		const badJson = await authFetch('/signup', { method: 'POST', body: '{"email":' });
		expect(badJson.status).toBe(400);
		expect((await badJson.json()).code).toBe('bad_json');

		const wrongType = await authFetch('/signup', { method: 'POST', body: JSON.stringify({ email: 42, password: PASSWORD }) });
		expect(wrongType.status).toBe(400);
		expect((await wrongType.json()).code).toBe('bad_json');
	});

	it('answers in the legacy error shape when the request names no API version', async () => {
		const res = await fetchFrom(CLIENT_ADDRESS)(`${stackInfo().apiUrl}/auth/v1/signup`, {
			method: 'POST',
			headers: { apikey: stackInfo().anonKey, 'content-type': 'application/json' },
			body: JSON.stringify({ email: uniqueEmail('legacy'), password: '1' })
		});
		expect(res.status).toBe(422);
		expect(res.headers.get('x-supabase-api-version')).toBeNull();
		expect(await res.json()).toEqual({ code: 422, error_code: 'weak_password', msg: 'Password should be at least 8 characters.', weak_password: { reasons: ['length'] } });
	});
});

describe('triggers on auth.users', () => {
	it('fire on signup with the signup data and again when the email is confirmed', async () => {
		const email = uniqueEmail('trigger');
		const { result, mail } = await signUpAndWaitForMail(email, { data: { full_name: 'Grace Hopper' } });
		const userId = result.data.user!.id;
		const created = await pool.query('select event, email, full_name from public.auth_trigger_log where user_id = $1 order by at', [userId]);
		expect(created.rows).toEqual([{ event: 'created', email, full_name: 'Grace Hopper' }]);

		await follow(verifyLink(mail));
		const after = await pool.query('select event from public.auth_trigger_log where user_id = $1 order by at, event desc', [userId]);
		expect(after.rows.map((r) => r.event)).toEqual(['created', 'confirmed']);
	});

	it('turn a failing insert trigger into 500 "Database error saving new user" and leave no user behind', async () => {
		const email = uniqueEmail('failtrigger');
		const res = await authFetch('/signup', { method: 'POST', body: JSON.stringify({ email, password: PASSWORD }) });
		expect(res.status).toBe(500);
		expect(await res.json()).toEqual({ code: 'unexpected_failure', message: 'Database error saving new user' });
		const { rowCount } = await pool.query('select 1 from auth.users where email = $1', [email]);
		expect(rowCount).toBe(0);
	});
});
