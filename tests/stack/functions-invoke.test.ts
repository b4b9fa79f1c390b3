// Edge functions on the local stack, invoked the way the app does it
// (supabase-js `functions.invoke`), against fixtures that behave well or
// badly on purpose. The fixtures run on a gateway of their own.
import { FunctionsHttpError } from '@supabase/supabase-js';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../supabase/local/jwt.ts';
import { startFunctionsHarness, type FunctionsHarness } from '../helpers/functions-harness.ts';
import { processAlive, waitFor } from '../helpers/wait.ts';

const TIMEOUT_MS = 2500;
let fx: FunctionsHarness;
let secretsDir: string;

beforeAll(async () => {
	secretsDir = mkdtempSync(path.join(tmpdir(), 'foldwork-functions-'));
	const envFile = path.join(secretsDir, '.env');
	writeFileSync(envFile, 'FIXTURE_SECRET="s3cret value" # a comment\nSUPABASE_RESERVED=not-allowed\n');
	fx = await startFunctionsHarness({ timeoutMs: TIMEOUT_MS, envFile, functions: { open: { verifyJwt: false } } });
});

afterAll(async () => {
	await fx?.close();
	rmSync(secretsDir, { recursive: true, force: true });
});

async function httpStatus(error: unknown): Promise<{ status: number; body: unknown }> {
	expect(error).toBeInstanceOf(FunctionsHttpError);
	const response = (error as FunctionsHttpError).context as Response;
	return { status: response.status, body: await response.json() };
}

async function pidOf(): Promise<number> {
	const { data, error } = await fx.client().functions.invoke('echo/pid');
	expect(error).toBeNull();
	return (data as { pid: number }).pid;
}

function userJwt(): string {
	const now = Math.floor(Date.now() / 1000);
	return signJwt({ sub: randomUUID(), role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 600 }, fx.config.jwtSecret);
}

describe('functions.invoke bodies', () => {
	it('passes a JSON body and answers JSON', async () => {
		const body = { name: 'Ada', tags: ['a', 'ü'], n: 1.5 };
		const { data, error, response } = await fx.client().functions.invoke('echo', { body });
		expect(error).toBeNull();
		expect(data).toEqual(body);
		expect(response?.headers.get('x-echo-method')).toBe('POST');
		expect(response?.headers.get('content-type')).toBe('application/json');
	});

	it('passes a text body and answers text', async () => {
		const { data, error, response } = await fx.client().functions.invoke('echo', { body: 'plain text ✓\nline two' });
		expect(error).toBeNull();
		expect(data).toBe('plain text ✓\nline two');
		expect(response?.headers.get('content-type')).toBe('text/plain');
	});

	it('passes a binary body byte for byte and answers binary', async () => {
		const bytes = randomBytes(3 * 1024 * 1024);
		const { data, error } = await fx.client().functions.invoke('echo', { body: new Blob([bytes]) });
		expect(error).toBeNull();
		expect(data).toBeInstanceOf(Blob);
		expect(Buffer.from(await (data as Blob).arrayBuffer()).equals(bytes)).toBe(true);
	});

	it('passes the method, custom headers, sub-path and query through', async () => {
		const { error, response } = await fx.client().functions.invoke('echo?x=1&y=two', {
			method: 'PUT',
			body: 'x',
			headers: { 'x-custom': 'custom value' }
		});
		expect(error).toBeNull();
		expect(response?.headers.get('x-echo-method')).toBe('PUT');
		expect(response?.headers.get('x-echo-custom')).toBe('custom value');
		const seen = new URL(response?.headers.get('x-echo-url') ?? '');
		expect(`${seen.pathname}${seen.search}`).toBe('/echo?x=1&y=two');
	});

	it('streams a response: the first chunk arrives before the function has finished', async () => {
		const response = await fetch(`${fx.apiUrl}/functions/v1/echo/stream`, {
			method: 'POST',
			headers: { authorization: `Bearer ${fx.config.anonKey}` }
		});
		expect(response.status).toBe(200);
		const reader = response.body!.getReader();
		const decoder = new TextDecoder();
		const first = await reader.read();
		expect(decoder.decode(first.value)).toBe('first\n');
		// The function writes the rest only once told to.
		const { error } = await fx.client().functions.invoke('echo/release');
		expect(error).toBeNull();
		let rest = '';
		for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value);
		expect(rest).toBe('second\n');
	});
});

