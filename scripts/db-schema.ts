// `npm run db:types` and `npm run db:snapshot`: migrate a scratch database
// (an embedded PostgreSQL in a temporary folder, on a free port, or
// DATABASE_URL's server when it is set) and write, from its catalog,
//   types    → src/lib/supabase/database.types.ts
//   snapshot → supabase/schema.snapshot.txt
// (scripts/db-schema/catalog.ts). Run both after adding a migration;
// tests/db/schema-files.test.ts fails, naming the command, when either file
// is behind the migrations.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, projectRoot } from '../supabase/local/config.ts';
import { prepareDatabase, recreateDatabase } from '../supabase/local/migrate.ts';
import { freePort } from '../supabase/local/ports.ts';
import { startEmbeddedPostgres } from '../supabase/local/postgres.ts';
import { databaseTypes, schemaSnapshot } from './db-schema/catalog.ts';

export const SCHEMA_FILES = {
	types: { file: 'src/lib/supabase/database.types.ts', command: 'npm run db:types', write: databaseTypes },
	snapshot: { file: 'supabase/schema.snapshot.txt', command: 'npm run db:snapshot', write: schemaSnapshot }
} as const;

type Which = keyof typeof SCHEMA_FILES;

async function main(which: Which[]): Promise<void> {
	const config = loadConfig();
	let serverUrl = process.env.DATABASE_URL;
	let stop = async () => {};
	let scratch: string | null = null;
	if (!serverUrl) {
		scratch = mkdtempSync(path.join(tmpdir(), 'foldwork-schema-'));
		// Postgres runs as the `postgres` user when we are root: it must reach its folder.
		chmodSync(scratch, 0o755);
		const cluster = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres'), port: await freePort(), host: '127.0.0.1', settings: { fsync: 'off', full_page_writes: 'off' } });
		serverUrl = cluster.url;
		stop = cluster.stop;
	}
	try {
		const url = new URL(serverUrl);
		url.pathname = '/foldwork_schema_files';
		await recreateDatabase(serverUrl, 'foldwork_schema_files');
		await prepareDatabase({ databaseUrl: url.toString(), authenticatorPassword: config.authenticatorPassword, migrationsDir: config.migrationsDir, root: projectRoot });
		const client = new pg.Client({ connectionString: url.toString() });
		await client.connect();
		try {
			for (const name of which) {
				const { file, write } = SCHEMA_FILES[name];
				writeFileSync(path.join(projectRoot, file), await write(client));
				console.log(`wrote ${file}`);
			}
		} finally {
			await client.end();
			await recreateDatabase(serverUrl, 'foldwork_schema_files').catch(() => {});
		}
	} finally {
		await stop();
		if (scratch) rmSync(scratch, { recursive: true, force: true });
	}
}

if (import.meta.main) {
	const asked = process.argv.slice(2);
	const which = asked.length ? asked : ['types', 'snapshot'];
	const unknown = which.filter((w) => !Object.hasOwn(SCHEMA_FILES, w));
	if (unknown.length) {
		console.error(`usage: node scripts/db-schema.ts [types] [snapshot]  (unknown: ${unknown.join(', ')})`);
		process.exit(2);
	}
	await main(which as Which[]).catch((error: unknown) => {
		console.error(`db-schema failed: ${error instanceof Error ? error.message : String(error)}`);
		process.exitCode = 1;
	});
}
