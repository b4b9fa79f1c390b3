// Small HTTP helpers shared by the gateway's services (auth, rest, mail...).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error a service answers with a status and a JSON body. */
export class HttpError extends Error {
	readonly status: number;
	readonly body: unknown;
	readonly headers: Record<string, string>;
	constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
		super(typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : `HTTP ${status}`);
		this.status = status;
		this.body = body;
		this.headers = headers;
	}
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/** Reads the whole request body, refusing bodies over `limit` bytes with 413. */
export async function readBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
	const declared = Number(req.headers['content-length'] ?? 0);
	if (declared > limit) throw new HttpError(413, { message: `Request body is larger than ${limit} bytes` });
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > limit) throw new HttpError(413, { message: `Request body is larger than ${limit} bytes` });
		chunks.push(chunk as Buffer);
	}
	return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/**
 * How deeply a request body's arrays and objects may nest. JSON.parse itself
 * copes with any depth, but every recursive walk after it (JSON.stringify for
 * a query parameter, validation, Postgres's own parser) overflows its stack
 * somewhere past a few thousand levels; no real payload comes near this.
 */
export const MAX_JSON_DEPTH = 1000;

/** A request body that is not usable JSON; `message` says what is wrong with it. */
export class JsonBodyError extends Error {}

/** The deepest nesting of arrays and objects in JSON text (a linear scan; strings are skipped). */
export function jsonNestingDepth(text: string, stopAbove = Infinity): number {
	let depth = 0;
	let deepest = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c) i++; // backslash: skip the escaped character
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) {
			inString = true;
		} else if (c === 0x5b || c === 0x7b) {
			if (++depth > deepest) {
				deepest = depth;
				if (deepest > stopAbove) return deepest;
			}
		} else if (c === 0x5d || c === 0x7d) {
			depth--;
		}
	}
	return deepest;
}

/**
 * JSON.parse for request bodies: every service parses request JSON through
 * this, so a body nested too deeply is refused with the same clear message
 * everywhere instead of overflowing the stack later (a 500).
 */
export function parseJsonBody(text: string): unknown {
	if (jsonNestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
		throw new JsonBodyError(`JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
	}
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new JsonBodyError(error instanceof Error ? error.message : String(error));
	}
}

/** Parses a JSON body; an empty body is `undefined`. */
export async function readJson(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
	const body = await readBody(req, limit);
	if (body.length === 0) return undefined;
	try {
		return parseJsonBody(body.toString('utf8'));
	} catch (error) {
		throw new HttpError(400, { code: 'bad_json', message: `Could not parse request body as JSON: ${(error as Error).message}` });
	}
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const text = body === undefined ? '' : JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
	res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
	res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
	res.writeHead(status, headers);
	res.end();
}

/** Bearer token of an Authorization header value, or null. */
export function bearerToken(header: string | undefined): string | null {
	if (!header) return null;
	const match = /^Bearer\s+(.+)$/i.exec(header.trim());
	return match ? match[1].trim() : null;
}