describe('who the function sees', () => {
	it('forwards the anon key as the bearer when nobody is signed in', async () => {
		const { error, response } = await fx.client().functions.invoke('echo', { body: {} });
		expect(error).toBeNull();
		expect(response?.headers.get('x-echo-authorization')).toBe(`Bearer ${fx.config.anonKey}`);
	});

	it('forwards a signed-in user’s JWT', async () => {
		const token = userJwt();
		const { error, response } = await fx.client(undefined, { accessToken: async () => token }).functions.invoke('echo', { body: {} });
		expect(error).toBeNull();
		expect(response?.headers.get('x-echo-authorization')).toBe(`Bearer ${token}`);
	});

	it('maps a publishable key to the anon JWT, as Supabase’s gateway does', async () => {
		const { error, response } = await fx.client(fx.config.publishableKey).functions.invoke('echo', { body: {} });
		expect(error).toBeNull();
		expect(response?.headers.get('x-echo-authorization')).toBe(`Bearer ${fx.config.anonKey}`);
	});

	it('gives the function Supabase’s environment and the .env secrets, nothing else', async () => {
		const { data, error } = await fx.client().functions.invoke('echo/env');
		expect(error).toBeNull();
		expect(data).toEqual({
			SUPABASE_URL: fx.apiUrl,
			SUPABASE_ANON_KEY: fx.config.anonKey,
			SUPABASE_SERVICE_ROLE_KEY: fx.config.serviceRoleKey,
			SUPABASE_DB_URL: fx.config.databaseUrl,
			SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: fx.config.publishableKey }),
			SUPABASE_SECRET_KEYS: JSON.stringify({ default: fx.config.secretKey }),
			FIXTURE_SECRET: 's3cret value',
			SUPABASE_RESERVED: null,
			DATABASE_URL: null
		});
	});
});

describe('verify_jwt', () => {
	const url = () => `${fx.apiUrl}/functions/v1/echo`;

	it('refuses a call without authorization with Supabase’s body', async () => {
		const res = await fetch(url(), { method: 'POST' });
		expect(res.status).toBe(401);
		expect(await res.json()).toEqual({ msg: 'Error: Missing authorization header' });
	});

	it('refuses a malformed, foreign or expired JWT', async () => {
		const now = Math.floor(Date.now() / 1000);
		const foreign = signJwt({ role: 'anon', exp: now + 600 }, 'another-secret-that-is-at-least-32-characters');
		const expired = signJwt({ role: 'authenticated', sub: randomUUID(), exp: now - 10 }, fx.config.jwtSecret);
		for (const token of ['not-a-jwt', foreign, expired]) {
			const res = await fetch(url(), { method: 'POST', headers: { authorization: `Bearer ${token}` } });
			expect(res.status).toBe(401);
			expect(await res.json()).toEqual({ msg: 'Invalid JWT' });
		}
	});

	it('reaches supabase-js as a FunctionsHttpError', async () => {
		const { data, error } = await fx.client(undefined, { accessToken: async () => 'not-a-jwt' }).functions.invoke('echo', { body: {} });
		expect(data).toBeNull();
		expect(await httpStatus(error)).toEqual({ status: 401, body: { msg: 'Invalid JWT' } });
	});

	it('lets anyone call a function with verify_jwt = false, sub-paths included', async () => {
		const res = await fetch(`${fx.apiUrl}/functions/v1/open/a/b`);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ authorization: null, path: '/open/a/b' });
	});

	it('passes the CORS preflight to the function without checking credentials, as Supabase does', async () => {
		const res = await fetch(url(), {
			method: 'OPTIONS',
			headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, x-client-info, apikey, content-type' }
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('x-echo-method')).toBe('OPTIONS');
		expect(res.headers.get('x-echo-authorization')).toBe('');
	});
});

