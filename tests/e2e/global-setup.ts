// Starts what the browser tests talk to, once per run, exactly as people
// start it: `node scripts/start.ts` (what `npm start` runs: the local stack,
// the production server of the web app, built when a source changed, and a
// CPU worker), on free ports with a fresh database. Tests read where
// everything is from FOLDWORK_E2E (JSON), set here before workers start.
import { startPlatform } from '../helpers/platform.ts';

export default async function globalSetup() {
	// Notification digests are claimed every second instead of every minute (tests/e2e/notifications.spec.ts).
	const platform = await startPlatform({ logFile: 'test-results/platform.log', env: { FOLDWORK_DIGEST_SWEEP_MS: '1000' } });
	process.env.FOLDWORK_E2E = JSON.stringify(platform.info);
	return () => platform.stop();
}
