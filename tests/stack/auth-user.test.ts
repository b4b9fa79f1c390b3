import { describe, expect, it } from 'vitest';
import { waitForMail } from '../helpers/mail.ts';
import { stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { authClient, authFetch, confirmedUser, follow, fragmentOf, otpCode, PASSWORD, ssrClient, verifyLink } from '../helpers/auth.ts';

describe('updateUser', () => {
	it('merges data into user_metadata, a null value deleting the key', async () => {
		const { client } = await confirmedUser('meta');
		const first = await client.auth.updateUser({ data: { full_name: 'Ada Lovelace', team: 'engines' } });
		expect(first.error).toBeNull();
		expect(first.data.user?.user_metadata).toEqual({ email_verified: true, full_name: 'Ada Lovelace', team: 'engines' });
		const second = await client.auth.updateUser({ data: { team: null, theme: 'dark' } });
		expect(second.data.user?.user_metadata).toEqual({ email_verified: true, full_name: 'Ada Lovelace', theme: 'dark' });
		// A refreshed access token carries the new metadata.
		const refreshed = await client.auth.refreshSession();
		const claims = JSON.parse(Buffer.from(refreshed.data.session!.access_token.split('.')[1], 'base64url').toString());
		expect(claims.user_metadata.theme).toBe('dark');
	});

	it('changes the password: the old one stops working, other sessions end, this one stays', async () => {
		const { email, client } = await confirmedUser('passwd');
		const other = authClient();
		await other.auth.signInWithPassword({ email, password: PASSWORD });
		const otherToken = (await other.auth.getSession()).data.session!.access_token;

		const same = await client.auth.updateUser({ password: PASSWORD });
		expect(same.error?.code).toBe('same_password');
		expect(same.error?.status).toBe(422);
		const weak = await client.auth.updateUser({ password: 'abc' });
		expect(weak.error?.code).toBe('weak_password');

		const changed = await client.auth.updateUser({ password: 'a-brand-new-password' });
		expect(changed.error).toBeNull();
		expect((await authClient().auth.signInWithPassword({ email, password: PASSWORD })).error?.code).toBe('invalid_credentials');
		expect((await authClient().auth.signInWithPassword({ email, password: 'a-brand-new-password' })).error).toBeNull();
		expect((await client.auth.getUser()).error).toBeNull();
		expect((await authFetch('/user', { token: otherToken })).status).toBe(403);
	});

	it('refuses app_metadata from a user and an address another account has', async () => {
		const { client } = await confirmedUser('appmeta');
		const { email: taken } = await confirmedUser('taken');
		const token = (await client.auth.getSession()).data.session!.access_token;
		const res = await authFetch('/user', { method: 'PUT', token, body: JSON.stringify({ app_metadata: { plan: 'pro' } }) });
		expect(res.status).toBe(403);
		expect((await res.json()).code).toBe('not_admin');
		const dup = await client.auth.updateUser({ email: taken });
		expect(dup.error?.code).toBe('email_exists');
		expect(dup.error?.status).toBe(422);
	});

	it('changes the email after both addresses confirm (double_confirm_changes), then signs in with the new one', async () => {
		const { email, client } = await confirmedUser('oldaddr');
		const newEmail = uniqueEmail('newaddr');
		const redirectTo = `${stackInfo().siteUrl}/account`;
		const { data, error } = await client.auth.updateUser({ email: newEmail }, { emailRedirectTo: redirectTo });
		expect(error).toBeNull();
		expect(data.user?.email).toBe(email);
		expect(data.user?.new_email).toBe(newEmail);
		expect(data.user?.email_change_sent_at).toBeTruthy();

		const toNew = await waitForMail(newEmail, { subject: /Confirm Email Change/ });
		const toOld = await waitForMail(email, { subject: /Confirm Email Change/ });
		expect(toNew.text).toContain(`from ${email} to ${newEmail}`);

		const first = await follow(verifyLink(toOld));
		expect(fragmentOf(first).get('message')).toBe('Confirmation link accepted. Please proceed to confirm link sent to the other email');
		expect((await client.auth.getUser()).data.user?.email).toBe(email);

		const second = await follow(verifyLink(toNew));
		expect(second.origin + second.pathname).toBe(redirectTo);
		const fragment = fragmentOf(second);
		expect(fragment.get('type')).toBe('email_change');
		expect(fragment.get('access_token')).toBeTruthy();
		const me = await client.auth.getUser();
		expect(me.data.user?.email).toBe(newEmail);
		expect(me.data.user?.new_email).toBeUndefined();
		expect(me.data.user?.identities?.[0].identity_data?.email).toBe(newEmail);
		expect((await authClient().auth.signInWithPassword({ email: newEmail, password: PASSWORD })).error).toBeNull();
	});

	it('confirms an email change with the OTP codes through verifyOtp', async () => {
		const { email, client } = await confirmedUser('otpchange');
		const newEmail = uniqueEmail('otpnew');
		expect((await client.auth.updateUser({ email: newEmail })).error).toBeNull();
		const toOld = await waitForMail(email, { subject: /Confirm Email Change/ });
		const toNew = await waitForMail(newEmail, { subject: /Confirm Email Change/ });
		const one = await authClient().auth.verifyOtp({ email, token: otpCode(toOld), type: 'email_change' });
		expect(one.error).toBeNull();
		expect(one.data.session).toBeNull();
		const two = await authClient().auth.verifyOtp({ email: newEmail, token: otpCode(toNew), type: 'email_change' });
		expect(two.error).toBeNull();
		expect(two.data.session?.user.email).toBe(newEmail);
	});

	it('changes the email with PKCE through @supabase/ssr: the last link redirects with a code', async () => {
		const { email } = await confirmedUser('pkcechange');
		const { client } = ssrClient();
		expect((await client.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		const newEmail = uniqueEmail('pkcenew');
		expect((await client.auth.updateUser({ email: newEmail })).error).toBeNull();
		const toOld = await waitForMail(email, { subject: /Confirm Email Change/ });
		const toNew = await waitForMail(newEmail, { subject: /Confirm Email Change/ });
		const first = await follow(verifyLink(toOld));
		expect(first.searchParams.get('message')).toMatch(/^Confirmation link accepted/);
		const second = await follow(verifyLink(toNew));
		const code = second.searchParams.get('code')!;
		const exchanged = await client.auth.exchangeCodeForSession(code);
		expect(exchanged.error).toBeNull();
		expect(exchanged.data.user?.email).toBe(newEmail);
	});
});
