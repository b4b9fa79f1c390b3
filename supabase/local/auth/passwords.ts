// bcrypt password hashes as GoTrue writes them ($2a$, cost 10) and its
// password strength rules.
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

/** Throws GoTrue's validation or weak_password error. */
export function checkPasswordStrength(password: string, minimumLength: number): void {
	if (password.length > MAX_PASSWORD_LENGTH) {
		throw badRequest('validation_failed', `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
	}
	if (password.length < minimumLength) {
		const message = `Password should be at least ${minimumLength} characters.`;
		throw new AuthError(422, 'weak_password', message, { weak_password: { reasons: ['length'] } });
	}
}

/** A random password for accounts created without one (invites, magic-link signups). */
export function randomPassword(): string {
	return randomBytes(48).toString('base64url');
}
