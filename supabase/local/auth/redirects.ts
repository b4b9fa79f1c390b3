// Where email links and /verify send the browser: the requested redirect_to
// when it is the site URL (or a loopback address) or matches one of
// additional_redirect_urls (globs with `*` within a path or host segment and
// `**` across them, like GoTrue's gobwas/glob), else the site URL.
import type { IncomingMessage } from 'node:http';
import type { StackConfig } from '../config.ts';

function globToRegExp(glob: string): RegExp {
	let out = '';
	for (let i = 0; i < glob.length; i++) {
		const c = glob[i];
		if (c === '*') {
			if (glob[i + 1] === '*') {
				out += '.*';
				i++;
			} else {
				out += '[^./]*';
			}
		} else if (c === '?') {
			out += '[^./]';
		} else if (c === '{') {
			const end = glob.indexOf('}', i);
			if (end === -1) {
				out += '\\{';
			} else {
				out += `(?:${glob.slice(i + 1, end).split(',').map(escapeRegExp).join('|')})`;
				i = end;
			}
		} else {
			out += escapeRegExp(c);
		}
	}
	return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function isLoopbackHost(hostname: string): boolean {
	return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export function isRedirectUrlValid(config: StackConfig, redirectUrl: string): boolean {
	if (!redirectUrl) return false;
	let base: URL;
	let target: URL;
	try {
		base = new URL(config.auth.siteUrl);
		target = new URL(redirectUrl);
	} catch {
		return false;
	}
	if (base.hostname === target.hostname && base.protocol === target.protocol && (base.port === target.port || isLoopbackHost(target.hostname))) {
		return true;
	}
	// GoTrue allows loopback IP addresses (RFC 8252 native-app redirects).
	if (/^127(\.\d{1,3}){3}$/.test(target.hostname) || target.hostname === '[::1]') return true;
	const withoutFragment = redirectUrl.split('#')[0];
	return config.auth.additionalRedirectUrls.some((pattern) => globToRegExp(pattern).test(withoutFragment));
}

/** GoTrue's GetReferrer: `redirect_to` (header or query), then the Referer header, else the site URL. */
export function referrer(config: StackConfig, req: IncomingMessage, url: URL, bodyRedirect?: string): string {
	const header = req.headers['redirect_to'];
	const requested = (Array.isArray(header) ? header[0] : header) || url.searchParams.get('redirect_to') || bodyRedirect || '';
	if (isRedirectUrlValid(config, requested)) return requested;
	const referer = req.headers.referer ?? '';
	if (isRedirectUrlValid(config, referer)) return referer;
	return config.auth.siteUrl;
}

/** Go's url.Values.Encode: keys sorted, query-escaped with `+` for spaces. */
export function encodeValues(values: Record<string, string>): string {
	return Object.keys(values)
		.sort()
		.map((k) => `${encodeQueryComponent(k)}=${encodeQueryComponent(values[k])}`)
		.join('&');
}

function encodeQueryComponent(text: string): string {
	return encodeURIComponent(text).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** redirect_to with `extra` merged into its query string. */
export function withQuery(redirectUrl: string, extra: Record<string, string>): string {
	const url = new URL(redirectUrl);
	const values: Record<string, string> = {};
	url.searchParams.forEach((v, k) => {
		values[k] = v;
	});
	Object.assign(values, extra);
	url.search = encodeValues(values);
	return url.toString();
}

/** redirect_to with a fragment (replacing any). */
export function withFragment(redirectUrl: string, fragment: Record<string, string>, query?: Record<string, string>): string {
	const base = query ? withQuery(redirectUrl, query) : redirectUrl.split('#')[0];
	return `${base.split('#')[0]}#${encodeValues(fragment)}`;
}
