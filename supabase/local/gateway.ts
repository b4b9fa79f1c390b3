// The API gateway on port 54321: what Kong does in `supabase start`. It
// answers CORS, checks and maps API keys to bearer JWTs, and routes by path
// prefix to the services (auth, rest, realtime, functions).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StackConfig } from './config.ts';
import { HttpError, bearerToken, sendEmpty, sendJson } from './http.ts';
import { verifyJwt } from './jwt.ts';

export interface ApiRequest {
	req: IncomingMessage;
	res: ServerResponse;
	url: URL;
	/** Path below the service prefix, always starting with "/" (e.g. "/token"). */
	path: string;
	/** The `apikey` header (or query parameter), if any. */
	apikey: string | null;
	/** Bearer token after the gateway's key mapping: the caller's JWT, or the JWT an API key stands for. */
	token: string | null;
}

export interface UpgradeRequest {
	req: IncomingMessage;
	socket: Duplex;
	head: Buffer;
	url: URL;
	path: string;
	apikey: string | null;
	token: string | null;
}

export interface Service {
	/** Path prefix such as "/auth/v1". */
	prefix: string;
	handle(request: ApiRequest): Promise<void>;
	upgrade?(request: UpgradeRequest): void;
	/** Paths (below the prefix) that need no API key, like email links. Default: every path needs one. */
	isOpen?(path: string, method: string): boolean;
	/** The service answers CORS preflight itself (edge functions do, as on Supabase). */
	answersPreflight?: boolean;
}

const ALLOW_HEADERS = [
	'authorization', 'apikey', 'x-client-info', 'content-type', 'x-supabase-api-version', 'accept-profile',
	'content-profile', 'prefer', 'x-retry-count', 'traceparent', 'tracestate', 'baggage', 'range', 'accept'
].join(', ');
const EXPOSE_HEADERS = 'Content-Range, X-Total-Count, Link, X-Supabase-Api-Version, Content-Profile, Preference-Applied';

function corsHeaders(req: IncomingMessage): Record<string, string> {
	return {
		'Access-Control-Allow-Origin': req.headers.origin ?? '*',
		'Access-Control-Allow-Credentials': 'true',
		'Access-Control-Expose-Headers': EXPOSE_HEADERS,
		Vary: 'Origin'
	};
}

export interface KeyMapping {
	apikey: string | null;
	token: string | null;
	/** Set when the request must be refused before reaching a service. */
	refusal?: { status: number; body: unknown };
}

/** Maps `apikey` and `Authorization` the way Supabase's gateway does. */
export function mapKeys(config: StackConfig, apikey: string | null, authorization: string | undefined, open: boolean): KeyMapping {
	const bearer = bearerToken(authorization);
	if (!apikey) {
		if (open) return { apikey: null, token: bearer && !bearer.startsWith('sb_') ? bearer : null };
		return {
			apikey: null,
			token: null,
			refusal: { status: 401, body: { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' } }
		};
	}
	let keyToken: string | null;
	if (apikey === config.secretKey) keyToken = config.serviceRoleKey;
	else if (apikey === config.publishableKey) keyToken = config.anonKey;
	else if (verifyJwt(apikey, config.jwtSecret).ok) keyToken = apikey;
	else keyToken = null;
	if (keyToken === null && !open) {
		return { apikey, token: null, refusal: { status: 401, body: { message: 'Invalid API key', hint: 'Double check the provided API key.' } } };
	}
	const token = bearer && !bearer.startsWith('sb_') ? bearer : keyToken;
	return { apikey, token };
}

export function createGateway(config: StackConfig, services: Service[]): http.Server {
	const byPrefix = [...services].sort((a, b) => b.prefix.length - a.prefix.length);
	const route = (pathname: string): { service: Service; path: string } | null => {
		for (const service of byPrefix) {
			if (pathname === service.prefix || pathname.startsWith(service.prefix + '/')) {
				return { service, path: pathname.slice(service.prefix.length) || '/' };
			}
		}
		return null;
	};

	const server = http.createServer(async (req, res) => {
		const cors = corsHeaders(req);
		for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
		let url: URL;
		try {
			url = new URL(req.url ?? '/', config.apiUrl);
		} catch {
			sendJson(res, 400, { message: 'Bad request URL' });
			return;
		}
		const match = route(url.pathname);
		if (req.method === 'OPTIONS' && !match?.service.answersPreflight) {
			sendEmpty(res, 200, {
				'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
				'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? ALLOW_HEADERS,
				'Access-Control-Max-Age': '3600',
				'Content-Length': '0'
			});
			return;
		}
		if (!match) {
			sendJson(res, 404, { message: 'no Route matched with those values' });
			return;
		}
		const open = match.service.isOpen?.(match.path, req.method ?? 'GET') ?? false;
		const apikeyHeader = req.headers.apikey;
		const apikey = (Array.isArray(apikeyHeader) ? apikeyHeader[0] : apikeyHeader) ?? url.searchParams.get('apikey');
		const keys = mapKeys(config, apikey, req.headers.authorization, open);
		if (keys.refusal) {
			sendJson(res, keys.refusal.status, keys.refusal.body);
			return;
		}
		try {
			await match.service.handle({ req, res, url, path: match.path, apikey: keys.apikey, token: keys.token });
		} catch (error) {
			if (res.headersSent) {
				res.destroy();
				return;
			}
			if (error instanceof HttpError) {
				sendJson(res, error.status, error.body, error.headers);
			} else {
				console.error(`[gateway] ${req.method} ${url.pathname} failed:`, error);
				sendJson(res, 500, { message: 'Internal server error' });
			}
		}
	});

	server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		const url = new URL(req.url ?? '/', config.apiUrl);
		const match = route(url.pathname);
		if (!match?.service.upgrade) {
			socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
			return;
		}
		const keys = mapKeys(config, url.searchParams.get('apikey') ?? (req.headers.apikey as string | undefined) ?? null, req.headers.authorization, false);
		if (keys.refusal) {
			const body = JSON.stringify(keys.refusal.body);
			socket.end(`HTTP/1.1 ${keys.refusal.status} Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
			return;
		}
		match.service.upgrade({ req, socket, head, url, path: match.path, apikey: keys.apikey, token: keys.token });
	});
	server.keepAliveTimeout = 65_000;
	return server;
}
