// A freshly migrated database for a benchmark: in a throwaway embedded
// Postgres, or on the server BENCH_DATABASE_URL names (a superuser URL of a
// server it may create databases in), which is left as it was found unless
// BENCH_KEEP=1 keeps the database to explore.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { prepareDatabase, recreateDatabase } from '../supabase/local/migrate.ts';
import { startEmbeddedPostgres } from '../supabase/local/postgres.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchDatabase {
	/** The migrated database's URL (superuser). */
	url: string;
	close(): Promise<void>;
}

/** Starts (or borrows) a server; the database named is the caller's to create (dropped on close from a lent server). */
export async function openBenchServer(database: string): Promise<{ adminUrl: string; url: string; close(): Promise<void> }> {
	let adminUrl = process.env.BENCH_DATABASE_URL;
	let stop = async () => {};
	let dataDir: string | undefined;
	if (!adminUrl) {
		dataDir = mkdtempSync(path.join(os.tmpdir(), 'foldwork-bench-'));
		// Postgres runs as the `postgres` user when we are root: it must reach its folder.
		chmodSync(dataDir, 0o755);
		const cluster = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: 55000 + Math.floor(Math.random() * 5000), host: '127.0.0.1' });
		adminUrl = cluster.url;
		stop = cluster.stop;
	}
	const url = new URL(adminUrl);
	url.pathname = `/${database}`;
	const lentUrl = adminUrl;
	return {
		adminUrl,
		url: url.toString(),
		async close() {
			if (!dataDir && !process.env.BENCH_KEEP) {
				// A server we were lent: leave it as we found it.
				const admin = new pg.Client({ connectionString: lentUrl });
				await admin.connect();
				await admin.query(`drop database if exists ${database} with (force)`).finally(() => admin.end());
			}
			await stop();
			if (dataDir) rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

/** A server as openBenchServer gives it, with `database` created afresh and migrated. */
export async function openBenchDatabase(database: string): Promise<BenchDatabase> {
	const server = await openBenchServer(database);
	try {
		await recreateDatabase(server.adminUrl, database);
		await prepareDatabase({ databaseUrl: server.url, authenticatorPassword: 'bench', migrationsDir: path.join(root, 'supabase/migrations'), root });
	} catch (e) {
		await server.close();
		throw e;
	}
	return { url: server.url, close: server.close };
}
