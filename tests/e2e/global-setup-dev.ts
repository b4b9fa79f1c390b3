// The platform as `npm run dev` starts it (Vite's dev server), for the dev smoke test.
import { startPlatform } from '../helpers/platform.ts';

export default async function globalSetup() {
	const platform = await startPlatform({ dev: true, logFile: 'test-results/platform-dev.log' });
	process.env.FOLDWORK_E2E = JSON.stringify(platform.info);
	return () => platform.stop();
}
