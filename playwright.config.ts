// End-to-end tests: Debian's Chromium against the platform as `npm start`
// runs it (tests/e2e/global-setup.ts starts it through scripts/start.ts).
import { defineConfig } from '@playwright/test';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.spec.ts',
	globalSetup: './tests/e2e/global-setup.ts',
	outputDir: 'test-results/e2e',
	// One stack, two cores: two browser workers at once is what this machine sustains.
	workers: 2,
	fullyParallel: true,
	timeout: 60_000,
	expect: { timeout: 10_000 },
	reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/e2e-report' }]],
	use: {
		browserName: 'chromium',
		launchOptions: {
			executablePath: chromium,
			args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
		},
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure'
	}
});
