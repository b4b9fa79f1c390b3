// Brute force and floods against Auth, from the attacker's side, with the
// real supabase-js client against the local stack and config.toml's real
// [auth.rate_limit]. Each attacker is a machine of its own (a loopback
// address of its own), so nothing here depends on other test files.
//
// GoTrue's limits are token buckets per client address: 30 requests at once,
// then N per 5 minutes. A burst is fired all at once, so the count that gets
// through is exactly what GoTrue would let through: the bucket of 30, plus
// what refilled while the burst was arriving.
import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../supabase/local/config.ts';
import { clientFrom, fetchFrom, otpCode, PASSWORD, randomLoopbackAddress } from '../helpers/auth.ts';
import { waitForMail } from '../helpers/mail.ts';
import { adminPool, serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';

const { auth } = loadConfig();
const BURST = 30;
const FIVE_MINUTES_S = 300;

let pool: pg.Pool;
beforeAll(() => {
	pool = adminPool();
});
afterAll(async () => {
	await pool.end();
});

interface Burst {
	/** error.code of each answer (null: accepted), in the order they were sent. */
	codes: (string | null)[];
	seconds: number;
}

/**
 * Sends `n` requests at once, as a flooding client does. The result is also
 * awaitable early: `firstRefusal` settles when the first 429 is back, while
 * the bucket is still empty.
 */
function burst(n: number, send: (i: number) => Promise<{ error: { code?: string } | null }>): Promise<Burst> & { firstRefusal: Promise<void> } {
	const started = performance.now();
	const codes = Array.from({ length: n }, (_, i) => send(i).then((a) => a.error?.code ?? null));
	const firstRefusal = Promise.any(
		codes.map(async (code) => {
			if ((await code) !== 'over_request_rate_limit') throw new Error('not refused');
		})
	).catch(() => {});
	const all = Promise.all(codes).then((list) => ({ codes: list, seconds: (performance.now() - started) / 1000 }));
	return Object.assign(all, { firstRefusal });
}

/** Sends one request after another until one is refused with 429: the bucket is then empty. */
async function drainUntilRefused(send: () => Promise<{ error: { code?: string } | null }>): Promise<void> {
	for (let i = 0; i <= BURST; i++) if ((await send()).error?.code === 'over_request_rate_limit') return;
	throw new Error(`no 429 after ${BURST + 1} requests`);
}

/** Checks that a burst got exactly GoTrue's allowance: the bucket, plus what refilled meanwhile, and no more. */
function expectGoTrueAllowance(result: Burst, per5Min: number, accepted: (code: string | null) => boolean): void {
	const through = result.codes.filter((c) => accepted(c)).length;
	const refused = result.codes.filter((c) => c === 'over_request_rate_limit').length;
	expect(through + refused).toBe(result.codes.length);
	expect(through).toBeGreaterThanOrEqual(BURST);
	expect(through).toBeLessThanOrEqual(BURST + Math.ceil((result.seconds * per5Min) / FIVE_MINUTES_S));
	expect(refused).toBeGreaterThan(0);
}

async function confirmedAccount(prefix: string): Promise<string> {
	const email = uniqueEmail(prefix);
	const { error } = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
	expect(error).toBeNull();
	return email;
}

function otherCode(code: string): string {
	for (;;) {
		const guess = String(randomInt(10 ** code.length)).padStart(code.length, '0');
		if (guess !== code) return guess;
	}
}

describe('guessing an emailed sign-in code (POST /verify)', () => {
	it('is cut off with 429 once the address has used its 30 guesses; the right code is then refused from there too', async () => {
		const email = await confirmedAccount('otp-victim');
		const victim = clientFrom(randomLoopbackAddress());
		expect((await victim.auth.signInWithOtp({ email, options: { shouldCreateUser: false } })).error).toBeNull();
		const code = otpCode(await waitForMail(email, { subject: /Magic Link/ }));

		const attacker = clientFrom(randomLoopbackAddress());
		const guesses = burst(40, () => attacker.auth.verifyOtp({ email, token: otherCode(code), type: 'email' }));
		await guesses.firstRefusal;
		const right = await attacker.auth.verifyOtp({ email, token: code, type: 'email' });
		expectGoTrueAllowance(await guesses, auth.rateLimits.tokenVerificationsPer5Min, (c) => c === 'otp_expired');
		expect(right.error?.status).toBe(429);
		expect(right.error?.code).toBe('over_request_rate_limit');
		expect(right.error?.message).toBe('Request rate limit reached');
		expect(right.data.session).toBeNull();

		// The code itself was still good (GoTrue keeps no per-code attempt count):
		// only the attacker's address was stopped, and the owner signs in with it.
		const owner = await victim.auth.verifyOtp({ email, token: code, type: 'email' });
		expect(owner.error).toBeNull();
		expect(owner.data.session?.access_token).toBeTruthy();
	}, 60_000);

	it('leaves a 6-digit code out of reach in its lifetime at config.toml’s rate', () => {
		// One address gets the bucket plus the refill while the code lives (otp_expiry).
		const guesses = BURST + auth.rateLimits.tokenVerificationsPer5Min * (auth.otpExpiry / FIVE_MINUTES_S);
		expect(guesses).toBe(390);
		expect(guesses / 10 ** auth.otpLength).toBeLessThan(0.001);
	});

	it('gains nothing from a made-up X-Forwarded-For or X-Real-IP: the gateway counts the connection’s address', async () => {
		const email = await confirmedAccount('otp-spoof');
		const send = fetchFrom(randomLoopbackAddress());
		const result = await burst(40, async (i) => {
			const res = await send(`${stackInfo().apiUrl}/auth/v1/verify`, {
				method: 'POST',
				headers: {
					apikey: stackInfo().anonKey,
					'content-type': 'application/json',
					'x-supabase-api-version': '2024-01-01',
					'x-forwarded-for': `198.51.100.${i + 1}`,
					'x-real-ip': `203.0.113.${i + 1}`
				},
				body: JSON.stringify({ email, token: '000000', type: 'email' })
			});
			return { error: (await res.json()) as { code: string } };
		});
		expectGoTrueAllowance(result, auth.rateLimits.tokenVerificationsPer5Min, (c) => c === 'otp_expired');
	}, 60_000);

	it('counts email links followed (GET /verify) in the same bucket', async () => {
		const send = fetchFrom(randomLoopbackAddress());
		const result = await burst(40, async () => {
			const res = await send(`${stackInfo().apiUrl}/auth/v1/verify?token=${'0'.repeat(56)}&type=magiclink`, {});
			if (res.status === 303) return { error: { code: new URL(res.headers.get('location')!).hash.includes('otp_expired') ? 'otp_expired' : 'other' } };
			// A followed link names no API version, so the refusal comes in GoTrue's legacy shape.
			const refusal = (await res.json()) as { code: number; error_code: string };
			expect(refusal.code).toBe(429);
			return { error: { code: refusal.error_code } };
		});
		expectGoTrueAllowance(result, auth.rateLimits.tokenVerificationsPer5Min, (c) => c === 'otp_expired');
	}, 60_000);
});

describe('guessing a password (POST /token)', () => {
	it('40 wrong passwords at once: 429 after 30; no lockout of the account for its owner elsewhere', async () => {
		const email = await confirmedAccount('pw-victim');
		const attacker = clientFrom(randomLoopbackAddress());
		const result = await burst(40, (i) => attacker.auth.signInWithPassword({ email, password: `wrong-password-${i}` }));
		expectGoTrueAllowance(result, auth.rateLimits.tokenRefreshPer5Min, (c) => c === 'invalid_credentials');

		// The bucket refills one try every 2 s (150 per 5 minutes) and the 30
		// bcrypt checks took seconds: spend what came back on a few more
		// guesses (at an address with no account, so quick), and while the
		// bucket is empty even the right password is refused.
		await drainUntilRefused(() => attacker.auth.signInWithPassword({ email: uniqueEmail('nobody'), password: 'guess' }));
		const right = await attacker.auth.signInWithPassword({ email, password: PASSWORD });
		expect(right.error?.status).toBe(429);
		expect(right.error?.code).toBe('over_request_rate_limit');
		// Refreshing a session draws on the same bucket (token_refresh covers every grant).
		const refresh = await attacker.auth.refreshSession({ refresh_token: 'anything' });
		expect(refresh.error?.code).toBe('over_request_rate_limit');

		// The limit is on the attacker's address, never on the account: the owner still gets in.
		const owner = await clientFrom(randomLoopbackAddress()).auth.signInWithPassword({ email, password: PASSWORD });
		expect(owner.error).toBeNull();
		expect(owner.data.session?.access_token).toBeTruthy();
	}, 90_000);
});

describe('a flood of sign-ups (POST /signup)', () => {
	it('40 sign-ups at once from one address: the ones past GoTrue’s 30 get 429 and create nothing', async () => {
		const address = randomLoopbackAddress();
		const flooder = clientFrom(address);
		const emails = Array.from({ length: 40 }, () => uniqueEmail('flood'));
		const result = await burst(40, (i) => flooder.auth.signUp({ email: emails[i], password: PASSWORD }));
		expectGoTrueAllowance(result, auth.rateLimits.signInSignUpsPer5Min, (c) => c === null);

		const refused = emails.filter((_, i) => result.codes[i] === 'over_request_rate_limit');
		const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from auth.users where email = any($1)', [refused]);
		expect(rows[0].n).toBe(0);

		// Only the sign-up bucket is spent: the same address may still sign in (GoTrue counts them apart).
		const email = await confirmedAccount('flood-signin');
		expect((await flooder.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		// And another address signs up as usual.
		expect((await clientFrom(randomLoopbackAddress()).auth.signUp({ email: uniqueEmail('flood-other'), password: PASSWORD })).error).toBeNull();
	}, 120_000);
});

describe('the other endpoints GoTrue limits per address', () => {
	async function flood(path: string, init: RequestInit): Promise<Burst> {
		const send = fetchFrom(randomLoopbackAddress());
		return burst(35, async () => {
			const res = await send(`${stackInfo().apiUrl}/auth/v1${path}`, {
				...init,
				headers: { apikey: stackInfo().anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01', ...init.headers }
			});
			const body = (await res.json().catch(() => ({}))) as { code?: string };
			return { error: res.status === 200 ? null : { code: body.code } };
		});
	}

	it.each([
		['/recover', { email: 'nobody@example.test' }],
		['/otp', { email: 'nobody@example.test', create_user: false }],
		['/magiclink', { email: 'not-an-address' }],
		['/resend', { type: 'signup', email: 'nobody@example.test' }]
	])('%s: 30 at once, then 429', async (path, body) => {
		const result = await flood(path, { method: 'POST', body: JSON.stringify(body) });
		const refused = result.codes.filter((c) => c === 'over_request_rate_limit').length;
		expect(refused).toBeGreaterThan(0);
		expect(result.codes.length - refused).toBeGreaterThanOrEqual(BURST);
	}, 60_000);
});
