// Requests that leave from a loopback address of their own: what a client
// on another machine looks like to the gateway, whose Auth rate-limits per
// client address as hosted Supabase does. Used by the vitest helpers
// (auth.ts) and the browser tests' fixtures; nothing here needs vitest.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

/** A loopback address other than 127.0.0.1, as the address of a machine of its own. */
export function randomLoopbackAddress(): string {
	const [a, b, c] = randomBytes(3);
	return `127.${1 + (a % 254)}.${b}.${1 + (c % 254)}`;
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch whose connections leave from `localAddress`: what a client on
 * another machine looks like to the gateway. Redirects are not followed
 * (like redirect: 'manual').
 */
export function fetchFrom(localAddress: string): typeof fetch {
	return async (input, init) => {
		const request = new Request(input, init);
		const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
		const headers = Object.fromEntries(request.headers);
		if (body) headers['content-length'] = String(body.length);
		return new Promise<Response>((resolve, reject) => {
			const outgoing = http.request(request.url, { method: request.method, headers, localAddress, signal: init?.signal ?? undefined }, (incoming) => {
				const chunks: Buffer[] = [];
				incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
				incoming.on('error', reject);
				incoming.on('end', () => {
					const answer = new Headers();
					for (const [name, value] of Object.entries(incoming.headers)) {
						for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answer.append(name, v);
					}
					const status = incoming.statusCode ?? 500;
					const empty = NULL_BODY_STATUS.has(status) || request.method === 'HEAD';
					resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: incoming.statusMessage, headers: answer }));
				});
			});
			outgoing.on('error', reject);
			outgoing.end(body);
		});
	};
}
