// MFA (TOTP) through the real supabase-js, as GoTrue behaves: enrol (QR
// code, secret, otpauth URI), challenge, verify (aal2 and the totp AMR entry
// in the JWT, the user's other aal1 sessions ended), list factors,
// getAuthenticatorAssuranceLevel(), unenrol, the admin's list/delete, and
// the "disabled" errors of phone and WebAuthn factors. The tests compute
// TOTP codes themselves (RFC 6238). Attackers: a wrong-code flood (rate
// limited as GoTrue limits it), an aal1 session unenrolling a verified
// factor, another user using someone's factor, a challenge replayed.
import type { SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { totp } from '../../supabase/local/auth/totp.ts';
import { clientFrom, PASSWORD, randomLoopbackAddress } from '../helpers/auth.ts';
import { serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

interface Person {
	email: string;
	userId: string;
	address: string;
	client: SupabaseClient;
}

/** A confirmed user signed in on a client of their own machine (own rate-limit buckets). */
async function person(prefix: string): Promise<Person> {
	const email = uniqueEmail(prefix);
	const { data, error } = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
	expect(error).toBeNull();
	const address = randomLoopbackAddress();
	const client = clientFrom(address);
	expect((await client.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
	return { email, userId: data.user!.id, address, client };
}

async function signInAgain(p: Person): Promise<SupabaseClient> {
	const client = clientFrom(p.address);
	expect((await client.auth.signInWithPassword({ email: p.email, password: PASSWORD })).error).toBeNull();
	return client;
}

async function enrolVerified(p: Person): Promise<{ factorId: string; secret: string }> {
	const enrolled = await p.client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Authenticator' });
	expect(enrolled.error).toBeNull();
	const { id: factorId, totp: t } = enrolled.data as { id: string; totp: { secret: string } };
	const verified = await p.client.auth.mfa.challengeAndVerify({ factorId, code: totp(t.secret) });
	expect(verified.error).toBeNull();
	return { factorId, secret: t.secret };
}

async function accessToken(client: SupabaseClient): Promise<string> {
	return (await client.auth.getSession()).data.session!.access_token;
}

describe('enrolling a TOTP factor', () => {
	it('returns the factor with a QR code, the secret and the otpauth URI, unverified until a code is checked', async () => {
		const p = await person('mfa-enrol');
		const { data, error } = await p.client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Phone' });
		expect(error).toBeNull();
		const issuer = new URL(stackInfo().siteUrl).host;
		expect(data).toMatchObject({ type: 'totp', friendly_name: 'Phone' });
		const t = (data as { totp: { qr_code: string; secret: string; uri: string } }).totp;
		expect(t.secret).toMatch(/^[A-Z2-7]{32}$/);
		expect(t.qr_code).toMatch(/^data:image\/svg\+xml;utf-8,<svg[^>]*>.*<\/svg>$/s);
		expect(t.uri.startsWith(`otpauth://totp/${issuer}:${p.email}?`)).toBe(true);
		const uri = new URL(t.uri);
		expect(Object.fromEntries(uri.searchParams)).toEqual({ algorithm: 'SHA1', digits: '6', issuer, period: '30', secret: t.secret });

		const listed = await p.client.auth.mfa.listFactors();
		expect(listed.data?.all).toEqual([expect.objectContaining({ id: data!.id, factor_type: 'totp', status: 'unverified', friendly_name: 'Phone' })]);
		expect(listed.data?.totp).toEqual([]);
		const aal = await p.client.auth.mfa.getAuthenticatorAssuranceLevel();
		expect(aal.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });
	});

	it('refuses a second factor with the same friendly name, and an unknown type', async () => {
		const p = await person('mfa-names');
		expect((await p.client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Same' })).error).toBeNull();
		const again = await p.client.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Same' });
		expect(again.error).toMatchObject({ status: 422, code: 'mfa_factor_name_conflict', message: 'A factor with the friendly name "Same" for this user already exists' });
		const bogus = await p.client.auth.mfa.enroll({ factorType: 'sms' } as never);
		expect(bogus.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'factor_type needs to be totp, phone, or webauthn' });
	});

	it('answers phone and WebAuthn factors with GoTrue’s disabled errors', async () => {
		const p = await person('mfa-disabled');
		const phone = await p.client.auth.mfa.enroll({ factorType: 'phone', phone: '+15555550100' });
		expect(phone.error).toMatchObject({ status: 422, code: 'mfa_phone_enroll_not_enabled', message: 'MFA enroll is disabled for Phone' });
		const token = await accessToken(p.client);
		const res = await fetch(`${stackInfo().apiUrl}/auth/v1/factors`, {
			method: 'POST',
			headers: { apikey: stackInfo().anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
			body: JSON.stringify({ factor_type: 'webauthn', friendly_name: 'Key' })
		});
		expect(res.status).toBe(422);
		expect(await res.json()).toEqual({ code: 'mfa_webauthn_enroll_not_enabled', message: 'MFA enroll is disabled for WebAuthn' });
	});
});

describe('verifying', () => {
	it('makes the session aal2 with a totp AMR entry, and ends the user’s other aal1 sessions', async () => {
		const p = await person('mfa-verify');
		const other = await accessToken(await signInAgain(p));
		const { factorId } = await enrolVerified(p);
		const claims = claimsOf(await accessToken(p.client));
		expect(claims.aal).toBe('aal2');
		expect((claims.amr as Array<{ method: string }>).map((a) => a.method).sort()).toEqual(['password', 'totp']);
		const aal = await p.client.auth.mfa.getAuthenticatorAssuranceLevel();
		expect(aal.data).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });
		const listed = await p.client.auth.mfa.listFactors();
		expect(listed.data?.totp).toEqual([expect.objectContaining({ id: factorId, status: 'verified' })]);
		// GoTrue ends sessions below aal2 once a factor is verified.
		const ended = await fetch(`${stackInfo().apiUrl}/auth/v1/user`, { headers: { apikey: stackInfo().anonKey, authorization: `Bearer ${other}`, 'x-supabase-api-version': '2024-01-01' } });
		expect(ended.status).toBe(403);
		expect((await ended.json()).code).toBe('session_not_found');
		// The refreshed token keeps aal2.
		const refreshed = await p.client.auth.refreshSession();
		expect(claimsOf(refreshed.data.session!.access_token).aal).toBe('aal2');
	});

	it('asks a new sign-in for the second factor: aal1 now, aal2 next', async () => {
		const p = await person('mfa-next');
		const { factorId, secret } = await enrolVerified(p);
		const fresh = await signInAgain(p);
		const aal = await fresh.auth.mfa.getAuthenticatorAssuranceLevel();
		expect(aal.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal2' });
		// A new factor needs aal2 once one is verified.
		const enrol = await fresh.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Second' });
		expect(enrol.error).toMatchObject({ status: 403, code: 'insufficient_aal', message: 'AAL2 required to enroll a new factor' });
		const stepped = await fresh.auth.mfa.challengeAndVerify({ factorId, code: totp(secret) });
		expect(stepped.error).toBeNull();
		expect((await fresh.auth.mfa.getAuthenticatorAssuranceLevel()).data?.currentLevel).toBe('aal2');
	});

	it('refuses a wrong code, an unknown challenge, and a challenge used twice', async () => {
		const p = await person('mfa-wrong');
		const { factorId, secret } = await enrolVerified(p);
		const challenge = await p.client.auth.mfa.challenge({ factorId });
		expect(challenge.data).toMatchObject({ type: 'totp', expires_at: expect.any(Number) });
		const code = totp(secret);
		const wrong = await p.client.auth.mfa.verify({ factorId, challengeId: challenge.data!.id, code: code === '000000' ? '111111' : '000000' });
		expect(wrong.error).toMatchObject({ status: 422, code: 'mfa_verification_failed', message: 'Invalid TOTP code entered' });
		const unknown = await p.client.auth.mfa.verify({ factorId, challengeId: crypto.randomUUID(), code });
		expect(unknown.error).toMatchObject({ status: 422, code: 'mfa_factor_not_found', message: 'MFA factor with the provided challenge ID not found' });
		expect((await p.client.auth.mfa.verify({ factorId, challengeId: challenge.data!.id, code })).error).toBeNull();
		const replay = await p.client.auth.mfa.verify({ factorId, challengeId: challenge.data!.id, code });
		expect(replay.error).toMatchObject({ status: 422, code: 'mfa_ip_address_mismatch' });
	});

	it('refuses a challenge verified from another address than the one that asked for it', async () => {
		const p = await person('mfa-ip');
		const { factorId, secret } = await enrolVerified(p);
		const challenge = await p.client.auth.mfa.challenge({ factorId });
		const session = (await p.client.auth.getSession()).data.session!;
		const elsewhere = clientFrom(randomLoopbackAddress());
		await elsewhere.auth.setSession({ access_token: session.access_token, refresh_token: session.refresh_token });
		const verified = await elsewhere.auth.mfa.verify({ factorId, challengeId: challenge.data!.id, code: totp(secret) });
		expect(verified.error).toMatchObject({ status: 422, code: 'mfa_ip_address_mismatch', message: 'Challenge and verify IP addresses mismatch.' });
	});
});

describe('attackers', () => {
	it('a flood of guesses at the code is cut off after GoTrue’s burst of 30 per address', async () => {
		const p = await person('mfa-flood');
		const { factorId } = await enrolVerified(p);
		const challenge = await p.client.auth.mfa.challenge({ factorId });
		const statuses: number[] = [];
		for (let i = 0; i < 32; i++) {
			const guess = String(i).padStart(6, '0');
			const { error } = await p.client.auth.mfa.verify({ factorId, challengeId: challenge.data!.id, code: guess });
			statuses.push(error?.status ?? 200);
			if (error?.status === 429) {
				expect(error).toMatchObject({ code: 'over_request_rate_limit' });
				break;
			}
		}
		// The challenge counted one token; every guess one more; 429 before a million codes can be tried.
		expect(statuses.at(-1)).toBe(429);
		expect(statuses.length).toBeLessThanOrEqual(31);
		expect(statuses.slice(0, -1).every((s) => s === 422)).toBe(true);
	});

	it('an aal1 session cannot unenrol a verified factor (someone with the password alone)', async () => {
		const p = await person('mfa-unenrol');
		const { factorId } = await enrolVerified(p);
		const passwordOnly = await signInAgain(p);
		const refused = await passwordOnly.auth.mfa.unenroll({ factorId });
		expect(refused.error).toMatchObject({ status: 422, code: 'insufficient_aal', message: 'AAL2 required to unenroll verified factor' });
		expect((await serviceClient().auth.admin.mfa.listFactors({ userId: p.userId })).data?.factors).toHaveLength(1);
		// With aal2 it goes, and the session drops back to aal1.
		expect((await p.client.auth.mfa.unenroll({ factorId })).error).toBeNull();
		const refreshed = await p.client.auth.refreshSession();
		expect(claimsOf(refreshed.data.session!.access_token).aal).toBe('aal1');
	});

	it('another user cannot challenge, verify or unenrol someone’s factor', async () => {
		const victim = await person('mfa-victim');
		const { factorId, secret } = await enrolVerified(victim);
		const attacker = await person('mfa-attacker');
		const challenge = await attacker.client.auth.mfa.challenge({ factorId });
		expect(challenge.error).toMatchObject({ status: 404, code: 'mfa_factor_not_found', message: 'Factor not found' });
		const verify = await attacker.client.auth.mfa.verify({ factorId, challengeId: crypto.randomUUID(), code: totp(secret) });
		expect(verify.error).toMatchObject({ status: 404, code: 'mfa_factor_not_found' });
		const unenrol = await attacker.client.auth.mfa.unenroll({ factorId });
		expect(unenrol.error).toMatchObject({ status: 404, code: 'mfa_factor_not_found' });
		expect((await serviceClient().auth.admin.mfa.listFactors({ userId: victim.userId })).data?.factors).toHaveLength(1);
	});
});

describe('admin', () => {
	it('lists and deletes a user’s factors; the anon key may not', async () => {
		const p = await person('mfa-admin');
		const { factorId } = await enrolVerified(p);
		const admin = serviceClient().auth.admin.mfa;
		const listed = await admin.listFactors({ userId: p.userId });
		expect(listed.data?.factors).toEqual([expect.objectContaining({ id: factorId, factor_type: 'totp', status: 'verified', friendly_name: 'Authenticator' })]);
		expect(JSON.stringify(listed.data)).not.toContain('secret');
		const res = await fetch(`${stackInfo().apiUrl}/auth/v1/admin/users/${p.userId}/factors`, {
			headers: { apikey: stackInfo().anonKey, authorization: `Bearer ${await accessToken(p.client)}` }
		});
		expect(res.status).toBe(403);
		// GoTrue answers with the deleted factor (auth-js wraps it once more in data).
		const deleted = await fetch(`${stackInfo().apiUrl}/auth/v1/admin/users/${p.userId}/factors/${factorId}`, {
			method: 'DELETE',
			headers: { apikey: stackInfo().serviceRoleKey, authorization: `Bearer ${stackInfo().serviceRoleKey}` }
		});
		expect(deleted.status).toBe(200);
		expect(await deleted.json()).toMatchObject({ id: factorId, factor_type: 'totp' });
		expect((await admin.deleteFactor({ userId: p.userId, id: factorId })).error).toMatchObject({ status: 404 });
		expect((await admin.listFactors({ userId: p.userId })).data?.factors).toEqual([]);
		expect(claimsOf((await p.client.auth.refreshSession()).data.session!.access_token).aal).toBe('aal1');
	});
});
