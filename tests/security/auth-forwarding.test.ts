// Whose address Auth's limits count, from an attacker's side: the gateway
// believes only the connection (no made-up X-Forwarded-For) and, from a
// caller holding the secret key, Sb-Forwarded-For; the web app's server
// client passes each visitor's address that way, so a visitor who floods the
// login form is limited alone and the site's other visitors are not.
import type { Cookies } from '@sveltejs/kit';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSupabaseServerClient, forwardingFetch } from '#lib/supabase/server.ts';
import { loadConfig } from '../../supabase/local/config.ts';
import { confirmedUser, fetchFrom, PASSWORD, randomLoopbackAddress } from '../helpers/auth.ts';
import { stackInfo, uniqueEmail } from '../helpers/stack.ts';

// The web app's environment (SvelteKit's $app/env modules) as `npm start` would set it for this stack.
vi.mock('$app/env/public', async () => {
	const { inject } = await import('vitest');
	return { PUBLIC_SUPABASE_URL: inject('stack').apiUrl, PUBLIC_SUPABASE_ANON_KEY: inject('stack').anonKey };
});
vi.mock('$app/env/private', async () => {
	const { inject } = await import('vitest');
	return { SUPABASE_SECRET_KEY: inject('stack').secretKey };
});

const BURST = 30;
const tokenRefreshPer5Min = loadConfig().auth.rateLimits.tokenRefreshPer5Min;

/** A documentation address (RFC 5737) for a visitor; never the address of this machine. */
function visitorAddress(): string {
	return `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
}

/** SvelteKit's cookies for one request, kept in a Map. */
function cookieJar(): Cookies {
	const jar = new Map<string, string>();
	return {
		get: (name: string) => jar.get(name),
		getAll: () => [...jar].map(([name, value]) => ({ name, value })),
		set: (name: string, value: string) => void jar.set(name, value),
		delete: (name: string) => void jar.delete(name),
		serialize: () => ''
	} as unknown as Cookies;
}

/** n wrong passwords at once: how many were refused with 429, and GoTrue's allowance for the time the burst took. */
async function wrongPasswords(n: number, signIn: (password: string) => Promise<{ error: { code?: string } | null }>) {
	const started = performance.now();
	const codes = await Promise.all(Array.from({ length: n }, (_, i) => signIn(`wrong-password-${i}`).then((r) => r.error?.code)));
	const seconds = (performance.now() - started) / 1000;
	return { refused: codes.filter((c) => c === 'over_request_rate_limit').length, allowance: BURST + Math.ceil((seconds * tokenRefreshPer5Min) / 300) };
}

describe('the web app’s server client (form actions)', () => {
	it('counts each visitor’s sign-ins against that visitor: one flooding the login form does not lock out another', async () => {
		const { email } = await confirmedUser('ssr-victim');
		const attacker = visitorAddress();
		let bystander = visitorAddress();
		while (bystander === attacker) bystander = visitorAddress();
		const asVisitor = (address: string) => createSupabaseServerClient({ cookies: cookieJar(), getClientAddress: () => address });

		const { refused, allowance } = await wrongPasswords(40, (password) => asVisitor(attacker).auth.signInWithPassword({ email, password }));
		expect(refused).toBeGreaterThanOrEqual(40 - allowance);
		expect(refused).toBeGreaterThan(0);
		// The bucket refills one try every 2 s: spend what came back during the
		// bcrypt checks (quick guesses at an address with no account); while it
		// is empty even the right password is refused to the attacker.
		const nobody = uniqueEmail('nobody');
		for (let i = 0; i <= BURST; i++) {
			if ((await asVisitor(attacker).auth.signInWithPassword({ email: nobody, password: 'guess' })).error?.code === 'over_request_rate_limit') break;
		}
		expect((await asVisitor(attacker).auth.signInWithPassword({ email, password: PASSWORD })).error?.code).toBe('over_request_rate_limit');

		const other = await asVisitor(bystander).auth.signInWithPassword({ email, password: PASSWORD });
		expect(other.error).toBeNull();
		expect(other.data.session?.access_token).toBeTruthy();
	}, 90_000);
});

describe('forwardingFetch', () => {
	let server: http.Server;
	let origin: string;
	const seen: Array<{ path: string; apikey: string | undefined; forwarded: string | undefined }> = [];

	beforeAll(async () => {
		server = http.createServer((req, res) => {
			seen.push({ path: req.url ?? '', apikey: req.headers.apikey as string | undefined, forwarded: req.headers['sb-forwarded-for'] as string | undefined });
			res.end('{}');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	it('puts the secret key and the visitor on the rate-limited Auth calls only', async () => {
		const forwarding = forwardingFetch({ supabaseUrl: origin, secretKey: 'sb_secret_example', clientAddress: () => '198.51.100.7' });
		const headers = { apikey: 'public-key' };
		seen.length = 0;
		for (const path of ['/auth/v1/token?grant_type=password', '/auth/v1/signup', '/auth/v1/verify', '/auth/v1/otp', '/auth/v1/recover', '/auth/v1/user']) {
			await forwarding(`${origin}${path}`, { method: 'POST', headers });
		}
		for (const path of ['/auth/v1/admin/users', '/auth/v1/invite', '/auth/v1/logout', '/rest/v1/jobs', '/functions/v1/share-job', '/auth/v1x/token']) {
			await forwarding(`${origin}${path}`, { method: 'POST', headers });
		}
		expect(seen.slice(0, 6).every((s) => s.apikey === 'sb_secret_example' && s.forwarded === '198.51.100.7')).toBe(true);
		expect(seen.slice(6).every((s) => s.apikey === 'public-key' && s.forwarded === undefined)).toBe(true);
	});

	it('forwards nothing without a secret key', async () => {
		const plain = forwardingFetch({ supabaseUrl: origin, secretKey: undefined, clientAddress: () => '198.51.100.7' });
		seen.length = 0;
		await plain(`${origin}/auth/v1/token?grant_type=password`, { method: 'POST', headers: { apikey: 'public-key' } });
		expect(seen).toEqual([{ path: '/auth/v1/token?grant_type=password', apikey: 'public-key', forwarded: undefined }]);
	});
});

describe('the gateway’s trust in Sb-Forwarded-For', () => {
	async function burstFrom(address: string, apikey: string, forwardedFor: (i: number) => string) {
		const send = fetchFrom(address);
		// An address with no account: every attempt is counted all the same, without the cost of bcrypt.
		const email = uniqueEmail('nobody');
		return wrongPasswords(40, async (password) => {
			const i = Number(password.split('-').at(-1));
			const res = await send(`${stackInfo().apiUrl}/auth/v1/token?grant_type=password`, {
				method: 'POST',
				headers: { apikey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01', 'sb-forwarded-for': forwardedFor(i) },
				body: JSON.stringify({ email, password })
			});
			return { error: (await res.json()) as { code: string } };
		});
	}

	it('is ignored with the public key: a client cannot pick its own bucket', async () => {
		const result = await burstFrom(randomLoopbackAddress(), stackInfo().anonKey, (i) => `198.51.100.${i + 1}`);
		expect(result.refused).toBeGreaterThanOrEqual(40 - result.allowance);
		expect(result.refused).toBeGreaterThan(0);
	}, 90_000);

	it('names the client for a caller with the secret key: forty visitors behind one server are not limited together', async () => {
		const result = await burstFrom(randomLoopbackAddress(), stackInfo().secretKey, (i) => `198.51.100.${i + 1}`);
		expect(result.refused).toBe(0);
	}, 90_000);
});
