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

/** Parses a JSON body; an empty body is `undefined`. */
export async function readJson(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
	const body = await readBody(req, limit);
	if (body.length === 0) return undefined;
	try {
		return JSON.parse(body.toString('utf8'));
	} catch {
		throw new HttpError(400, { code: 'bad_json', message: 'Could not parse request body as JSON' });
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
