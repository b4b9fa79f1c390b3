// TOTP (RFC 6238) over HOTP (RFC 4226) with node:crypto, as GoTrue's MFA uses
// it: HMAC-SHA1, 6 digits, 30-second steps, one step of skew either way, and
// a 20-byte secret written in unpadded base32 (RFC 4648).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;

export function base32Encode(bytes: Buffer): string {
	let bits = 0;
	let value = 0;
	let out = '';
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
	return out;
}

export function base32Decode(text: string): Buffer {
	const clean = text.replace(/=+$/, '').toUpperCase();
	let bits = 0;
	let value = 0;
	const out: number[] = [];
	for (const char of clean) {
		const index = BASE32.indexOf(char);
		if (index < 0) throw new Error('not base32');
		value = (value << 5) | index;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 255);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32. */
export function newTotpSecret(): string {
	return base32Encode(randomBytes(20));
}

/** The HOTP value of `counter` (RFC 4226 section 5.3). */
export function hotp(secret: Buffer, counter: number, digits = TOTP_DIGITS): string {
	const message = Buffer.alloc(8);
	message.writeBigUInt64BE(BigInt(counter));
	const mac = createHmac('sha1', secret).update(message).digest();
	const offset = mac[mac.length - 1] & 0x0f;
	const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
	return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The TOTP code of a base32 secret at `unixSeconds`. */
export function totp(secretBase32: string, unixSeconds = Date.now() / 1000): string {
	return hotp(base32Decode(secretBase32), Math.floor(unixSeconds / TOTP_PERIOD_S));
}

/** Whether `code` is the code of this step or the one before or after it. */
export function verifyTotp(secretBase32: string, code: string, unixSeconds = Date.now() / 1000): boolean {
	if (!/^\d{6}$/.test(code)) return false;
	const secret = base32Decode(secretBase32);
	const step = Math.floor(unixSeconds / TOTP_PERIOD_S);
	let ok = false;
	for (const counter of [step - 1, step, step + 1]) {
		if (counter < 0) continue;
		// Every candidate is compared, so the time taken does not say which one matched.
		if (timingSafeEqual(Buffer.from(hotp(secret, counter)), Buffer.from(code))) ok = true;
	}
	return ok;
}

/** The otpauth:// URI authenticator apps read (Key URI Format), as GoTrue's otp library writes it. */
export function totpUri(issuer: string, accountName: string, secretBase32: string): string {
	const label = encodeURIComponent(`${issuer}:${accountName}`).replace(/%3A/g, ':').replace(/%40/g, '@');
	const query = new URLSearchParams({ algorithm: 'SHA1', digits: String(TOTP_DIGITS), issuer, period: String(TOTP_PERIOD_S), secret: secretBase32 });
	return `otpauth://totp/${label}?${query.toString()}`;
}
