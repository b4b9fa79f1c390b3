import { describe, expect, it } from 'vitest';
import { signJwt, verifyJwt } from '../../supabase/local/jwt.ts';

const secret = 'a-test-secret-that-is-at-least-32-characters';

describe('HS256 JWTs', () => {
	it('verifies a token it signed and returns its claims', () => {
		const token = signJwt({ sub: 'u1', role: 'authenticated', exp: 2_000_000_000 }, secret);
		expect(verifyJwt(token, secret, 1_900_000_000)).toEqual({ ok: true, claims: { sub: 'u1', role: 'authenticated', exp: 2_000_000_000 } });
	});

	it('refuses a token signed with another secret', () => {
		const token = signJwt({ role: 'service_role' }, 'another-secret-that-is-also-32-characters-long');
		expect(verifyJwt(token, secret)).toEqual({ ok: false, reason: 'signature' });
	});

	it('refuses an expired token', () => {
		const token = signJwt({ role: 'anon', exp: 1000 }, secret);
		expect(verifyJwt(token, secret, 1000)).toEqual({ ok: false, reason: 'expired' });
	});

	it('refuses alg "none" and other algorithms even with a valid-looking body', () => {
		const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
		const body = Buffer.from(JSON.stringify({ role: 'service_role' })).toString('base64url');
		expect(verifyJwt(`${header}.${body}.`, secret)).toEqual({ ok: false, reason: 'algorithm' });
	});

	it('refuses a forged body under a genuine signature', () => {
		const [h, , s] = signJwt({ role: 'anon' }, secret).split('.');
		const forged = Buffer.from(JSON.stringify({ role: 'service_role' })).toString('base64url');
		expect(verifyJwt(`${h}.${forged}.${s}`, secret)).toEqual({ ok: false, reason: 'signature' });
	});

	it.each(['', 'abc', 'a.b', 'a.b.c.d', '!!.??.##', `${Buffer.from('[]').toString('base64url')}.e30.x`])('refuses the malformed token %j', (token) => {
		expect(verifyJwt(token, secret)).toEqual({ ok: false, reason: 'malformed' });
	});
});
