// `npm run db:reset`: drop the project database, then bootstrap, migrate and
// seed it again. Starts the embedded Postgres for the duration when needed.
import { loadConfig, projectRoot } from './config.ts';
import { prepareDatabase, recreateDatabase } from './migrate.ts';
import { startEmbeddedPostgres } from './postgres.ts';

const config = loadConfig();
let databaseUrl = config.databaseUrl;
let stop = async () => {};
if (!config.externalDatabase) {
	const cluster = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.dbPort, host: config.host, settings: config.postgresSettings });
	databaseUrl = cluster.url;
	stop = cluster.stop;
}
try {
	const name = new URL(databaseUrl).pathname.slice(1) || 'postgres';
	await recreateDatabase(databaseUrl, name);
	const result = await prepareDatabase({
		databaseUrl,
		authenticatorPassword: config.authenticatorPassword,
		migrationsDir: config.migrationsDir,
		seedPaths: config.seedEnabled ? config.seedPaths : undefined,
		root: projectRoot
	});
	console.log(`Database ${name} reset: ${result.applied.length} migrations applied, seeded: ${result.seeded.join(', ') || 'nothing'}`);
} catch (error) {
	console.error(`db:reset failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exitCode = 1;
} finally {
	await stop();
}
