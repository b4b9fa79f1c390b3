// The in-app theme switch: Light or Dark whatever the system says, System
// follows it; the choice holds on the next page the server renders.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const LIGHT = 'rgb(247, 248, 250)';
const DARK = 'rgb(15, 18, 22)';

test('the theme switch chooses light, dark or the system theme, and the choice holds after a reload', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'light' });
	await page.goto('/app/jobs');
	const theme = page.getByLabel('Colour theme');
	await expect(theme).toHaveValue('system');
	expect(await background(page)).toBe(LIGHT);

	await theme.selectOption({ label: 'Dark' });
	await expect.poll(() => background(page)).toBe(DARK);
	await page.reload();
	await expect(page.getByLabel('Colour theme')).toHaveValue('dark');
	expect(await background(page)).toBe(DARK);

	// Light wins over a dark system; System follows it again.
	await page.emulateMedia({ colorScheme: 'dark' });
	await page.getByLabel('Colour theme').selectOption({ label: 'Light' });
	await expect.poll(() => background(page)).toBe(LIGHT);
	await page.getByLabel('Colour theme').selectOption({ label: 'System theme' });
	await expect.poll(() => background(page)).toBe(DARK);
	await page.emulateMedia({ colorScheme: 'light' });
	await expect.poll(() => background(page)).toBe(LIGHT);
});
