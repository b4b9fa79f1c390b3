// Starts the whole local stack in this process: Postgres (embedded unless
// DATABASE_URL is set), bootstrap + migrations + seed, the mail catcher, and
// the gateway with its services (auth, rest, functions, realtime, storage). `npm run stack`, `npm start` and the test
// setup all start it through startStack().
import type { Server } from 'node:http';
import { projectRoot, type StackConfig } from './config.ts';
import type { StackContext, StackService } from './context.ts';
import { createGateway } from './gateway.ts';
import { prepareDatabase, type MigrateResult } from './migrate.ts';
import { startEmbeddedPostgres, type EmbeddedCluster } from './postgres.ts';
import { assertPortsFree, type PortUse } from './ports.ts';
import { createAuthService } from './auth/index.ts';
import { createRestService } from './rest/index.ts';
import { createRequestPool } from './rest/execute.ts';
import { createFunctionsService } from './functions/index.ts';
import { startMail } from './mail/index.ts';
import { createRealtimeService } from './realtime/index.ts';
import { createStorageService } from './storage/index.ts';

export interface RunningStack {
	config: StackConfig;
	/** Superuser connection string of the project database. */
	databaseUrl: string;
	migrations: MigrateResult;
	stop(): Promise<void>;
}

export interface StartOptions {
	log?: (service: string, message: string) => void;
	/** Seed on a fresh database (default true). */
	seed?: boolean;
	/** Restart an edge function when its files change (`npm start`). */
	watchFunctions?: boolean;
	/** Ports of what the caller starts next to the stack (the web app), checked with the stack's own. */
	otherPorts?: PortUse[];
}

function listen(server: Server, port: number, host: string): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', (error: NodeJS.ErrnoException) =>
			reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is in use: stop what runs there or set API_PORT`) : error)
		);
		server.listen(port, host, () => resolve());
	});
}

export function authenticatorUrlFor(databaseUrl: string, password: string): string {
	const url = new URL(databaseUrl);
	url.username = 'authenticator';
	url.password = password;
	return url.toString();
}

export async function startStack(config: StackConfig, options: StartOptions = {}): Promise<RunningStack> {
	const log = options.log ?? (() => {});
	const cleanups: Array<() => Promise<unknown>> = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => log('stack', `stop: ${e instanceof Error ? e.message : e}`));
		cleanups.length = 0;
	};
	try {
		await assertPortsFree(
			[
				{ port: config.apiPort, variable: 'API_PORT', what: 'the Supabase API' },
				...(config.externalDatabase ? [] : [{ port: config.dbPort, variable: 'DB_PORT', what: 'PostgreSQL' }]),
				{ port: config.mailWebPort, variable: 'MAIL_PORT', what: 'the mail inbox' },
				{ port: config.smtpPort, variable: 'SMTP_PORT', what: 'the SMTP catcher' },
				...(options.otherPorts ?? [])
			],
			config.host
		);
		let databaseUrl = config.databaseUrl;
		if (!config.externalDatabase) {
			const cluster: EmbeddedCluster = await startEmbeddedPostgres({
				dataDir: config.dataDir,
				port: config.dbPort,
				host: config.host,
				settings: config.postgresSettings,
				log: (line) => log('postgres', line),
				note: (message) => log('stack', message)
			});
			cleanups.push(() => cluster.stop());
			databaseUrl = cluster.url;
		}
		const migrations = await prepareDatabase({
			databaseUrl,
			authenticatorPassword: config.authenticatorPassword,
			migrationsDir: config.migrationsDir,
			seedPaths: options.seed === false || !config.seedEnabled ? undefined : config.seedPaths,
			root: projectRoot
		});
		const effective: StackConfig = { ...config, databaseUrl };
		// Auth, Storage and Realtime check clients out of it: each keeps an error listener for life.
		const adminPool = createRequestPool(databaseUrl, 10, (message) => log('db', message));
		cleanups.push(() => adminPool.end());

		const mail = await startMail(effective, (m) => log('mail', m));
		cleanups.push(() => mail.close());

		const ctx: StackContext = {
			config: effective,
			adminPool,
			authenticatorUrl: authenticatorUrlFor(databaseUrl, config.authenticatorPassword),
			log
		};
		const services: StackService[] = [
			createAuthService(ctx),
			await createRestService(ctx),
			await createFunctionsService(ctx, { watch: options.watchFunctions }),
			await createRealtimeService(ctx),
			await createStorageService(ctx)
		];
		for (const service of services) cleanups.push(() => service.close());

		const gateway = createGateway(effective, services);
		await listen(gateway, config.apiPort, config.host);
		cleanups.push(
			() =>
				new Promise<void>((resolve) => {
					gateway.close(() => resolve());
					gateway.closeAllConnections();
				})
		);
		return { config: effective, databaseUrl, migrations, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
