import { z } from 'zod';
import { emailAddressSchema } from './email.ts';

/** An email address: the platform's one rule (./email.ts). */
export const emailField = emailAddressSchema;

export const newPasswordField = z
	.string({ error: 'Choose a password.' })
	.min(8, { error: 'Use at least 8 characters.' })
	.max(72, { error: 'Use at most 72 characters.' });

export const signInSchema = z.object({
	email: emailField,
	password: z.string({ error: 'Enter your password.' }).min(1, { error: 'Enter your password.' })
});

export const signUpSchema = z.object({
	email: emailField,
	password: newPasswordField,
	display_name: z.string().trim().max(120, { error: 'Use at most 120 characters.' }).optional()
});

export const newPasswordSchema = z
	.object({ password: newPasswordField, confirm: z.string() })
	.refine((v) => v.password === v.confirm, { error: 'The two passwords differ.', path: ['confirm'] });

/** Only same-site paths: an open redirect would let a link send people anywhere. */
export function safeNext(next: string | null | undefined, fallback = '/app/jobs'): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
	return next;
}
