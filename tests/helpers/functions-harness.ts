// A gateway of its own serving only a functions service, on a free port:
// how the functions tests serve their fixtures (tests/fixtures/functions),
// point a function at a database of their own, or shorten the time limit,
// without touching the shared stack.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, projectRoot, type StackConfig } from '../../supabase/local/config.ts';
import { createGateway } from '../../supabase/local/gateway.ts';
import { createFunctionsService, type FunctionsOptions } from '../../supabase/local/functions/index.ts';
import { stackInfo } from './stack.ts';
import { freePort } from '../../supabase/local/ports.ts';

export const FIXTURES_DIR = path.join(projectRoot, 'tests/fixtures/functions');

export interface FunctionsHarness {
	apiUrl: string;
	config: StackConfig;
	/** Lines the service logged ("echo: started in 80 ms (pid 123)"). */
	logs: string[];
	client(key?: string, options?: { accessToken?: () => Promise<string> }): SupabaseClient;
	close(): Promise<void>;
}

export interface HarnessOptions extends FunctionsOptions {
	databaseUrl?: string;
	/** verify_jwt per function (default: supabase/config.toml's). */
	functions?: StackConfig['functions'];
}


export async function startFunctionsHarness(options: HarnessOptions = {}): Promise<FunctionsHarness> {
	const { databaseUrl, functions, ...serviceOptions } = options;
	const port = await freePort();
	const loaded = loadConfig({ overrides: { apiPort: port } });
	const config: StackConfig = {
		...loaded,
		databaseUrl: databaseUrl ?? stackInfo().databaseUrl,
		functions: functions ?? loaded.functions
	};
	const logs: string[] = [];
	// The functions service never queries it; the context asks for one.
	const adminPool = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
	const service = await createFunctionsService(
		{ config, adminPool, authenticatorUrl: '', log: (_service, message) => logs.push(message) },
		{ functionsDir: FIXTURES_DIR, ...serviceOptions }
	);
	const gateway: http.Server = createGateway(config, [service]);
	await new Promise<void>((resolve, reject) => {
		gateway.once('error', reject);
		gateway.listen(port, config.host, () => resolve());
	});
	let closed: Promise<void> | undefined;
	return {
		apiUrl: config.apiUrl,
		config,
		logs,
		client: (key = config.anonKey, clientOptions = {}) =>
			createClient(config.apiUrl, key, {
				auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
				...clientOptions
			}),
		close: () =>
			(closed ??= (async () => {
				await new Promise<void>((resolve) => {
					gateway.close(() => resolve());
					gateway.closeAllConnections();
				});
				await service.close();
				await adminPool.end();
			})())
	};
}


