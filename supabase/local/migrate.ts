// Prepares a database the way a Supabase project is prepared: the platform
// bootstrap, then supabase/migrations in version order (each in its own
// transaction, tracked in supabase_migrations.schema_migrations as the
// Supabase CLI tracks them), then the seed on a fresh database.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const BOOTSTRAP_SQL = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bootstrap.sql');
const MIGRATION_FILE = /^(\d+)_(.+)\.sql$/;

export class MigrationError extends Error {
	readonly file: string;
	readonly line: number | null;
	constructor(file: string, line: number | null, message: string) {
		super(`${file}${line ? `:${line}` : ''}: ${message}`);
		this.file = file;
		this.line = line;
	}
}

export interface MigrationFile {
	version: string;
	name: string;
	file: string;
}

export function listMigrations(dir: string): MigrationFile[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((f) => f.endsWith('.sql'))
		.map((f) => {
			const match = MIGRATION_FILE.exec(f);
			if (!match) throw new MigrationError(path.join(dir, f), null, 'migration files are named <timestamp>_<name>.sql');
			return { version: match[1], name: match[2], file: path.join(dir, f) };
		})
		.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

function lineOf(sql: string, position: string | undefined): number | null {
	const offset = Number(position);
	if (!Number.isInteger(offset) || offset < 1) return null;
	return sql.slice(0, offset - 1).split('\n').length;
}

function describe(error: unknown): { message: string; position?: string } {
	if (error instanceof Error) {
		const e = error as pg.DatabaseError;
		const detail = [e.message, e.detail && `DETAIL: ${e.detail}`, e.hint && `HINT: ${e.hint}`, e.where && `CONTEXT: ${e.where}`]
			.filter(Boolean)
			.join('\n');
		return { message: e.code ? `${detail} (SQLSTATE ${e.code})` : detail, position: e.position };
	}
	return { message: String(error) };
}

/** Runs one SQL file in one transaction; on failure nothing of it remains. */
async function runFile(client: pg.Client, file: string, sql: string, after?: () => Promise<unknown>): Promise<void> {
	await client.query('begin');
	try {
		await client.query(sql);
		await after?.();
		await client.query('commit');
	} catch (error) {
		await client.query('rollback').catch(() => {});
		const { message, position } = describe(error);
		throw new MigrationError(file, lineOf(sql, position), message);
	}
}

export async function bootstrap(client: pg.Client, authenticatorPassword: string): Promise<void> {
	// Roles are shared by every database of the cluster: serialise concurrent bootstraps.
	await client.query('select pg_advisory_lock(hashtext($1))', ['foldwork.bootstrap']);
	try {
		await runFile(client, BOOTSTRAP_SQL, readFileSync(BOOTSTRAP_SQL, 'utf8'));
		const { rows } = await client.query<{ sql: string }>("select format('alter role authenticator with login password %L', $1::text) as sql", [
			authenticatorPassword
		]);
		await client.query(rows[0].sql);
	} finally {
		await client.query('select pg_advisory_unlock(hashtext($1))', ['foldwork.bootstrap']);
	}
}

export interface MigrateResult {
	applied: string[];
	seeded: string[];
}

export async function migrate(client: pg.Client, migrationsDir: string): Promise<string[]> {
	const files = listMigrations(migrationsDir);
	const { rows } = await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations order by version');
	const done = new Set(rows.map((r) => r.version));
	const last = rows.at(-1)?.version;
	const applied: string[] = [];
	for (const m of files) {
		if (done.has(m.version)) continue;
		if (last !== undefined && m.version < last) {
			throw new MigrationError(m.file, null, `version ${m.version} is older than the last applied migration ${last}; give it a newer timestamp`);
		}
		const sql = readFileSync(m.file, 'utf8');
		await runFile(client, m.file, sql, () =>
			client.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [m.version, m.name, [sql]])
		);
		applied.push(m.version);
	}
	return applied;
}

/** Runs each seed file once (recorded with its hash in supabase_migrations.seed_files). */
export async function seed(client: pg.Client, seedPaths: string[], root: string): Promise<string[]> {
	const seeded: string[] = [];
	for (const file of seedPaths) {
		if (!existsSync(file)) continue;
		const rel = path.relative(root, file);
		const sql = readFileSync(file, 'utf8');
		const { rowCount } = await client.query('select 1 from supabase_migrations.seed_files where path = $1', [rel]);
		if (rowCount) continue;
		const hash = createHash('sha256').update(sql).digest('hex');
		await runFile(client, file, sql, () => client.query('insert into supabase_migrations.seed_files (path, hash) values ($1, $2)', [rel, hash]));
		seeded.push(rel);
	}
	return seeded;
}

export interface PrepareOptions {
	databaseUrl: string;
	authenticatorPassword: string;
	migrationsDir: string;
	seedPaths?: string[];
	root: string;
}

/** Bootstrap, migrate and (when seed paths are given) seed one database. */
export async function prepareDatabase(options: PrepareOptions): Promise<MigrateResult> {
	const client = new pg.Client({ connectionString: options.databaseUrl });
	await client.connect();
	try {
		await client.query("set client_min_messages = 'warning'");
		await bootstrap(client, options.authenticatorPassword);
		const applied = await migrate(client, options.migrationsDir);
		const seeded = options.seedPaths ? await seed(client, options.seedPaths, options.root) : [];
		return { applied, seeded };
	} finally {
		await client.end();
	}
}

/** Drops and recreates a database (connected through the maintenance database). */
export async function recreateDatabase(adminUrl: string, name: string, template = 'template0'): Promise<void> {
	const url = new URL(adminUrl);
	url.pathname = name === 'postgres' ? '/template1' : '/postgres';
	const client = new pg.Client({ connectionString: url.toString() });
	await client.connect();
	try {
		await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
		await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
		await client.query(`create database ${client.escapeIdentifier(name)} template ${client.escapeIdentifier(template)}`);
	} finally {
		await client.end();
	}
}
