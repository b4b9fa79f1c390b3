// Every refusal of the API as one JSON shape, `{"error": {"code", "message"}}`
// (src/lib/api/contract.ts, apiErrorSchema), with a message that says what to
// fix; and the database's refusals (SQLSTATEs raised by RLS, the RPCs and a
// read-only transaction) turned into those answers.
import { API_ERROR_CODES, type ApiErrorCode } from '../../../src/lib/api/contract.ts';
import { corsHeaders } from '../_shared/cors.ts';
import { HttpError } from '../_shared/http.ts';

export class ApiError extends Error {
	readonly status: number;
	readonly code: string;
	readonly extra: Record<string, unknown>;
	readonly headers: Record<string, string>;

	constructor(status: number, code: ApiErrorCode | string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
		super(message);
		this.status = status;
		this.code = code;
		this.extra = extra;
		this.headers = headers;
	}
}

export function apiError(code: ApiErrorCode, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): ApiError {
	return new ApiError(API_ERROR_CODES[code], code, message, extra, headers);
}

export function errorResponse(error: ApiError): Response {
	return new Response(JSON.stringify({ error: { code: error.code, message: error.message, ...error.extra } }), {
		status: error.status,
		headers: { ...corsHeaders, 'Content-Type': 'application/json', ...error.headers }
	});
}

/** What the shared body reader and zod checks refuse (HttpError, flat shape) in the API's shape. */
export function fromHttpError(error: HttpError): ApiError {
	const extra = Array.isArray(error.extra.issues) ? { issues: error.extra.issues } : {};
	return new ApiError(error.status, error.code, error.message, extra);
}

interface DatabaseError {
	code?: string;
	message: string;
	hint?: string;
}

function isDatabaseError(error: unknown): error is DatabaseError {
	const code = error instanceof Error ? (error as unknown as { code?: unknown }).code : undefined;
	return typeof code === 'string' && code.length === 5;
}

export const READ_ONLY_MESSAGE =
	'This token is read-only (scope "read"): it can list, get, wait for, estimate and download, not change anything. Make a token with scope "write" on /app/settings/tokens.';

/** A database refusal as an API answer: the database's own message, with a status by its SQLSTATE; null for anything else. */
export function fromDatabaseError(error: unknown): ApiError | null {
	if (!isDatabaseError(error)) return null;
	const extra = error.hint ? { hint: error.hint } : {};
	switch (error.code) {
		case '25006': // read_only_sql_transaction: the database refused a write through a read token
			return apiError('read_only_token', READ_ONLY_MESSAGE);
		case '42501':
			return apiError('forbidden', error.message, extra);
		case '42704':
			return apiError('not_found', error.message, extra);
		case '22023':
		case '22P02':
		case '23514':
			return apiError('invalid_input', error.message, extra);
		case 'P0001':
		case '23505':
			return /not enough credits/.test(error.message)
				? apiError('insufficient_credits', error.message, extra)
				: apiError('conflict', error.message, extra);
		case 'PT401':
			return apiError('not_authenticated', error.message, extra);
		default:
			return null;
	}
}
