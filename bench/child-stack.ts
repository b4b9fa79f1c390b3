// The environment for a local stack run as a child process
// (supabase/local/main.ts): its own free ports, a Postgres data folder and a
// storage folder under `dir`, and the config it will load.
import path from 'node:path';
import { DEMO_JWT_SECRET, loadConfig } from '../supabase/local/config.ts';
import { freePort } from '../supabase/local/ports.ts';

export async function childStackEnv(dir: string, extra: Record<string, string> = {}) {
	const [apiPort, dbPort, mailPort, smtpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
	const env = {
		...process.env,
		API_PORT: String(apiPort),
		DB_PORT: String(dbPort),
		MAIL_PORT: String(mailPort),
		SMTP_PORT: String(smtpPort),
		PGDATA_DIR: path.join(dir, 'postgres'),
		STORAGE_DIR: path.join(dir, 'storage'),
		...extra,
		JWT_SECRET: process.env.JWT_SECRET ?? DEMO_JWT_SECRET
	};
	const config = loadConfig({ env, overrides: { apiPort, dbPort, mailWebPort: mailPort, smtpPort, dataDir: env.PGDATA_DIR } });
	return { env, config, apiPort, dbPort };
}
