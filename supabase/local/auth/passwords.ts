// bcrypt password hashes as GoTrue writes them ($2a$, cost 10) and its
// password strength rules (minimum_password_length, password_requirements).
import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { AuthError, badRequest } from './errors.ts';

const COST = 10;
/** bcrypt reads at most 72 bytes; GoTrue refuses longer passwords. */
export const MAX_PASSWORD_LENGTH = 72;

export async function hashPassword(password: string): Promise<string> {
	// Go's bcrypt writes the $2a$ prefix; bcryptjs defaults to $2b$. Both compute the same hash.
	const salt = (await bcrypt.genSalt(COST)).replace(/^\$2b\$/, '$2a$');
	return bcrypt.hash(password, salt);
}

export async function passwordMatches(password: string, hash: string | null): Promise<boolean> {
	if (!hash || !/^\$2[aby]\$/.test(hash)) return false;
	return bcrypt.compare(password, hash);
}

export interface PasswordRules {
	/** Bytes, as GoTrue counts (Go's len of the UTF-8 string). */
	minimumPasswordLength: number;
	/** At least one character of each set ([auth] password_requirements). */
	passwordRequiredCharacters: string[];
}

/** Why GoTrue calls `password` weak: its reasons and messages, in its order; null when it is not. */
export function passwordWeakness(password: string, rules: PasswordRules): { message: string; reasons: string[] } | null {
	const reasons: string[] = [];
	const messages: string[] = [];
	if (Buffer.byteLength(password, 'utf8') < rules.minimumPasswordLength) {
		reasons.push('length');
		messages.push(`Password should be at least ${rules.minimumPasswordLength} characters.`);
	}
	const sets = rules.passwordRequiredCharacters;
	if (sets.some((set) => set !== '' && ![...set].some((c) => password.includes(c)))) {
		reasons.push('characters');
		messages.push(`Password should contain at least one character of each: ${sets.join(', ')}.`);
	}
	return reasons.length > 0 ? { message: messages.join(' '), reasons } : null;
}

/** Throws GoTrue's validation error (over 72 bytes) or its 422 weak_password with the reasons. */
export function checkPasswordStrength(password: string, rules: PasswordRules): void {
	if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_LENGTH) {
		throw badRequest('validation_failed', `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
	}
	const weakness = passwordWeakness(password, rules);
	if (weakness) throw new AuthError(422, 'weak_password', weakness.message, { weak_password: { reasons: weakness.reasons } });
}

/** A random password for accounts created without one (invites, magic-link signups). */
export function randomPassword(): string {
	return randomBytes(48).toString('base64url');
}
