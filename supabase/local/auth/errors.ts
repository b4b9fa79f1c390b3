// Errors the auth service answers with, serialised the way GoTrue does:
// `{code, message}` (plus `weak_password`) when the request asks for API
// version 2024-01-01 or later, the legacy `{code: <status>, error_code, msg}`
// otherwise; OAuth-style `{error, error_description}` for a few token errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.ts';

export const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024 = '2024-01-01';

/** An error with an HTTP status and one of GoTrue's error codes. */
export class AuthError extends Error {
	readonly status: number;
	readonly code: string;
	/** Extra fields of the body (e.g. `weak_password`). */
	readonly extra: Record<string, unknown>;
	constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
		super(message);
		this.status = status;
		this.code = code;
		this.extra = extra;
	}
}

/** RFC 6749-style error (`{error, error_description}`), always 400. */
export class OAuthError extends Error {
	readonly error: string;
	constructor(error: string, description: string) {
		super(description);
		this.error = error;
	}
}

export const badRequest = (code: string, message: string) => new AuthError(400, code, message);
export const forbidden = (code: string, message: string) => new AuthError(403, code, message);
export const notFound = (code: string, message: string) => new AuthError(404, code, message);
export const unprocessable = (code: string, message: string) => new AuthError(422, code, message);
export const internal = (message: string) => new AuthError(500, 'unexpected_failure', message);

/** The API version a request asks for: a date at or after 2024-01-01, or null for the initial version. */
export function requestedApiVersion(req: IncomingMessage): string | null {
	const raw = req.headers['x-supabase-api-version'];
	const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
	if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) return null;
	return value >= API_VERSION_2024 ? API_VERSION_2024 : null;
}

export function sendAuthError(req: IncomingMessage, res: ServerResponse, error: AuthError | OAuthError): void {
	if (error instanceof OAuthError) {
		sendJson(res, 400, { error: error.error, error_description: error.message });
		return;
	}
	const version = requestedApiVersion(req);
	const headers: Record<string, string> = { 'x-sb-error-code': error.code };
	if (version) {
		headers[API_VERSION_HEADER] = version;
		sendJson(res, error.status, { code: error.code, message: error.message, ...error.extra }, headers);
	} else {
		sendJson(res, error.status, { code: error.status, error_code: error.code, msg: error.message, ...error.extra }, headers);
	}
}
