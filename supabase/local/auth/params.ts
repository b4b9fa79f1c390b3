// Request parameters: JSON bodies parsed with zod the way GoTrue decodes
// them (unknown keys ignored, a wrong type is a bad_json error), and the
// email address rules GoTrue applies.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError, parseJsonBody, readBody } from '../http.ts';
import { AuthError, badRequest } from './errors.ts';

/** GoTrue limits request bodies to 1 MiB. */
const BODY_LIMIT = 1 << 20;

export async function readParams<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
	let text: string;
	try {
		text = (await readBody(req, BODY_LIMIT)).toString('utf8');
	} catch (error) {
		if (error instanceof HttpError) throw new AuthError(413, 'validation_failed', 'Request body too large');
		throw error;
	}
	let value: unknown = {};
	if (text.trim() !== '') {
		try {
			value = parseJsonBody(text);
		} catch (error) {
			throw badRequest('bad_json', `Could not parse request body as JSON: ${error instanceof Error ? error.message : error}`);
		}
	}
	if (value === null) value = {};
	const parsed = schema.safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const where = issue.path.length ? issue.path.join('.') : 'body';
		throw badRequest('bad_json', `Could not parse request body as JSON: ${where}: ${issue.message}`);
	}
	return parsed.data;
}

/** JSON object with arbitrary values (user_metadata, data...). */
export const jsonObject = z.record(z.string(), z.unknown());
export const optionalString = z.string().nullish().transform((v) => v ?? '');

// The pattern of github.com/badoux/checkmail, which GoTrue uses.
const EMAIL_PATTERN = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Validates and lower-cases an email address (GoTrue's validateEmail). */
export function validateEmail(email: string): string {
	if (email === '') throw badRequest('validation_failed', 'An email address is required');
	if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
	if (!EMAIL_PATTERN.test(email)) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
	return email.toLowerCase();
}