describe('failures', () => {
	it('answers 404 for a function that does not exist', async () => {
		const res = await fetch(`${fx.apiUrl}/functions/v1/no-such-function`, { method: 'POST', headers: { authorization: `Bearer ${fx.config.anonKey}` } });
		expect(res.status).toBe(404);
		expect(res.headers.get('sb-error-code')).toBe('NOT_FOUND');
		expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Requested function was not found' });
	});

	it('answers 503 with Deno’s error for a function that cannot start, every time', async () => {
		for (let attempt = 0; attempt < 2; attempt++) {
			const { error } = await fx.client().functions.invoke('broken');
			const { status, body } = await httpStatus(error);
			expect(status).toBe(503);
			expect(body).toMatchObject({ code: 'BOOT_ERROR' });
			expect((body as { message: string }).message).toContain('does-not-exist.ts');
		}
	});

	it('answers 500 when the handler throws, and the same process serves the next call', async () => {
		const before = await pidOf();
		const { error } = await fx.client().functions.invoke('echo/throw');
		expect(error).toBeInstanceOf(FunctionsHttpError);
		expect(((error as FunctionsHttpError).context as Response).status).toBe(500);
		expect(await pidOf()).toBe(before);
	});

	it('starts a fresh process on the next call after the function exits', async () => {
		const before = await pidOf();
		const { error } = await fx.client().functions.invoke('echo/exit');
		expect((await httpStatus(error)).status).toBe(502);
		const after = await pidOf();
		expect(after).not.toBe(before);
		// The 502 can reach us while the old process is still being reaped.
		await waitFor('the exited function process to be gone', async () => !processAlive(before) || undefined, 5000);
	});

	it('cuts off a request that never answers at the time limit, and restarts the function', async () => {
		const before = await pidOf();
		const started = performance.now();
		const { error } = await fx.client().functions.invoke('echo/hang');
		const elapsed = performance.now() - started;
		const { status, body } = await httpStatus(error);
		expect(status).toBe(504);
		expect(body).toMatchObject({ code: 'IDLE_TIMEOUT' });
		expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
		expect(elapsed).toBeLessThan(TIMEOUT_MS + 5000);
		expect(await pidOf()).not.toBe(before);
	});

	it('cuts off a handler that blocks its event loop', async () => {
		const before = await pidOf();
		const { error } = await fx.client().functions.invoke('echo/spin');
		expect((await httpStatus(error)).status).toBe(504);
		expect(await pidOf()).not.toBe(before);
		expect(processAlive(before)).toBe(false);
	});
});

describe('processes', () => {
	it('starts one process for concurrent first calls and keeps it warm', async () => {
		const own = await startFunctionsHarness();
		try {
			const pids = await Promise.all(
				Array.from({ length: 8 }, async () => {
					const { data, error } = await own.client().functions.invoke('echo/pid');
					expect(error).toBeNull();
					return (data as { pid: number }).pid;
				})
			);
			expect(new Set(pids).size).toBe(1);
			expect(own.logs.filter((line) => line.startsWith('echo: started'))).toHaveLength(1);
		} finally {
			await own.close();
		}
	});

	it('stops every Deno process on close', async () => {
		const own = await startFunctionsHarness({ functions: { open: { verifyJwt: false } } });
		const { data } = await own.client().functions.invoke('echo/pid');
		const pid = (data as { pid: number }).pid;
		expect(processAlive(pid)).toBe(true);
		await own.close();
		expect(processAlive(pid)).toBe(false);
	});
});
