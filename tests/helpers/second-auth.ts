// A second Auth service on the test stack's database, behind a gateway of
// its own, configured differently (confirmations off, other password rules,
// SMTP on): how a test checks a setting without changing the shared stack.
import type { Server } from 'node:http';
import pg from 'pg';
import { createAuthService } from '../../supabase/local/auth/index.ts';
import { loadConfig, type StackConfig } from '../../supabase/local/config.ts';
import { createGateway } from '../../supabase/local/gateway.ts';
import { freePort } from '../../supabase/local/ports.ts';
import { stackInfo } from './stack.ts';

export interface SecondAuth {
	apiUrl: string;
	stop(): Promise<void>;
}

/** `configure` changes the stack's own configuration; `root` is a project folder with another config.toml. */
export async function startSecondAuth(configure: (config: StackConfig) => StackConfig = (c) => c, root?: string): Promise<SecondAuth> {
	const info = stackInfo();
	const port = await freePort();
	const config = configure(loadConfig({ root, overrides: { databaseUrl: info.databaseUrl, apiPort: port, smtpPort: info.smtpPort } }));
	const pool = new pg.Pool({ connectionString: info.databaseUrl, max: 3 });
	const service = createAuthService({ config, adminPool: pool, authenticatorUrl: '', log: () => {} });
	const server: Server = createGateway(config, [service]);
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return {
		apiUrl: config.apiUrl,
		async stop() {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			await service.close();
			await pool.end();
		}
	};
}
