// A Storage service on a database of its own (a test's clone of the
// template), behind a gateway of its own with a temporary folder for the
// bytes: worker tests and benches run workers on such databases, and a
// worker's files must land in Storage rows of the same database its jobs
// are in. The keys are the stack's (same JWT secret).
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { loadConfig } from '../../supabase/local/config.ts';
import { createGateway } from '../../supabase/local/gateway.ts';
import { createRequestPool } from '../../supabase/local/rest/execute.ts';
import { freePort } from '../../supabase/local/ports.ts';
import { authenticatorUrlFor } from '../../supabase/local/stack.ts';
import { createStorageService } from '../../supabase/local/storage/index.ts';

export interface StorageGateway {
	/** The API URL (what SUPABASE_URL names). */
	url: string;
	anonKey: string;
	serviceRoleKey: string;
	jwtSecret: string;
	/** Where the bytes are. */
	dir: string;
	stop(): Promise<void>;
}

export async function startStorageGateway(databaseUrl: string): Promise<StorageGateway> {
	const port = await freePort();
	const dir = mkdtempSync('/tmp/foldwork-storage-');
	const config = loadConfig({ overrides: { databaseUrl, apiPort: port, storageDir: path.join(dir, 'objects') } });
	// The chaos test and the soak restart PostgreSQL under it: a connection lost is replaced, not fatal.
	const adminPool = createRequestPool(databaseUrl, 3, () => {});
	const service = await createStorageService({
		config,
		adminPool,
		authenticatorUrl: authenticatorUrlFor(databaseUrl, config.authenticatorPassword),
		log: () => {}
	});
	const server: Server = createGateway(config, [service]);
	await new Promise<void>((resolve) => server.listen(port, config.host, resolve));
	return {
		url: config.apiUrl,
		anonKey: config.anonKey,
		serviceRoleKey: config.serviceRoleKey,
		jwtSecret: config.jwtSecret,
		dir,
		async stop() {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			await service.close();
			await adminPool.end();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
