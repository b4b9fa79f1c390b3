// The autoconfirm path (email confirmations off, the Supabase CLI's
// default): a second auth service on the same database, behind its own
// gateway, with enable_confirmations = false.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { waitForMail } from '../helpers/mail.ts';
import { stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { follow, fragmentOf, PASSWORD, verifyLink } from '../helpers/auth.ts';
import { startSecondAuth, type SecondAuth } from '../helpers/second-auth.ts';

let secondAuth: SecondAuth;
let apiUrl: string;


beforeAll(async () => {
	secondAuth = await startSecondAuth((base) => ({ ...base, auth: { ...base.auth, enableConfirmations: false } }));
	apiUrl = secondAuth.apiUrl;
});

afterAll(async () => {
	await secondAuth?.stop();
});

function client(): SupabaseClient {
	return createClient(apiUrl, stackInfo().anonKey, { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } });
}

describe('with email confirmations off', () => {
	it('signUp confirms at once and returns a session', async () => {
		const email = uniqueEmail('auto');
		const { data, error } = await client().auth.signUp({ email, password: PASSWORD, options: { data: { full_name: 'Auto' } } });
		expect(error).toBeNull();
		expect(data.session?.access_token).toBeTruthy();
		expect(data.user?.email_confirmed_at).toBeTruthy();
		expect(data.user?.user_metadata).toMatchObject({ full_name: 'Auto', email_verified: true });
		const claims = JSON.parse(Buffer.from(data.session!.access_token.split('.')[1], 'base64url').toString());
		expect(claims.iss).toBe(`${apiUrl}/auth/v1`);

		const again = await client().auth.signUp({ email, password: PASSWORD });
		expect(again.error?.status).toBe(422);
		expect(again.error?.code).toBe('user_already_exists');
		expect(again.error?.message).toBe('User already registered');
	});

	it('signInWithOtp signs up a new address and sends it a magic link', async () => {
		const email = uniqueEmail('automagic');
		expect((await client().auth.signInWithOtp({ email })).error).toBeNull();
		const mail = await waitForMail(email, { subject: /Your Magic Link/ });
		const fragment = fragmentOf(await follow(verifyLink(mail)));
		expect(fragment.get('type')).toBe('magiclink');
		expect(fragment.get('access_token')).toBeTruthy();
	});
});
