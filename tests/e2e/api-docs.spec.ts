// The API's documentation as the web server serves it: the OpenAPI document
// at /api/openapi.json is the one generated from the contract, for this
// deployment's Supabase URL, and /docs/api shows every route and a curl and a
// CLI example for every enabled tool, to anyone.
import { apiRoutes } from '#lib/api/contract.ts';
import { toolCatalog } from '#lib/tools/catalog.ts';
import { anonymousTest, expect } from './fixtures.ts';
import { e2eInfo } from './env.ts';

anonymousTest('the served OpenAPI document is the generated one for this deployment', async ({ request }) => {
	const answer = await request.get('/api/openapi.json');
	expect(answer.status()).toBe(200);
	const document = (await answer.json()) as { openapi: string; servers: Array<{ variables: { supabaseUrl: { default: string } } }>; paths: Record<string, Record<string, { operationId: string }>> };
	expect(document.openapi).toBe('3.1.0');
	expect(document.servers[0].variables.supabaseUrl.default).toBe(e2eInfo().apiUrl);
	const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
	expect(operations.sort()).toEqual(apiRoutes.map((r) => r.id).sort());
});

anonymousTest('/docs/api lists every route and a curl and CLI example per tool', async ({ page }) => {
	await page.goto('/docs/api');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Foldwork API');
	for (const route of apiRoutes) await expect(page.getByRole('heading', { name: `${route.method} ${route.path} — ${route.summary}` })).toBeVisible();
	for (const tool of toolCatalog.filter((t) => t.enabled)) {
		const example = page.getByRole('article', { name: new RegExp(`^${tool.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });
		await expect(example.getByText(`"tool": "${tool.id}"`)).toBeVisible();
		await expect(example.getByText(new RegExp(`^foldwork submit ${tool.id} input\\.`))).toBeVisible();
	}
	await expect(page.getByRole('link', { name: 'OpenAPI document' })).toHaveAttribute('href', '/api/openapi.json');
});
