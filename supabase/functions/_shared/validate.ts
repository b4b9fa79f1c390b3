// Request bodies checked with zod: every problem reported with the field it
// is in, and the first one in the message, so a 400 says what to fix.
import { z } from 'zod';
import { HttpError } from './http.ts';
import { normaliseEmails } from './emails.ts';

export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_EMAILS_PER_CALL = 50;

function pathText(path: readonly PropertyKey[]): string {
	return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

/** The parsed value, or a 400 listing the issues ({path, message}) with the first in the message. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		const kind = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
		throw new HttpError(400, 'invalid_request', `The body must be a JSON object, not ${kind}.`);
	}
	const result = schema.safeParse(body);
	if (result.success) return result.data;
	const issues = result.error.issues.map((issue) => ({ path: pathText(issue.path), message: issue.message }));
	const first = issues[0];
	const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''}, listed in "issues")` : '';
	throw new HttpError(400, 'invalid_request', `${first.path ? `${first.path}: ` : ''}${first.message}${more}`, { issues });
}

/** A strict object's error for unknown fields, naming the fields it has. */
export const unknownFields = (fields: string) => (issue: { code: string; keys?: string[] }) =>
	issue.code === 'unrecognized_keys' ? `unknown field${issue.keys!.length > 1 ? 's' : ''} ${issue.keys!.map((k) => `"${k}"`).join(', ')}: the fields are ${fields}` : undefined;

export const uuidField = (what: string) =>
	z.string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string (a UUID)`) })
		.trim()
		.pipe(z.uuid({ error: `${what} must be a UUID like 0b6a3c1e-2f4d-4e5a-9b7c-8d9e0f1a2b3c` }));

/**
 * A list of email addresses, normalised (see emails.ts) and at most
 * MAX_EMAILS_PER_CALL once duplicates are gone.
 */
export const emailList = (field: string, { min = 0 }: { min?: number } = {}) =>
	z
		.array(z.string({ error: 'each address must be a string' }), {
			error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be an array of email addresses`)
		})
		.max(1000, { error: `${field} has too many entries: send at most ${MAX_EMAILS_PER_CALL} addresses per call` })
		.transform((raw, ctx) => {
			const { emails, issues } = normaliseEmails(raw, field);
			for (const issue of issues) {
				ctx.issues.push({ code: 'custom', path: [Number(/\[(\d+)\]$/.exec(issue.path)?.[1])], message: issue.message, input: raw });
			}
			if (issues.length > 0) return z.NEVER;
			if (emails.length < min) {
				ctx.issues.push({ code: 'custom', path: [], message: `give at least ${min} email address${min > 1 ? 'es' : ''}`, input: raw });
				return z.NEVER;
			}
			if (emails.length > MAX_EMAILS_PER_CALL) {
				ctx.issues.push({
					code: 'custom',
					path: [],
					message: `too many addresses: ${emails.length} (after removing duplicates), and at most ${MAX_EMAILS_PER_CALL} are accepted per call; send the rest in another call`,
					input: raw
				});
				return z.NEVER;
			}
			return emails;
		});
