// Requests in, JSON answers out, for the browser-called functions: the body
// read with a size limit, errors as one JSON shape ({error, code, ...}) with
// a message that says what to fix, and unexpected failures logged, not shown.
import { corsHeaders, jsonResponse, preflight } from './cors.ts';

/** An answer other than 2xx, with a message a person can act on. */
export class HttpError extends Error {
	readonly status: number;
	readonly code: string;
	readonly extra: Record<string, unknown>;
	readonly headers: Record<string, string>;

	constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
		super(message);
		this.status = status;
		this.code = code;
		this.extra = extra;
		this.headers = headers;
	}
}

function errorResponse(error: HttpError): Response {
	return new Response(JSON.stringify({ error: error.message, code: error.code, ...error.extra }), {
		status: error.status,
		headers: { ...corsHeaders, 'Content-Type': 'application/json', ...error.headers }
	});
}

/**
 * Reads the body as JSON, refusing bodies over `maxBytes` (by Content-Length
 * when given, else while reading, so a huge body is never held in memory).
 */
export async function readJson(request: Request, maxBytes: number, example: string): Promise<unknown> {
	const declared = Number(request.headers.get('content-length') ?? NaN);
	if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes);
	const chunks: Uint8Array[] = [];
	let size = 0;
	if (request.body) {
		const reader = request.body.getReader();
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > maxBytes) {
				await reader.cancel();
				throw tooLarge(size, maxBytes, true);
			}
			chunks.push(value);
		}
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		throw new HttpError(400, 'invalid_json', 'The body is not UTF-8 text: send a JSON object encoded as UTF-8.');
	}
	if (text.trim() === '') throw new HttpError(400, 'empty_body', `The body is empty: send a JSON object like ${example}.`);
	try {
		return JSON.parse(text);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new HttpError(400, 'invalid_json', `The body is not valid JSON (${reason}): send a JSON object like ${example}.`);
	}
}

function tooLarge(size: number, maxBytes: number, atLeast = false): HttpError {
	return new HttpError(
		413,
		'body_too_large',
		`The body is too large (${atLeast ? 'over ' : ''}${size} bytes); send at most ${maxBytes} bytes (${Math.floor(maxBytes / 1024)} KiB).`
	);
}

/** Serves a POST-only JSON function: CORS preflight, method check, HttpError answers, unexpected errors logged as 500. */
export function servePost(name: string, handler: (request: Request) => Promise<Response>): void {
	Deno.serve(async (request) => {
		const answer = preflight(request);
		if (answer) return answer;
		if (request.method !== 'POST') {
			return errorResponse(new HttpError(405, 'method_not_allowed', `Use POST with a JSON body to call ${name}.`, {}, { Allow: 'POST, OPTIONS' }));
		}
		try {
			return await handler(request);
		} catch (error) {
			if (error instanceof HttpError) return errorResponse(error);
			console.error(`${name}: unexpected error:`, error);
			return errorResponse(new HttpError(500, 'internal_error', `${name} failed unexpectedly; try again, and report it if it keeps happening.`));
		}
	});
}

export { jsonResponse };
