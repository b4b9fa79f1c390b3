// Form actions parse FormData with zod, and expected problems go back to the
// page as `fail(status, { message, fields, values })` shown beside the field.
import { fail, type ActionFailure } from '@sveltejs/kit';
import type { z } from 'zod';

export interface FormProblem {
	message: string;
	/** Field name -> what to fix in it. */
	fields: Record<string, string>;
	/** What the person typed (never passwords), so nothing is lost. */
	values: Record<string, string>;
}

const SECRET = /password/i;

function formValues(data: FormData): Record<string, string> {
	const values: Record<string, string> = {};
	for (const [key, value] of data) if (typeof value === 'string' && !SECRET.test(key)) values[key] = value;
	return values;
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; failure: ActionFailure<FormProblem> };

export function parseForm<S extends z.ZodType>(schema: S, data: FormData): Parsed<z.output<S>> {
	const raw: Record<string, FormDataEntryValue> = {};
	for (const [key, value] of data) raw[key] = value;
	const result = schema.safeParse(raw);
	if (result.success) return { ok: true, data: result.data };
	const fields: Record<string, string> = {};
	for (const issue of result.error.issues) {
		const key = String(issue.path[0] ?? 'form');
		fields[key] ??= issue.message;
	}
	return { ok: false, failure: fail(400, { message: 'Please fix the highlighted fields.', fields, values: formValues(data) }) };
}

/** A problem that is not about one field (wrong password, service refused). */
export function formFailure(status: number, message: string, data: FormData, fields: Record<string, string> = {}) {
	return fail(status, { message, fields, values: formValues(data) } satisfies FormProblem);
}
