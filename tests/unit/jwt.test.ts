import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { generateSigningJwk, parseSigningKeys, publicJwks, registerJwtKeys, signJwt, verifyJwt } from '../../supabase/local/jwt.ts';

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

describe('asymmetric JWTs (RS256, ES256) beside the HS256 secret', () => {
	const es = parseSigningKeys(JSON.stringify([generateSigningJwk('ES256')]), secret);
	const rs = parseSigningKeys(JSON.stringify([generateSigningJwk('RS256')]), secret);
	const claims = { sub: 'u1', role: 'authenticated', exp: 2_000_000_000 };
	const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

	it('signs with the current key, names it in the header, and verifies', () => {
		for (const keys of [es, rs]) {
			const token = signJwt(claims, keys);
			expect(headerOf(token)).toEqual({ alg: keys.current!.alg, kid: keys.current!.kid, typ: 'JWT' });
			expect(verifyJwt(token, keys, 1_900_000_000)).toEqual({ ok: true, claims });
		}
	});

	it('still accepts HS256 tokens signed with the secret', () => {
		expect(verifyJwt(signJwt(claims, secret), es, 1_900_000_000).ok).toBe(true);
	});

	it('refuses a kid it does not know, and a known kid with another algorithm', () => {
		expect(verifyJwt(signJwt(claims, rs), es)).toEqual({ ok: false, reason: 'signature' });
		const [, body, sig] = signJwt(claims, es).split('.');
		const relabelled = Buffer.from(JSON.stringify({ alg: 'RS256', kid: es.current!.kid, typ: 'JWT' })).toString('base64url');
		expect(verifyJwt(`${relabelled}.${body}.${sig}`, es)).toEqual({ ok: false, reason: 'algorithm' });
	});

	it('refuses HS256 signed with the public key (algorithm confusion) and alg none', () => {
		for (const keys of [es, rs]) {
			const pem = keys.current!.publicKey.export({ type: 'spki', format: 'pem' }).toString();
			const jwkText = JSON.stringify(keys.current!.publicJwk);
			for (const publicSecret of [pem, jwkText]) {
				const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: keys.current!.kid, typ: 'JWT' })).toString('base64url');
				const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
				const forged = `${header}.${body}.${createHmac('sha256', publicSecret).update(`${header}.${body}`).digest('base64url')}`;
				expect(verifyJwt(forged, keys)).toEqual({ ok: false, reason: 'signature' });
			}
			const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: keys.current!.kid })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
			expect(verifyJwt(none, keys)).toEqual({ ok: false, reason: 'algorithm' });
		}
	});

	it('refuses a changed payload under a real signature', () => {
		const [h, , s] = signJwt(claims, es).split('.');
		const forged = Buffer.from(JSON.stringify({ ...claims, role: 'service_role' })).toString('base64url');
		expect(verifyJwt(`${h}.${forged}.${s}`, es)).toEqual({ ok: false, reason: 'signature' });
	});

	it('publishes only public key material in the JWKS', () => {
		const { keys } = publicJwks(rs);
		expect(keys).toHaveLength(1);
		expect(Object.keys(keys[0]).sort()).toEqual(['alg', 'e', 'ext', 'key_ops', 'kid', 'kty', 'n', 'use']);
		expect(publicJwks({ secret, current: null, byKid: new Map() })).toEqual({ keys: [] });
	});

	it('verifies with the secret string alone once the keys are registered (what REST is handed)', () => {
		const other = 'another-secret-for-registration-32-chars-long';
		const keys = parseSigningKeys(JSON.stringify([generateSigningJwk('ES256')]), other);
		const token = signJwt(claims, keys);
		expect(verifyJwt(token, other)).toEqual({ ok: false, reason: 'signature' });
		registerJwtKeys(keys);
		expect(verifyJwt(token, other, 1_900_000_000).ok).toBe(true);
	});

	it('signs with the first key that may sign; the others only verify', () => {
		const verifyOnly = { ...generateSigningJwk('RS256'), key_ops: ['verify'] };
		const signer = generateSigningJwk('ES256');
		const keys = parseSigningKeys(JSON.stringify([verifyOnly, signer]), secret);
		expect(keys.current!.kid).toBe(signer.kid);
		expect(keys.byKid.size).toBe(2);
	});

	it('says what is wrong with a bad keys file', () => {
		expect(() => parseSigningKeys('{}', secret)).toThrow(/JSON array/);
		expect(() => parseSigningKeys(JSON.stringify([{ ...generateSigningJwk('ES256'), alg: 'HS256' }]), secret)).toThrow(/only RS256 and ES256/);
		expect(() => parseSigningKeys(JSON.stringify([{ ...generateSigningJwk('ES256'), kid: undefined }]), secret)).toThrow(/no kid/);
	});
});
