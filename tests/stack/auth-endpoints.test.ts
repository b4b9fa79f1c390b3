// The GoTrue endpoints of features this project keeps off (manual identity
// linking, SAML SSO, ID-token and Web3 sign-ins, passkeys, the OAuth server,
// custom providers, SCIM) answer with GoTrue's own status, code and message,
// through the real supabase-js where it has a method for them; identities
// are read from the user (auth-js getUserIdentities) and, with manual
// linking on, unlinking keeps GoTrue's rules. Also: with a verified MFA
// factor, an aal1 session cannot change the email or password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totp } from '../../supabase/local/auth/totp.ts';
import { authClient, authFetch, clientFrom, confirmedUser, PASSWORD, randomLoopbackAddress } from '../helpers/auth.ts';
import { startSecondAuth, type SecondAuth } from '../helpers/second-auth.ts';
import { serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';

let linking: SecondAuth;

beforeAll(async () => {
	linking = await startSecondAuth((base) => ({ ...base, auth: { ...base.auth, manualLinking: true } }));
});

afterAll(async () => {
	await linking?.stop();
});

async function errorOf(res: Response): Promise<{ status: number; body: unknown }> {
	return { status: res.status, body: await res.json() };
}

describe('identities', () => {
	it('lists the user’s identities (getUserIdentities reads them from GET /user)', async () => {
		const { client, userId, email } = await confirmedUser('identities');
		const { data, error } = await client.auth.getUserIdentities();
		expect(error).toBeNull();
		expect(data?.identities).toEqual([expect.objectContaining({ provider: 'email', user_id: userId, identity_data: expect.objectContaining({ email }) })]);
	});

	it('answers link and unlink with “Manual linking is disabled” where it is (this project)', async () => {
		const { client } = await confirmedUser('link-off');
		const link = await client.auth.linkIdentity({ provider: 'google' });
		expect(link.error).toMatchObject({ status: 404, code: 'manual_linking_disabled', message: 'Manual linking is disabled' });
		const identity = (await client.auth.getUserIdentities()).data!.identities[0];
		const unlink = await client.auth.unlinkIdentity(identity);
		expect(unlink.error).toMatchObject({ status: 404, code: 'manual_linking_disabled', message: 'Manual linking is disabled' });
		// Without a session the authentication check answers first, as in GoTrue.
		expect((await authFetch('/user/identities/authorize?provider=google')).status).toBe(403); // the anon key names no user: bad_jwt
	});

	it('with manual linking on: no configured provider to link, and the last identity cannot be unlinked', async () => {
		const email = uniqueEmail('link-on');
		await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
		const client = clientFrom(randomLoopbackAddress(), stackInfo().anonKey, linking.apiUrl);
		expect((await client.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		const link = await client.auth.linkIdentity({ provider: 'github' });
		expect(link.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Unsupported provider: Provider github could not be found' });
		const identity = (await client.auth.getUserIdentities()).data!.identities[0];
		const unlink = await client.auth.unlinkIdentity(identity);
		expect(unlink.error).toMatchObject({ status: 422, code: 'single_identity_not_deletable', message: 'User must have at least 1 identity after unlinking' });
	});
});

describe('sign-in methods this project has off', () => {
	it('SSO/SAML: “SAML 2.0 is disabled”', async () => {
		const { error } = await authClient().auth.signInWithSSO({ domain: 'example.com' });
		expect(error).toMatchObject({ status: 404, code: 'saml_provider_disabled', message: 'SAML 2.0 is disabled' });
		expect(await errorOf(await authFetch('/sso/saml/metadata'))).toEqual({ status: 404, body: { code: 'saml_provider_disabled', message: 'SAML 2.0 is disabled' } });
		const admin = await fetch(`${stackInfo().apiUrl}/auth/v1/admin/sso/providers`, { headers: { apikey: stackInfo().serviceRoleKey, authorization: `Bearer ${stackInfo().serviceRoleKey}` } });
		expect(await admin.json()).toEqual({ items: [] });
	});

	it('ID-token sign-ins: the provider is not enabled; malformed requests get GoTrue’s answers', async () => {
		const client = authClient();
		const google = await client.auth.signInWithIdToken({ provider: 'google', token: 'eyJhbGciOiJSUzI1NiJ9.e30.sig' });
		expect(google.error).toMatchObject({ status: 400, code: 'provider_disabled', message: 'Provider (issuer "https://accounts.google.com") is not enabled' });
		const apple = await client.auth.signInWithIdToken({ provider: 'apple', token: 'not-a-jwt' });
		expect(apple.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Unable to detect issuer in ID token for Apple provider' });
		const custom = await client.auth.signInWithIdToken({ provider: 'my-idp', token: 'x' });
		expect(custom.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Custom OIDC provider "my-idp" not allowed' });
		const missing = await authFetch('/token?grant_type=id_token', { method: 'POST', body: JSON.stringify({ provider: 'google' }) });
		expect(await errorOf(missing)).toEqual({ status: 400, body: { error: 'invalid request', error_description: 'id_token required' } });
	});

	it('Web3 sign-ins: “Web3 provider is disabled”', async () => {
		const res = await authFetch('/token?grant_type=web3', { method: 'POST', body: JSON.stringify({ chain: 'ethereum', message: 'm', signature: 's' }) });
		expect(await errorOf(res)).toEqual({ status: 422, body: { code: 'web3_provider_disabled', message: 'Web3 provider is disabled' } });
	});
});

describe('GoTrue endpoints the stack does not run', () => {
	it('answer with GoTrue’s error shape and its “disabled” codes, never a bare 404', async () => {
		const cases: Array<[string, string, number, string, string]> = [
			['GET', '/passkeys', 404, 'passkey_disabled', 'Passkeys are disabled'],
			['POST', '/passkeys/authentication/options', 404, 'passkey_disabled', 'Passkeys are disabled'],
			['POST', '/oauth/clients/register', 404, 'feature_disabled', 'OAuth server is disabled'],
			['GET', '/.well-known/oauth-authorization-server', 404, 'feature_disabled', 'OAuth server is disabled'],
			['GET', '/scim/v2/Users', 404, 'feature_disabled', 'SCIM server is disabled'],
			['GET', '/no/such/endpoint', 404, 'not_found', 'Not Found']
		];
		for (const [method, path, status, code, message] of cases) {
			const res = await authFetch(path, { method });
			expect({ path, ...(await errorOf(res)) }).toEqual({ path, status, body: { code, message } });
			expect(res.headers.get('x-sb-error-code')).toBe(code);
		}
	});
});

describe('MFA and account changes', () => {
	it('an aal1 session of a user with a verified factor cannot change the email or password', async () => {
		const { client, email } = await confirmedUser('mfa-update');
		const enrolled = await client.auth.mfa.enroll({ factorType: 'totp' });
		const secret = (enrolled.data as { totp: { secret: string } }).totp.secret;
		expect((await client.auth.mfa.challengeAndVerify({ factorId: enrolled.data!.id, code: totp(secret) })).error).toBeNull();
		const passwordOnly = authClient();
		expect((await passwordOnly.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		for (const change of [{ password: 'another-long-password' }, { email: uniqueEmail('mfa-new') }]) {
			const { error } = await passwordOnly.auth.updateUser(change);
			expect(error).toMatchObject({ status: 401, code: 'insufficient_aal', message: 'AAL2 session is required to update email or password when MFA is enabled.' });
		}
		// Its metadata is still its own to change.
		expect((await passwordOnly.auth.updateUser({ data: { theme: 'dark' } })).error).toBeNull();
	});
});
