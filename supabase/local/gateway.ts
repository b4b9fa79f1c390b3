// The API gateway on port 54321: what Kong does in `supabase start`. It
// answers CORS, checks and maps API keys to bearer JWTs, decides who the
// client is (its address), and routes by path prefix to the services (auth,
// rest, realtime, functions).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
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
	/** The client's IP address as the gateway trusts it (see clientAddress); Auth's rate limits are keyed by it. */
	clientAddress: string;
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

/** One spelling per address, as Go's net.IP.String() writes it: IPv4-mapped IPv6 in dotted form, IPv6 compressed. */
function canonicalAddress(address: string): string {
	const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
	if (mapped) return mapped[1];
	if (isIP(address) === 6) {
		try {
			return new URL(`http://[${address}]/`).hostname.slice(1, -1);
		} catch {
			return address.toLowerCase();
		}
	}
	return address;
}

export const SB_FORWARDED_FOR = 'sb-forwarded-for';

/**
 * Who the client is, decided once here and nowhere else, as the hosted
 * Supabase edge decides it:
 * - the TCP peer is the client. This gateway is the edge (nothing sits in
 *   front of it), so a client's own X-Forwarded-For or X-Real-IP is never
 *   believed: anyone can send any value, and trusting it would hand every
 *   request a fresh rate-limit bucket;
 * - `Sb-Forwarded-For` (its first value, which must be an IP address) names
 *   the client instead, but only on a request made with the project's secret
 *   key (sb_secret_...): that is how a server that calls Auth for its
 *   visitors (SSR form actions) passes on their address. Hosted Supabase
 *   honours it only for secret keys, and only once "IP address forwarding"
 *   is turned on in the project (Authentication > Rate Limits).
 */
export function clientAddress(config: StackConfig, req: IncomingMessage, apikey: string | null): string {
	const peer = canonicalAddress(req.socket.remoteAddress ?? '');
	const forwarded = req.headers[SB_FORWARDED_FOR];
	if (apikey === null || apikey !== config.secretKey || forwarded === undefined) return peer;
	const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded).split(',')[0].trim();
	return isIP(first) ? canonicalAddress(first) : peer;
}

/**
 * What the services behind the gateway see: X-Forwarded-For replaced by the
 * trusted address (as Kong does for clients outside its trusted_ips), and no
 * Sb-Forwarded-For, so no service can be fooled by a client's own header.
 */
function stampClientAddress(req: IncomingMessage, address: string): void {
	req.headers['x-forwarded-for'] = address;
	delete req.headers['x-real-ip'];
	delete req.headers[SB_FORWARDED_FOR];
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
		const address = clientAddress(config, req, keys.apikey);
		stampClientAddress(req, address);
		try {
			await match.service.handle({ req, res, url, path: match.path, apikey: keys.apikey, token: keys.token, clientAddress: address });
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
		stampClientAddress(req, clientAddress(config, req, keys.apikey));
		match.service.upgrade({ req, socket, head, url, path: match.path, apikey: keys.apikey, token: keys.token });
	});
	server.keepAliveTimeout = 65_000;
	return server;
}
