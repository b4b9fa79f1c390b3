// PostgREST's error bodies and status codes: its own PGRSTxxx errors and the
// SQLSTATE -> HTTP mapping it applies to errors raised by Postgres.
import { HttpError } from '../http.ts';

export interface PgrstBody {
	code: string;
	details: string | null | unknown;
	hint: string | null | unknown;
	message: string;
}

/** An error answered as PostgREST answers it: `{code, details, hint, message}`. */
export class PgrstError extends HttpError {
	constructor(status: number, code: string, message: string, details: unknown = null, hint: unknown = null, headers: Record<string, string> = {}) {
		const body: PgrstBody = { code, details, hint, message };
		super(status, body, headers);
	}
}

/** Raised when the schema cache may simply be stale: the request is retried once after a reload. */
export class SchemaMissError extends PgrstError {}

/** PGRST100: a query parameter that does not parse. */
export function parseError(what: string, input: string, column: number, details: string): PgrstError {
	return new PgrstError(400, 'PGRST100', `"failed to parse ${what} (${input})" (line 1, column ${column})`, details);
}

export function tableNotFound(schema: string, name: string, suggestion: string | null): SchemaMissError {
	return new SchemaMissError(
		404,
		'PGRST205',
		`Could not find the table '${schema}.${name}' in the schema cache`,
		null,
		suggestion ? `Perhaps you meant the table '${schema}.${suggestion}'` : null
	);
}

export function columnNotFound(relation: string, column: string): SchemaMissError {
	return new SchemaMissError(400, 'PGRST204', `Could not find the '${column}' column of '${relation}' in the schema cache`);
}

export function singularityError(rows: number): PgrstError {
	return new PgrstError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${rows} rows`);
}

/** The fields of a node-postgres DatabaseError that PostgREST reports. */
interface DbErrorLike {
	code?: string;
	message: string;
	detail?: string;
	hint?: string;
}

function isDbError(error: unknown): error is DbErrorLike & Error {
	return error instanceof Error && typeof (error as DbErrorLike).code === 'string' && (error as DbErrorLike).code!.length === 5;
}

/** HTTP status PostgREST gives a SQLSTATE (`authed`: the request carried a JWT). */
export function statusForSqlState(code: string, message: string, authed: boolean): number {
	switch (code) {
		case '23503':
		case '23505':
			return 409;
		case '25006':
			return 405;
		case '21000':
			return message.endsWith('requires a WHERE clause') ? 400 : 500;
		case '22023':
			return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
		case '53400':
			return 500;
		case '57P01':
			return 503;
		case 'P0001':
			return 400;
		case '42883':
			return message.startsWith('function xmlagg(') ? 406 : 404;
		case '42P01':
			return 404;
		case '42P17':
			return 500;
		case '42501':
			return authed ? 403 : 401;
	}
	const head = code.slice(0, 2);
	switch (head) {
		case '08':
			return 503;
		case '09':
			return 500;
		case '0L':
		case '0P':
			return 403;
		case '25':
			return 500;
		case '28':
			return 403;
		case '2D':
		case '38':
		case '39':
		case '3B':
		case '40':
			return 500;
		case '53':
			return 503;
		case '54':
		case '55':
		case '57':
		case '58':
		case 'F0':
		case 'HV':
		case 'P0':
		case 'XX':
			return 500;
		case 'PT': {
			const n = Number(code.slice(2));
			return Number.isInteger(n) && n >= 100 && n <= 599 ? n : 500;
		}
	}
	return 400;
}

/** `RAISE SQLSTATE 'PGRST'` with a JSON message and detail: full control over the response. */
function raisePgrst(error: DbErrorLike): PgrstError {
	let body: { code?: unknown; message?: unknown; details?: unknown; hint?: unknown };
	try {
		body = JSON.parse(error.message);
		if (typeof body !== 'object' || body === null || typeof body.code !== 'string' || typeof body.message !== 'string') throw new Error();
	} catch {
		return new PgrstError(
			500,
			'PGRST121',
			'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
			`Invalid JSON value for MESSAGE: '${error.message}'`,
			"MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."
		);
	}
	let detail: { status?: unknown; status_text?: unknown; headers?: unknown };
	try {
		if (error.detail === undefined) throw new Error('missing');
		detail = JSON.parse(error.detail);
		if (typeof detail !== 'object' || detail === null || typeof detail.status !== 'number') throw new Error();
	} catch (e) {
		return new PgrstError(
			500,
			'PGRST121',
			'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error',
			e instanceof Error && e.message === 'missing' ? 'DETAIL is missing in the RAISE statement' : `Invalid JSON value for DETAIL: '${error.detail}'`,
			"DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."
		);
	}
	const headers: Record<string, string> = {};
	if (typeof detail.headers === 'object' && detail.headers !== null) {
		for (const [k, v] of Object.entries(detail.headers)) if (typeof v === 'string') headers[k] = v;
	}
	return new PgrstError(detail.status as number, body.code as string, body.message as string, body.details ?? null, body.hint ?? null, headers);
}

/** Converts an error thrown while running a request's SQL into PostgREST's response. */
export function fromDatabaseError(error: unknown, authed: boolean): HttpError {
	if (error instanceof HttpError) return error;
	if (!isDbError(error)) {
		const message = error instanceof Error ? error.message : String(error);
		if (/connect|ECONNREFUSED|terminat|Connection/i.test(message)) {
			return new PgrstError(503, 'PGRST000', 'Database connection error. Retrying the connection.', message);
		}
		return new PgrstError(500, 'PGRSTX00', message);
	}
	const code = error.code!;
	if (code === 'PGRST') return raisePgrst(error);
	const status = statusForSqlState(code, error.message, authed);
	const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
	return new PgrstError(status, code, error.message, error.detail ?? null, error.hint ?? null, headers);
}
