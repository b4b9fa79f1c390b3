// HTTP protections of every response the app serves, in production and in
// the dev server alike (SvelteKit checks form origins in production only).
// The Content-Security-Policy itself is SvelteKit's (vite.config.ts: nonces
// on its scripts); here it gains the one source known only when the server
// starts, the Supabase API the browser talks to.
import type { Handle } from '@sveltejs/kit/hooks';
import { PUBLIC_SUPABASE_URL } from '$app/env/public';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a request that changes something must be refused as cross-site, or
 * null. Browsers send Origin with every POST; without it, Sec-Fetch-Site
 * tells a same-origin request apart. A request that carries neither comes
 * from no browser (no victim's cookies to abuse) and is refused all the
 * same: nothing the app offers needs it.
 */
export function crossSiteRefusal(method: string, selfOrigin: string, headers: Headers): string | null {
	if (SAFE_METHODS.has(method)) return null;
	const origin = headers.get('origin');
	if (origin !== null && origin !== 'null') return origin === selfOrigin ? null : `Cross-site ${method} requests are forbidden (from ${origin})`;
	const site = headers.get('sec-fetch-site');
	if (site === 'same-origin') return null;
	return `Cross-site ${method} requests are forbidden (the request did not say where it came from)`;
}

/**
 * Paths whose changes rest on a token in the URL, never on the visitor's
 * cookies, so a cross-site request gains nothing: the one-click unsubscribe
 * of notification emails, which mail clients POST from their own servers
 * (RFC 8058) without an Origin.
 */
const TOKEN_ONLY_PATHS = new Set(['/unsubscribe']);

export const csrfGuard: Handle = async ({ event, resolve }) => {
	const refusal = TOKEN_ONLY_PATHS.has(event.url.pathname) ? null : crossSiteRefusal(event.request.method, event.url.origin, event.request.headers);
	if (refusal) {
		const json = event.request.headers.get('accept')?.includes('application/json');
		return json ? Response.json({ message: refusal }, { status: 403 }) : new Response(refusal, { status: 403, headers: { 'content-type': 'text/plain' } });
	}
	return resolve(event);
};

/** 'self', the Supabase API (REST, Auth, Functions) and its websocket (Realtime). */
export function connectSources(supabaseUrl: string): string {
	const api = new URL(supabaseUrl);
	const socket = `${api.protocol === 'https:' ? 'wss:' : 'ws:'}//${api.host}`;
	return `connect-src 'self' ${api.origin} ${socket}`;
}

function addSecurityHeaders(headers: Headers): void {
	const csp = headers.get('content-security-policy');
	if (csp && !/(^|;)\s*connect-src /.test(csp)) headers.set('content-security-policy', `${csp.replace(/;?\s*$/, '')}; ${connectSources(PUBLIC_SUPABASE_URL)}`);
	headers.set('x-content-type-options', 'nosniff');
	headers.set('referrer-policy', 'strict-origin-when-cross-origin');
	// frame-ancestors 'none' (in the CSP) for browsers that know it; this for those that do not.
	headers.set('x-frame-options', 'DENY');
}

export const securityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	try {
		addSecurityHeaders(response.headers);
		return response;
	} catch {
		// A response with immutable headers (one passed through from fetch): copy it.
		const copy = new Response(response.body, response);
		addSecurityHeaders(copy.headers);
		return copy;
	}
};
