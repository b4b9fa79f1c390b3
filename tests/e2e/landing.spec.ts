// The landing page says what Foldwork does, lists every enabled tool with its
// price (the tool registry's browser parts, as the app charges), and leads to
// sign-up; the web manifest and the icon it names are served.
import { toolCatalog } from '#lib/tools/catalog.ts';
import { pricingLabel } from '#lib/tools-ui/pricing.ts';
import { anonymousTest, expect } from './fixtures.ts';

anonymousTest('the landing page shows what Foldwork does, the tools and their prices, and links to sign-up', async ({ page }) => {
	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Foldwork');
	await expect(page.getByText(/Run computational-biology tools as jobs/)).toBeVisible();
	const table = page.getByRole('table', { name: 'The tools Foldwork runs, and what each costs' });
	const enabled = toolCatalog.filter((tool) => tool.enabled);
	await expect(table.getByRole('row')).toHaveCount(enabled.length + 1);
	for (const tool of enabled) {
		const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${tool.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }) });
		await expect(row.getByRole('cell').last()).toHaveText(pricingLabel(tool.pricing));
	}
	await page.getByRole('link', { name: 'Create an account' }).click();
	await expect(page).toHaveURL('/signup');
});

anonymousTest('the web manifest and its icon are served, and every page links the manifest', async ({ page, request }) => {
	await page.goto('/');
	const href = await page.locator('link[rel="manifest"]').getAttribute('href');
	const manifest = await request.get(new URL(href!, page.url()).toString());
	expect(manifest.status()).toBe(200);
	const body = (await manifest.json()) as { name: string; icons: Array<{ src: string }> };
	expect(body.name).toBe('Foldwork');
	for (const icon of body.icons) expect((await request.get(icon.src)).status()).toBe(200);
});
