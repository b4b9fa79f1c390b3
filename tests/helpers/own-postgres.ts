// A PostgreSQL cluster of a test's (or bench's) own, in a temporary folder,
// that it may restart on the same data folder and port (what a failover or a
// database upgrade does to the fleet): the shared test stack's cluster must
// not be restarted under other test files.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../supabase/local/config.ts';
import { prepareDatabase } from '../../supabase/local/migrate.ts';
import { freePort } from '../../supabase/local/ports.ts';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../supabase/local/postgres.ts';
import { root } from './worker-fleet.ts';

export interface OwnCluster {
	/** The cluster's `postgres` database (for creating others). */
	readonly url: string;
	/** A new database with every migration applied; returns its URL. */
	createDatabase(name: string): Promise<string>;
	/** Stops PostgreSQL (fast shutdown: every connection is cut) and starts it again on the same data and port; returns the ms it was down. */
	restart(): Promise<number>;
	/** Stops it and removes its folder. */
	stop(): Promise<void>;
}

/** `settings`: postgres -c settings on top of the test cluster's own (e.g. bench:worker's statement profile). */
export async function startOwnCluster(prefix: string, settings: Record<string, string> = {}): Promise<OwnCluster> {
	const dir = mkdtempSync(`/tmp/${prefix}-`);
	// PostgreSQL runs as the `postgres` user when we are root: it must reach its folder.
	chmodSync(dir, 0o755);
	const options = {
		dataDir: path.join(dir, 'postgres'),
		port: await freePort(),
		host: '127.0.0.1',
		settings: { fsync: 'off', full_page_writes: 'off', ...settings }
	};
	let cluster: EmbeddedCluster = await startEmbeddedPostgres(options);
	return {
		get url() {
			return cluster.url;
		},
		async createDatabase(name) {
			const admin = new pg.Client({ connectionString: cluster.url });
			await admin.connect();
			try {
				await admin.query(`create database ${name}`);
			} finally {
				await admin.end();
			}
			const url = cluster.url.replace(/\/postgres$/, `/${name}`);
			await prepareDatabase({ databaseUrl: url, authenticatorPassword: loadConfig().authenticatorPassword, migrationsDir: path.join(root, 'supabase/migrations'), root });
			return url;
		},
		async restart() {
			const down = performance.now();
			await cluster.stop();
			cluster = await startEmbeddedPostgres(options);
			return performance.now() - down;
		},
		async stop() {
			await cluster.stop();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
