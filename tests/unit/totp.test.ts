import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, totp, totpUri, verifyTotp } from '../../supabase/local/auth/totp.ts';

// RFC 4226 appendix D and RFC 6238 appendix B (SHA-1): the secret "12345678901234567890".
const RFC_SECRET = Buffer.from('12345678901234567890');

describe('HOTP and TOTP', () => {
	it('computes RFC 4226’s test values', () => {
		const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
		expect(expected.map((_, i) => hotp(RFC_SECRET, i))).toEqual(expected);
	});

	it('computes RFC 6238’s SHA-1 test values (last 6 digits)', () => {
		const secret = base32Encode(RFC_SECRET);
		const cases: Array<[number, string]> = [
			[59, '287082'],
			[1111111109, '081804'],
			[1111111111, '050471'],
			[1234567890, '005924'],
			[2000000000, '279037'],
			[20000000000, '353130']
		];
		for (const [time, code] of cases) expect(totp(secret, time)).toBe(code);
	});

	it('accepts one step of skew either way and nothing further', () => {
		const secret = base32Encode(RFC_SECRET);
		const now = 1_800_000_015;
		expect(verifyTotp(secret, totp(secret, now), now)).toBe(true);
		expect(verifyTotp(secret, totp(secret, now - 30), now)).toBe(true);
		expect(verifyTotp(secret, totp(secret, now + 30), now)).toBe(true);
		expect(verifyTotp(secret, totp(secret, now - 60), now)).toBe(false);
		expect(verifyTotp(secret, totp(secret, now + 60), now)).toBe(false);
		expect(verifyTotp(secret, '12345', now)).toBe(false);
		expect(verifyTotp(secret, 'abcdef', now)).toBe(false);
	});

	it('round-trips base32 and writes the otpauth URI', () => {
		expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
		expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
		expect(totpUri('127.0.0.1:5173', 'ada@example.test', 'ABC')).toBe(
			'otpauth://totp/127.0.0.1:5173:ada@example.test?algorithm=SHA1&digits=6&issuer=127.0.0.1%3A5173&period=30&secret=ABC'
		);
	});
});
