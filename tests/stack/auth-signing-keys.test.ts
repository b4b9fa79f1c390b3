// Asymmetric JWT signing keys ([auth] signing_keys_path): the shared test
// stack runs with them, as supabase/config.toml sets them. Auth signs user
// tokens with the current key (ES256, kid in the header) and publishes the
// public half at /.well-known/jwks.json; REST, Realtime and Functions verify
// them, and HS256 tokens signed with the JWT secret (tests/helpers) are
// still accepted. The attacker forges tokens: an unknown kid, alg "none",
// HS256 signed with the public key (algorithm confusion), a payload changed
// under a real signature: every service refuses them.
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, projectRoot } from '../../supabase/local/config.ts';
import { generateSigningJwk, parseSigningKeys, publicJwks, signJwt, type JwtKeys } from '../../supabase/local/jwt.ts';
import { authUrl, confirmedUser, PASSWORD } from '../helpers/auth.ts';
import { startFunctionsHarness, type FunctionsHarness } from '../helpers/functions-harness.ts';
import { restFetch, userToken } from '../helpers/rest.ts';
import { startSecondAuth, type SecondAuth } from '../helpers/second-auth.ts';
import { serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

let keys: JwtKeys;
let fx: FunctionsHarness;
let session: { token: string; userId: string };

beforeAll(async () => {
	keys = loadConfig().jwtKeys;
	fx = await startFunctionsHarness();
	const { client, userId } = await confirmedUser('keys');
	const { data } = await client.auth.getSession();
	session = { token: data.session!.access_token, userId };
});

afterAll(async () => {
	await fx?.close();
});

/** The status REST, Realtime (websocket upgrade and REST broadcast) and Functions answer a bearer token with. */
async function statuses(token: string): Promise<{ rest: number; realtime: number; broadcast: number; functions: number }> {
	const rest = (await restFetch('/profiles?select=id&limit=1', { token })).status;
	const api = new URL(stackInfo().apiUrl);
	const realtime = await new Promise<number>((resolve, reject) => {
		const req = http.request({
			host: api.hostname,
			port: api.port,
			path: `/realtime/v1/websocket?apikey=${encodeURIComponent(stackInfo().anonKey)}&access_token=${encodeURIComponent(token)}&vsn=1.0.0`,
			headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': Buffer.from(randomUUID().slice(0, 16)).toString('base64') }
		});
		req.on('upgrade', (res, socket) => {
			socket.destroy();
			resolve(res.statusCode ?? 0);
		});
		req.on('response', (res) => {
			res.resume();
			resolve(res.statusCode ?? 0);
		});
		req.on('error', reject);
		req.end();
	});
	const broadcast = (
		await fetch(`${stackInfo().apiUrl}/realtime/v1/api/broadcast`, {
			method: 'POST',
			headers: { apikey: stackInfo().anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ messages: [{ topic: 'keys-test', event: 'e', payload: {} }] })
		})
	).status;
	const functions = (await fetch(`${fx.apiUrl}/functions/v1/echo`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status;
	return { rest, realtime, broadcast, functions };
}

const ACCEPTED = { rest: 200, realtime: 101, broadcast: 202, functions: 200 };
const REFUSED = { rest: 401, realtime: 403, broadcast: 401, functions: 401 };

describe('the JWKS endpoint', () => {
	it('serves the public half of every signing key, and no private material', async () => {
		const res = await fetch(authUrl('/.well-known/jwks.json'));
		expect(res.status).toBe(200);
		const body = (await res.json()) as { keys: Record<string, unknown>[] };
		expect(body).toEqual(publicJwks(keys));
		expect(body.keys).toHaveLength(1);
		expect(body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: keys.current!.kid, use: 'sig', key_ops: ['verify'] });
		for (const key of body.keys) expect(key).not.toHaveProperty('d');
	});

	it('serves no keys for a project that signs with the JWT secret alone (what GoTrue serves then)', async () => {
		const hsOnly = await startSecondAuth((base) => ({ ...base, jwtKeys: { secret: base.jwtSecret, current: null, byKid: new Map() } }));
		try {
			const res = await fetch(`${hsOnly.apiUrl}/auth/v1/.well-known/jwks.json`);
			expect(await res.json()).toEqual({ keys: [] });
		} finally {
			await hsOnly.stop();
		}
	});
});

describe('tokens signed with the current key', () => {
	it('carry the key’s kid and verify against the published JWKS', () => {
		expect(headerOf(session.token)).toEqual({ alg: 'ES256', kid: keys.current!.kid, typ: 'JWT' });
		expect(claimsOf(session.token)).toMatchObject({ sub: session.userId, role: 'authenticated' });
	});

	it('are accepted by REST, Realtime and Functions', async () => {
		expect(await statuses(session.token)).toEqual(ACCEPTED);
	});

	it('and so are HS256 tokens signed with the JWT secret (tests, scripts, the legacy keys)', async () => {
		const token = userToken(session.userId, { session_id: claimsOf(session.token).session_id as string });
		expect(headerOf(token).alg).toBe('HS256');
		expect(await statuses(token)).toEqual(ACCEPTED);
	});

	it('let supabase-js getClaims() verify a session locally, with the cached JWKS, even when Auth is away', async () => {
		const second: SecondAuth = await startSecondAuth();
		const url = second.apiUrl;
		const client = createClient(url, stackInfo().anonKey, { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } });
		const email = uniqueEmail('claims');
		await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
		expect((await client.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
		const first = await client.auth.getClaims();
		expect(first.error).toBeNull();
		expect(first.data?.claims).toMatchObject({ email, role: 'authenticated', aal: 'aal1' });
		expect(first.data?.header).toMatchObject({ alg: 'ES256', kid: keys.current!.kid });
		await second.stop();
		// Nothing answers at that address now: the claims come from the signature alone.
		const again = await client.auth.getClaims();
		expect(again.error).toBeNull();
		expect(again.data?.claims.email).toBe(email);
	});
});

describe('forged tokens', () => {
	const forge = (header: Record<string, unknown>, claims: Record<string, unknown>, signature: (input: string) => string) => {
		const input = `${b64(header)}.${b64(claims)}`;
		return `${input}.${signature(input)}`;
	};
	const claims = () => {
		const now = Math.floor(Date.now() / 1000);
		return { sub: session.userId, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 600, session_id: claimsOf(session.token).session_id };
	};

	it('refuses a token signed with a key the project does not have (unknown kid)', async () => {
		const stranger = parseSigningKeys(JSON.stringify([generateSigningJwk('ES256')]), 'not-the-project-secret-but-32-chars-long');
		expect(await statuses(signJwt(claims(), stranger))).toEqual(REFUSED);
		// The stranger's key under the project's kid: the signature does not verify.
		const [, body, signature] = signJwt(claims(), stranger).split('.');
		expect(await statuses(`${b64({ alg: 'ES256', kid: keys.current!.kid, typ: 'JWT' })}.${body}.${signature}`)).toEqual(REFUSED);
	});

	it('refuses alg "none"', async () => {
		expect(await statuses(forge({ alg: 'none', typ: 'JWT' }, claims(), () => ''))).toEqual(REFUSED);
		expect(await statuses(forge({ alg: 'none', kid: keys.current!.kid, typ: 'JWT' }, claims(), () => ''))).toEqual(REFUSED);
	});

	it('refuses HS256 signed with the published public key (algorithm confusion)', async () => {
		const jwk = ((await (await fetch(authUrl('/.well-known/jwks.json'))).json()) as { keys: Record<string, unknown>[] }).keys[0];
		const pem = keys.current!.publicKey.export({ type: 'spki', format: 'pem' }).toString();
		for (const secret of [pem, JSON.stringify(jwk), String(jwk.x)]) {
			const token = forge({ alg: 'HS256', kid: keys.current!.kid, typ: 'JWT' }, claims(), (input) => createHmac('sha256', secret).update(input).digest('base64url'));
			expect(await statuses(token)).toEqual(REFUSED);
		}
	});

	it('refuses a payload changed under a real signature', async () => {
		const [h, , s] = session.token.split('.');
		expect(await statuses(`${h}.${b64({ ...claims(), role: 'service_role' })}.${s}`)).toEqual(REFUSED);
	});

	it('GoTrue itself refuses them as bad_jwt', async () => {
		const stranger = parseSigningKeys(JSON.stringify([generateSigningJwk('RS256')]), 'not-the-project-secret-but-32-chars-long');
		const res = await fetch(authUrl('/user'), { headers: { apikey: stackInfo().anonKey, authorization: `Bearer ${signJwt(claims(), stranger)}` } });
		expect(res.status).toBe(403);
		expect(res.headers.get('x-sb-error-code')).toBe('bad_jwt');
	});
});

describe('an RS256 signing key', () => {
	it('signs tokens that carry its kid and that the project’s services accept once it is in the keys file', async () => {
		const rsa = generateSigningJwk('RS256');
		const rsKeys = parseSigningKeys(JSON.stringify([rsa]), stackInfo().jwtSecret, path.join(projectRoot, 'rs256.json'));
		const second = await startSecondAuth((base) => ({ ...base, jwtKeys: rsKeys }));
		try {
			const client = createClient(second.apiUrl, stackInfo().anonKey, { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } });
			const email = uniqueEmail('rsa');
			await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
			const { data, error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
			expect(error).toBeNull();
			expect(headerOf(data.session!.access_token)).toEqual({ alg: 'RS256', kid: rsa.kid, typ: 'JWT' });
			const jwks = (await (await fetch(`${second.apiUrl}/auth/v1/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
			expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', kid: rsa.kid, e: 'AQAB' })]);
			const claims = await client.auth.getClaims();
			expect(claims.data?.claims.email).toBe(email);
			// The shared stack does not hold this key: its services refuse the token.
			expect((await statuses(data.session!.access_token)).rest).toBe(401);
		} finally {
			await second.stop();
		}
	});
});

describe('sign-in still works end to end with asymmetric keys', () => {
	it('signs in, refreshes and reads the user', async () => {
		const { client } = await confirmedUser('keys-refresh');
		const refreshed = await client.auth.refreshSession();
		expect(refreshed.error).toBeNull();
		expect(headerOf(refreshed.data.session!.access_token).kid).toBe(keys.current!.kid);
		expect((await client.auth.getUser()).error).toBeNull();
	});
});
