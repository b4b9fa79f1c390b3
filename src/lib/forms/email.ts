// The web app's schema for an email address a person types: trimmed and
// lower-cased, then held to the platform's one rule (isEmailAddress, shared
// with the edge functions; the database has the same rule in
// private.is_email_address, and tests/db/email-rule.test.ts proves them
// equal). Sign-in, sign-up, password reset, team invites and job sharing all
// parse addresses with it.
import { z } from 'zod';
import { isEmailAddress, MAX_EMAIL_LENGTH } from '../../../supabase/functions/_shared/emails.ts';

export { MAX_EMAIL_LENGTH };

export const emailAddressSchema = z
	.string({ error: 'Enter your email address.' })
	.trim()
	.toLowerCase()
	.min(1, { error: 'Enter your email address.' })
	.max(MAX_EMAIL_LENGTH, { error: `That email address is too long (${MAX_EMAIL_LENGTH} characters at most).` })
	.refine(isEmailAddress, { error: 'Enter an email address like name@example.org.' });
