// Auth test helpers: supabase-js clients (plain and @supabase/ssr with an
// in-memory cookie jar), following emailed links without a browser, and
// confirmed users made through the real endpoints.
//
// Auth rate-limits per client address, as hosted Supabase does. A test file
// that uses these helpers is one client machine of its own: its requests
// leave from a loopback address picked for the file (127.0.0.0/8 all reaches
// this machine), so the files running side by side do not share buckets, and
// each file still gets GoTrue's real limits. Security tests take further
// addresses of their own (clientFrom, fetchFrom) to play attackers.
import { createServerClient } from '@supabase/ssr';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { expect } from 'vitest';
import { signJwt } from '../../supabase/local/jwt.ts';
import { fetchFrom, randomLoopbackAddress } from './loopback.ts';
import { waitForMail, type ReceivedMail } from './mail.ts';
import { serviceClient, stackInfo, uniqueEmail } from './stack.ts';

export { fetchFrom, randomLoopbackAddress };

/** The address this test file's requests come from. */
export const CLIENT_ADDRESS = randomLoopbackAddress();

/** A supabase-js client (session in memory, no timers) whose requests come from `address`. */
export function clientFrom(address: string, key = stackInfo().anonKey, url = stackInfo().apiUrl): SupabaseClient {
	return createClient(url, key, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		global: { fetch: fetchFrom(address) }
	});
}

/** A supabase-js client of this test file's machine (see CLIENT_ADDRESS). */
export function authClient(key = stackInfo().anonKey): SupabaseClient {
	return clientFrom(CLIENT_ADDRESS, key);
}

export const PASSWORD = 'correct-horse-battery';

/** A @supabase/ssr server client (PKCE) whose cookies live in a Map. */
export function ssrClient(): { client: SupabaseClient; cookies: Map<string, string> } {
	const cookies = new Map<string, string>();
	const client = createServerClient(stackInfo().apiUrl, stackInfo().anonKey, {
		cookies: {
			getAll: () => [...cookies].map(([name, value]) => ({ name, value })),
			setAll: (list) => {
				for (const { name, value } of list) {
					if (value === '') cookies.delete(name);
					else cookies.set(name, value);
				}
			}
		},
		auth: { autoRefreshToken: false, detectSessionInUrl: false },
		global: { fetch: fetchFrom(CLIENT_ADDRESS) }
	});
	return { client, cookies };
}

/** The verify link of an auth email (the one pointing at /auth/v1/verify). */
export function verifyLink(mail: ReceivedMail): string {
	const link = mail.links.find((l) => l.includes('/auth/v1/verify?'));
	if (!link) throw new Error(`no verify link in "${mail.subject}": ${mail.text}`);
	return link;
}

/** The OTP code of an auth email. */
export function otpCode(mail: ReceivedMail): string {
	const match = /code: (\d{6,10})/.exec(mail.text);
	if (!match) throw new Error(`no code in "${mail.subject}"`);
	return match[1];
}

/** Follows a link like a browser that stops at the first redirect; returns the Location. */
export async function follow(link: string): Promise<URL> {
	const res = await fetchFrom(CLIENT_ADDRESS)(link, { redirect: 'manual' });
	expect(res.status).toBe(303);
	const location = res.headers.get('location');
	expect(location).toBeTruthy();
	return new URL(location!);
}

export function fragmentOf(url: URL): URLSearchParams {
	return new URLSearchParams(url.hash.replace(/^#/, ''));
}

/** A user who signed up and confirmed through the email link; signed in on the returned client. */
export async function confirmedUser(prefix = 'user'): Promise<{ email: string; client: SupabaseClient; userId: string }> {
	const email = uniqueEmail(prefix);
	const { data, error } = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
	expect(error).toBeNull();
	const client = authClient();
	const signIn = await client.auth.signInWithPassword({ email, password: PASSWORD });
	expect(signIn.error).toBeNull();
	return { email, client, userId: data.user!.id };
}

export async function signUpAndWaitForMail(email: string, options: Parameters<SupabaseClient['auth']['signUp']>[0]['options'] = {}) {
	const client = authClient();
	const result = await client.auth.signUp({ email, password: PASSWORD, options });
	expect(result.error).toBeNull();
	const mail = await waitForMail(email, { subject: /Confirm Your Signup/ });
	return { client, result, mail };
}

/** An access token for `claims`, signed with `secret` (the project secret by default). */
export function signedToken(claims: Record<string, unknown>, secret = stackInfo().jwtSecret): string {
	return signJwt(claims, secret);
}

export function authUrl(path: string): string {
	return `${stackInfo().apiUrl}/auth/v1${path}`;
}

/** A raw request to the auth API as supabase-js makes it. */
export async function authFetch(path: string, init: RequestInit & { token?: string; apikey?: string } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	headers.set('apikey', init.apikey ?? stackInfo().anonKey);
	if (!headers.has('x-supabase-api-version')) headers.set('x-supabase-api-version', '2024-01-01');
	if (init.token) headers.set('authorization', `Bearer ${init.token}`);
	if (init.body) headers.set('content-type', 'application/json;charset=UTF-8');
	return fetchFrom(CLIENT_ADDRESS)(authUrl(path), { ...init, headers });
}
