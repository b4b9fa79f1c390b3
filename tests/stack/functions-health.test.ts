// The health function (supabase/functions/health) end to end: on the shared
// stack through its real gateway and config.toml, and on gateways of its own
// pointed at databases in known states (fleet reported, no fleet table yet,
// no database at all).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../supabase/local/config.ts';
import { anonClient, createTestDatabase, stackInfo } from '../helpers/stack.ts';
import { startFunctionsHarness } from '../helpers/functions-harness.ts';

const FUNCTIONS_DIR = path.join(projectRoot, 'supabase/functions');
// The first call on a clean machine downloads npm:postgres into .local/deno.
const COLD_START_MS = 90_000;

interface Health {
	status: string;
	database: { ok: boolean; latency_ms: number; error?: string };
	fleet: { status: 'unknown'; reason: string } | { status: 'reported'; online: number; total: number; online_within_s: number; classes: Record<string, { online: number; total: number }> };
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
});

async function healthOn(databaseUrl: string, denoDir?: string): Promise<{ status: number; body: Health }> {
	const harness = await startFunctionsHarness({ functionsDir: FUNCTIONS_DIR, databaseUrl, denoDir });
	cleanups.push(() => harness.close());
	const res = await fetch(`${harness.apiUrl}/functions/v1/health`);
	return { status: res.status, body: (await res.json()) as Health };
}

describe('health function', () => {
	it('answers supabase-js on the stack, with no user and no API key needed', { timeout: COLD_START_MS }, async () => {
		const { data, error } = await anonClient().functions.invoke('health');
		expect(error).toBeNull();
		const health = data as Health;
		expect(health.status).toBe('ok');
		expect(health.database.ok).toBe(true);
		expect(health.database.latency_ms).toBeGreaterThanOrEqual(0);

		const bare = await fetch(`${stackInfo().apiUrl}/functions/v1/health`);
		expect(bare.status).toBe(200);
		expect(((await bare.json()) as Health).database.ok).toBe(true);
	});

	it('answers its own CORS preflight, as functions do on Supabase (the gateway passes OPTIONS through)', { timeout: COLD_START_MS }, async () => {
		const res = await fetch(`${stackInfo().apiUrl}/functions/v1/health`, {
			method: 'OPTIONS',
			headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' }
		});
		expect(res.status).toBe(200);
		expect(await res.text()).toBe('ok');
		expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
	});

	it('downloads its npm: imports on a machine with an empty Deno cache', { timeout: COLD_START_MS }, async () => {
		const denoDir = mkdtempSync(path.join(tmpdir(), 'foldwork-deno-'));
		cleanups.push(async () => rmSync(denoDir, { recursive: true, force: true }));
		const answer = await healthOn(stackInfo().databaseUrl, denoDir);
		expect(answer).toMatchObject({ status: 200, body: { database: { ok: true } } });
		expect(existsSync(path.join(denoDir, 'npm/registry.npmjs.org/postgres'))).toBe(true);
	});

	it('counts workers by compute class, online when seen within the window', { timeout: COLD_START_MS }, async () => {
		const db = await createTestDatabase();
		cleanups.push(() => db.drop());
		const client = new pg.Client({ connectionString: db.url });
		await client.connect();
		try {
			await client.query(
				`insert into public.workers (compute_class, host, concurrency, last_seen_at) values
				 ('cpu', 'cpu-1', 4, now()), ('cpu', 'cpu-2', 4, now() - interval '1 hour'), ('gpu', 'gpu-1', 1, now())`
			);
		} finally {
			await client.end();
		}
		const { status, body } = await healthOn(db.url);
		expect(status).toBe(200);
		expect(body.fleet).toEqual({
			status: 'reported',
			online: 2,
			total: 3,
			online_within_s: 60,
			classes: { cpu: { online: 1, total: 2 }, gpu: { online: 1, total: 1 } }
		});
	});

	it('reports the fleet as unknown while the workers table does not exist', { timeout: COLD_START_MS }, async () => {
		const name = `health_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
		const admin = new pg.Client({ connectionString: stackInfo().databaseUrl });
		await admin.connect();
		await admin.query(`create database ${name}`);
		await admin.end();
		const url = new URL(stackInfo().databaseUrl);
		url.pathname = `/${name}`;
		cleanups.push(async () => {
			const c = new pg.Client({ connectionString: stackInfo().databaseUrl });
			await c.connect();
			await c.query(`drop database if exists ${name} with (force)`);
			await c.end();
		});
		const { status, body } = await healthOn(url.toString());
		expect(status).toBe(200);
		expect(body.database.ok).toBe(true);
		expect(body.fleet).toEqual({ status: 'unknown', reason: 'the workers table does not exist yet' });
	});

	it('answers 503 degraded when the database is unreachable', { timeout: COLD_START_MS }, async () => {
		const { status, body } = await healthOn('postgresql://postgres:postgres@127.0.0.1:1/postgres');
		expect(status).toBe(503);
		expect(body.status).toBe('degraded');
		expect(body.database.ok).toBe(false);
		expect(body.database.error).toBeTruthy();
		expect(body.fleet.status).toBe('unknown');
	});
});
