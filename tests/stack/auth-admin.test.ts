import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { adminPool, serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { authClient, authFetch, authUrl, follow, fragmentOf, PASSWORD } from '../helpers/auth.ts';

let pool: pg.Pool;
beforeAll(() => {
	pool = adminPool();
});
afterAll(async () => {
	await pool.end();
});

describe('admin users API', () => {
	it('creates, reads, updates and deletes a user', async () => {
		const admin = serviceClient().auth.admin;
		const email = uniqueEmail('admin');
		const created = await admin.createUser({
			email,
			password: PASSWORD,
			email_confirm: true,
			user_metadata: { full_name: 'Admin Made' },
			app_metadata: { plan: 'pro' }
		});
		expect(created.error).toBeNull();
		const user = created.data.user!;
		expect(user).toMatchObject({ email, aud: 'authenticated', role: 'authenticated', phone: '' });
		expect(user.email_confirmed_at).toBeTruthy();
		expect(user.app_metadata).toEqual({ provider: 'email', providers: ['email'], plan: 'pro' });
		expect(user.user_metadata).toEqual({ full_name: 'Admin Made', email_verified: true });
		const hash = await pool.query('select encrypted_password from auth.users where id = $1', [user.id]);
		expect(hash.rows[0].encrypted_password).toMatch(/^\$2a\$10\$/);
		expect((await authClient().auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();

		const got = await admin.getUserById(user.id);
		expect(got.data.user?.id).toBe(user.id);

		const updated = await admin.updateUserById(user.id, { user_metadata: { full_name: null, title: 'Dr' }, app_metadata: { plan: 'free' }, password: 'changed-by-admin' });
		expect(updated.error).toBeNull();
		expect(updated.data.user?.user_metadata).toEqual({ email_verified: true, title: 'Dr' });
		expect(updated.data.user?.app_metadata.plan).toBe('free');
		expect((await authClient().auth.signInWithPassword({ email, password: 'changed-by-admin' })).error).toBeNull();

		const banned = await admin.updateUserById(user.id, { ban_duration: '24h' });
		expect(banned.data.user?.banned_until).toBeTruthy();
		expect((await authClient().auth.signInWithPassword({ email, password: 'changed-by-admin' })).error?.code).toBe('user_banned');
		await admin.updateUserById(user.id, { ban_duration: 'none' });

		const deleted = await admin.deleteUser(user.id);
		expect(deleted.error).toBeNull();
		const gone = await admin.getUserById(user.id);
		expect(gone.error?.status).toBe(404);
		expect(gone.error?.code).toBe('user_not_found');
	});

	it('refuses a duplicate address with email_exists and a bad id', async () => {
		const admin = serviceClient().auth.admin;
		const email = uniqueEmail('dupe');
		await admin.createUser({ email, password: PASSWORD });
		const again = await admin.createUser({ email, password: PASSWORD });
		expect(again.error?.status).toBe(422);
		expect(again.error?.code).toBe('email_exists');
		const badId = await authFetch('/admin/users/not-a-uuid', { token: stackInfo().serviceRoleKey });
		expect(badId.status).toBe(404);
	});

	it('lists users page by page with X-Total-Count and Link headers', async () => {
		const admin = serviceClient().auth.admin;
		for (let i = 0; i < 3; i++) await admin.createUser({ email: uniqueEmail('list'), password: PASSWORD });
		const page = await admin.listUsers({ page: 1, perPage: 2 });
		expect(page.error).toBeNull();
		expect(page.data.users).toHaveLength(2);
		const pagination = page.data as unknown as { total: number; nextPage: number };
		expect(pagination.total).toBeGreaterThanOrEqual(3);
		expect(pagination.nextPage).toBe(2);
		// (supabase-js reads only the first digit of the last page number from the Link header, so
		// lastPage is checked on the raw header below, where it does not depend on how many users exist.)
		const res = await authFetch('/admin/users?page=2&per_page=2', { token: stackInfo().serviceRoleKey });
		const total = Number(res.headers.get('x-total-count'));
		expect(res.headers.get('link')).toContain(`</admin/users?page=${Math.ceil(total / 2)}&per_page=2>; rel="last"`);
		const body = await res.json();
		expect(body.aud).toBe('authenticated');
		// Newest first: other test files create users meanwhile, which only pushes older users to later pages.
		const lastOfPage1 = Date.parse(page.data.users[1].created_at);
		expect(body.users.length).toBeGreaterThan(0);
		for (const u of body.users as Array<{ created_at: string }>) expect(Date.parse(u.created_at)).toBeLessThanOrEqual(lastOfPage1);
	});

	it('answers not_admin to a user token and the anon key, no_authorization without a token', async () => {
		const anon = await authClient().auth.admin.listUsers();
		expect(anon.error?.status).toBe(403);
		expect(anon.error?.code).toBe('not_admin');
		const email = uniqueEmail('notadmin');
		await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
		const client = authClient();
		await client.auth.signInWithPassword({ email, password: PASSWORD });
		const token = (await client.auth.getSession()).data.session!.access_token;
		const res = await authFetch('/admin/users', { token });
		expect(res.status).toBe(403);
		expect(await res.json()).toEqual({ code: 'not_admin', message: 'User not allowed' });
	});

	it('accepts the new-style secret key for admin calls', async () => {
		const res = await fetch(authUrl('/admin/users?per_page=1'), { headers: { apikey: stackInfo().secretKey } });
		expect(res.status).toBe(200);
	});
});

describe('admin.generateLink', () => {
	it('returns a signup link and OTP without sending email; the link confirms the user', async () => {
		const email = uniqueEmail('genlink');
		const redirectTo = `${stackInfo().siteUrl}/welcome`;
		const { data, error } = await serviceClient().auth.admin.generateLink({ type: 'signup', email, password: PASSWORD, options: { redirectTo } });
		expect(error).toBeNull();
		const props = data.properties!;
		expect(props.verification_type).toBe('signup');
		expect(props.redirect_to).toBe(redirectTo);
		expect(props.email_otp).toMatch(/^\d{6}$/);
		const { createHash } = await import('node:crypto');
		expect(props.hashed_token).toBe(createHash('sha224').update(email + props.email_otp).digest('hex'));
		expect(props.action_link).toBe(
			`${stackInfo().apiUrl}/auth/v1/verify?token=${props.hashed_token}&type=signup&redirect_to=${encodeURIComponent(redirectTo)}`
		);
		expect(data.user?.email).toBe(email);
		const fragment = fragmentOf(await follow(props.action_link));
		expect(fragment.get('type')).toBe('signup');
		expect(fragment.get('access_token')).toBeTruthy();
	});

	it('generates magiclink, recovery and invite links, and email change links', async () => {
		const admin = serviceClient().auth.admin;
		const email = uniqueEmail('genlinks');
		await admin.createUser({ email, password: PASSWORD, email_confirm: true });
		const magic = await admin.generateLink({ type: 'magiclink', email });
		expect(magic.data.properties?.verification_type).toBe('magiclink');
		const viaHash = await authClient().auth.verifyOtp({ token_hash: magic.data.properties!.hashed_token, type: 'magiclink' });
		expect(viaHash.error).toBeNull();
		expect(viaHash.data.session?.user.email).toBe(email);

		const recovery = await admin.generateLink({ type: 'recovery', email });
		expect(fragmentOf(await follow(recovery.data.properties!.action_link)).get('type')).toBe('recovery');

		const unknown = await admin.generateLink({ type: 'recovery', email: uniqueEmail('unknown') });
		expect(unknown.error?.status).toBe(404);
		expect(unknown.error?.code).toBe('user_not_found');

		const invitee = uniqueEmail('geninvite');
		const invite = await admin.generateLink({ type: 'invite', email: invitee });
		expect(invite.data.user?.invited_at).toBeTruthy();
		expect(fragmentOf(await follow(invite.data.properties!.action_link)).get('type')).toBe('invite');

		const newEmail = uniqueEmail('genchange');
		const change = await admin.generateLink({ type: 'email_change_new', email, newEmail });
		expect(change.error).toBeNull();
		expect(change.data.user?.new_email).toBe(newEmail);
		expect(new URL(change.data.properties!.action_link).searchParams.get('type')).toBe('email_change');
		const current = await admin.generateLink({ type: 'email_change_current', email, newEmail });
		expect(current.error).toBeNull();
	});
});

describe('service endpoints', () => {
	it('GET /settings describes the email provider and confirmations', async () => {
		const res = await authFetch('/settings');
		expect(res.status).toBe(200);
		const settings = await res.json();
		expect(settings.external.email).toBe(true);
		expect(settings.external.google).toBe(false);
		expect(settings.disable_signup).toBe(false);
		expect(settings.mailer_autoconfirm).toBe(false);
	});

	it('GET /health answers, with an API key; jwks needs none', async () => {
		expect((await authFetch('/health')).status).toBe(200);
		expect((await fetch(authUrl('/health'))).status).toBe(401);
		const jwks = await fetch(authUrl('/.well-known/jwks.json'));
		expect(jwks.status).toBe(200);
		// The signing keys' public halves (auth-signing-keys.test.ts checks them).
		expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
	});
});
