// The platform bootstrap and the migration runner: order, tracking as the
// Supabase CLI tracks it, seed once, and a failing migration leaves nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError, prepareDatabase, recreateDatabase } from '../../supabase/local/migrate.ts';
import { stackInfo } from '../helpers/stack.ts';

const name = `migrations_${process.pid}`;
let url: string;
let client: pg.Client;
let dir: string;

beforeAll(async () => {
	await recreateDatabase(stackInfo().databaseUrl, name);
	const u = new URL(stackInfo().databaseUrl);
	u.pathname = `/${name}`;
	url = u.toString();
	client = new pg.Client({ connectionString: url });
	await client.connect();
	dir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
});

afterAll(async () => {
	await client.end();
	const admin = new pg.Client({ connectionString: stackInfo().databaseUrl });
	await admin.connect();
	await admin.query(`drop database if exists ${name} with (force)`);
	await admin.end();
	rmSync(dir, { recursive: true, force: true });
});

const prepare = (seedPaths?: string[]) => prepareDatabase({ databaseUrl: url, authenticatorPassword: 'postgres', migrationsDir: dir, seedPaths, root: dir });

describe('bootstrap', () => {
	it('creates the Supabase roles, auth schema and helpers, and can run again without change', async () => {
		await prepare();
		const snapshot = async () =>
			(
				await client.query(`select
					(select count(*) from pg_roles where rolname in ('anon','authenticated','service_role','authenticator','supabase_admin','postgres')) as roles,
					(select count(*) from information_schema.tables where table_schema = 'auth') as auth_tables,
					(select count(*) from pg_publication where pubname = 'supabase_realtime') as publications,
					(select count(*) from pg_extension where extname in ('pgcrypto','uuid-ossp','citext')) as extensions,
					(select rolbypassrls from pg_roles where rolname = 'service_role') as service_bypasses_rls,
					(select is_generated from information_schema.columns where table_schema = 'auth' and table_name = 'users' and column_name = 'confirmed_at') as confirmed_at_generated`)
			).rows[0];
		const first = await snapshot();
		// GoTrue's tables: users, identities, sessions, refresh_tokens, mfa_amr_claims, mfa_factors, mfa_challenges, flow_state, one_time_tokens, audit_log_entries.
		expect(first).toEqual({ roles: '6', auth_tables: '10', publications: '1', extensions: '3', service_bypasses_rls: true, confirmed_at_generated: 'ALWAYS' });
		await prepare();
		await prepare();
		expect(await snapshot()).toEqual(first);
	});

	it('reads the caller from request.jwt.claims as auth.uid(), auth.role(), auth.email() and auth.jwt()', async () => {
		await client.query('begin');
		try {
			await client.query(`select set_config('request.jwt.claims', $1, true)`, [
				JSON.stringify({ sub: '8d0fd2b3-9ca7-4b0e-9f47-4a5c5d1e2f30', role: 'authenticated', email: 'a@b.test' })
			]);
			const { rows } = await client.query('select auth.uid()::text as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> $1 as sub', ['sub']);
			expect(rows[0]).toEqual({ uid: '8d0fd2b3-9ca7-4b0e-9f47-4a5c5d1e2f30', role: 'authenticated', email: 'a@b.test', sub: '8d0fd2b3-9ca7-4b0e-9f47-4a5c5d1e2f30' });
		} finally {
			await client.query('rollback');
		}
	});

	it('lets authenticator switch only to the API roles', async () => {
		const u = new URL(url);
		u.username = 'authenticator';
		u.password = 'postgres';
		const c = new pg.Client({ connectionString: u.toString() });
		await c.connect();
		try {
			await c.query('set role authenticated');
			await c.query('reset role');
			await expect(c.query('set role postgres')).rejects.toThrow(/permission denied to set role "postgres"/);
		} finally {
			await c.end();
		}
	});
});

describe('migration runner', () => {
	it('applies migrations in version order, once, and tracks them like the Supabase CLI', async () => {
		writeFileSync(path.join(dir, '20260101000200_second.sql'), 'insert into public.runner_log (step) values (2);');
		writeFileSync(path.join(dir, '20260101000100_first.sql'), 'create table public.runner_log (step int not null);\ninsert into public.runner_log values (1);');
		const result = await prepare();
		expect(result.applied).toEqual(['20260101000100', '20260101000200']);
		expect((await client.query('select step from public.runner_log order by step')).rows).toEqual([{ step: 1 }, { step: 2 }]);
		const tracked = await client.query('select version, name, statements from supabase_migrations.schema_migrations order by version');
		expect(tracked.rows.map((r) => [r.version, r.name])).toEqual([
			['20260101000100', 'first'],
			['20260101000200', 'second']
		]);
		expect(tracked.rows[0].statements[0]).toContain('create table public.runner_log');
		expect((await prepare()).applied).toEqual([]);
		expect((await client.query('select count(*)::int as n from public.runner_log')).rows[0].n).toBe(2);
	});

	it('stops at a failing migration with its file, line and Postgres message, and leaves the database as it was', async () => {
		const file = path.join(dir, '20260101000300_broken.sql');
		writeFileSync(file, 'insert into public.runner_log values (3);\n\ncreate table public.half_done (id int);\nselect * from public.no_such_table;\n');
		const error = await prepare().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(MigrationError);
		expect((error as MigrationError).message).toMatch(/20260101000300_broken\.sql:4: relation "public\.no_such_table" does not exist/);
		expect((await client.query('select count(*)::int as n from public.runner_log')).rows[0].n).toBe(2);
		expect((await client.query("select to_regclass('public.half_done') as t")).rows[0].t).toBeNull();
		expect((await client.query("select count(*)::int as n from supabase_migrations.schema_migrations where version = '20260101000300'")).rows[0].n).toBe(0);
		rmSync(file);
	});

	it('refuses a new migration older than the last applied one', async () => {
		const file = path.join(dir, '20250101000000_late.sql');
		writeFileSync(file, 'select 1;');
		await expect(prepare()).rejects.toThrow(/older than the last applied migration 20260101000200/);
		rmSync(file);
	});

	it('runs the seed once on a fresh database and records it', async () => {
		const seedDir = mkdtempSync(path.join(os.tmpdir(), 'seed-'));
		const seedFile = path.join(seedDir, 'seed.sql');
		writeFileSync(seedFile, 'insert into public.runner_log values (100);');
		expect((await prepare([seedFile])).seeded).toEqual([path.relative(dir, seedFile)]);
		expect((await prepare([seedFile])).seeded).toEqual([]);
		expect((await client.query('select count(*)::int as n from public.runner_log where step = 100')).rows[0].n).toBe(1);
		rmSync(seedDir, { recursive: true, force: true });
	});

	it('rejects a migration file whose name has no version', async () => {
		const file = path.join(dir, 'no_version.sql');
		writeFileSync(file, 'select 1;');
		await expect(prepare()).rejects.toThrow(/named <timestamp>_<name>\.sql/);
		rmSync(file);
	});
});
