// The smoke test of `npm run dev`: every page, through Vite's dev server
// (the platform started by `node scripts/start.ts --dev`), must load and
// hydrate without errors, as it must through the production server.
import { defineConfig } from '@playwright/test';
import base from './playwright.config.ts';

export default defineConfig({
	...base,
	testMatch: ['**/every-page.spec.ts', '**/http-security.spec.ts'],
	globalSetup: './tests/e2e/global-setup-dev.ts',
	outputDir: 'test-results/e2e-dev',
	reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/e2e-dev-report' }]]
});
