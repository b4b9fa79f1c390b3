// The settings of a local stack of a test's own: free ports, its data and
// Storage in `dir`, fsync off. The test run's shared stack (tests/setup/stack.ts)
// and a test that must not disturb it (one that kills its PostgreSQL) start one.
import path from 'node:path';
import { loadConfig, type StackConfig } from '../../supabase/local/config.ts';
import { freePort } from '../../supabase/local/ports.ts';

export async function ownStackConfig(dir: string): Promise<StackConfig> {
	const [apiPort, dbPort, mailWebPort, smtpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
	return loadConfig({
		overrides: {
			apiPort,
			dbPort,
			mailWebPort,
			smtpPort,
			dataDir: path.join(dir, 'postgres'),
			storageDir: path.join(dir, 'storage'),
			postgresSettings: { fsync: 'off', full_page_writes: 'off' }
		}
	});
}
