// Every page of the app loads and hydrates without a console error, signed
// in and anonymous, on a 375 px phone, where no page scrolls sideways: the list comes from src/routes, so a new page is covered
// without editing this file (a new route parameter needs a value below).
// Each tool's page, and a job link of each tool, are visited. This file runs
// against the production server (`npm start`) and against Vite's dev server
// (`npm run dev`, playwright.dev.config.ts): a module that only breaks in
// one of them fails here.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { projectRoot } from '../../supabase/local/config.ts';
import { toolCatalog } from '#lib/tools/catalog.ts';
import { toolRegistry } from '#lib/tools/registry.ts';
import { clientFor, createUser, expect, newContext, signIn, sql, submitJobAs, test, type TestUser } from './fixtures.ts';

/** Route patterns of every +page.svelte, e.g. /app/tools/[tool]. */
function pageRoutes(dir = path.join(projectRoot, 'src/routes'), prefix = ''): string[] {
	const routes: string[] = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		if (entry.isFile() && entry.name === '+page.svelte') routes.push(prefix || '/');
		if (entry.isDirectory()) {
			// (group) folders do not appear in the URL.
			const segment = /^\(.*\)$/.test(entry.name) ? '' : `/${entry.name}`;
			routes.push(...pageRoutes(path.join(dir, entry.name), prefix + segment));
		}
	}
	return routes.sort();
}

interface Seeded {
	user: TestUser;
	/** Values for each route parameter. */
	params: Record<string, string[]>;
	/** Job links, one per tool that has a job. */
	jobLinks: string[];
	/** A public job's link, for anonymous visitors. */
	publicJobLink: string;
}

async function seed(): Promise<Seeded> {
	const user = await createUser({ name: 'Page Crawler' });
	const client = await clientFor(user);
	const jobLinks: string[] = [];
	for (const entry of toolCatalog.filter((t) => t.enabled)) {
		const tool = toolRegistry[entry.id];
		const example = tool?.examples[0];
		if (!example) continue;
		const parsed = await tool.parseInput({ text: example.text, fields: example.fields });
		if (!parsed.ok) throw new Error(`${entry.id}'s first example does not parse: ${JSON.stringify(parsed.errors)}`);
		const id = await submitJobAs(client, user.teamId, `${entry.name} example`, { tool: entry.id, input: parsed.input });
		jobLinks.push(`/app/tools/${entry.id}?jobId=${id}`);
	}
	// Quick CPU jobs finish, so their results (plots, 2D and 3D viewers) are on the page; slower ones show progress.
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		const [{ waiting }] = await sql<{ waiting: number }>(
			`select count(*)::int as waiting from public.jobs where team_id = $1 and status not in ('completed', 'failed') and tool_id not in ('docking', 'structure-prediction')`,
			[user.teamId]
		);
		if (waiting === 0) break;
		await new Promise((r) => setTimeout(r, 250));
	}
	const publicJobLink = jobLinks[0];
	await sql(`update public.jobs set visibility = 'public' where id = $1`, [new URL(publicJobLink, 'http://x').searchParams.get('jobId')]);
	// An invitation to another team, for the invite page.
	const owner = await createUser({ name: 'Inviting Owner' });
	const [invite] = await sql<{ id: string }>(
		`insert into public.team_invites (team_id, email, role, invited_by) values ($1, $2, 'member', $3) returning id`,
		[owner.teamId, user.email, owner.id]
	);
	return { user, params: { tool: toolCatalog.map((t) => t.id), inviteId: [invite.id] }, jobLinks, publicJobLink };
}

function expand(route: string, params: Record<string, string[]>): string[] {
	const match = /\[([^\]]+)\]/.exec(route);
	if (!match) return [route];
	const values = params[match[1]];
	if (!values) throw new Error(`${route}: give every-page.spec.ts values for the route parameter [${match[1]}]`);
	return values.flatMap((value) => expand(route.replace(match[0], value), params));
}

/** Loads `url` and returns what went wrong: console errors, uncaught exceptions, server errors. */
async function visit(context: BrowserContext, url: string): Promise<string[]> {
	const page: Page = await context.newPage();
	const problems: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') problems.push(`console: ${message.text()}`);
	});
	page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
	page.on('response', (response) => {
		if (response.status() >= 500) problems.push(`${response.status()} from ${response.url()}`);
	});
	try {
		const response = await page.goto(url);
		expect(response?.status(), `${url} answers`).toBeLessThan(500);
		await expect(page.locator('html[data-hydrated]')).toBeAttached({ timeout: 30_000 });
		await page.waitForLoadState('networkidle');
		if (await page.getByRole('heading', { name: 'Something went wrong' }).isVisible()) problems.push('shows the error page');
		const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
		if (width > 375) {
			// Name the innermost elements that reach past the edge, so the failure says what to fix.
			const culprits = await page.evaluate(() =>
				[...document.body.querySelectorAll('*')]
					.filter((el) => {
						if (el.getBoundingClientRect().right <= 376) return false;
						// Content of a box that scrolls or clips does not widen the page.
						for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
							if (getComputedStyle(up).overflowX !== 'visible') return false;
						}
						return ![...el.children].some((c) => c.getBoundingClientRect().right > 376);
					})
					.slice(0, 3)
					.map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`)
			);
			problems.push(`scrolls sideways at 375 px: ${width} px wide (${culprits.join('; ')})`);
		}
	} finally {
		await page.close();
	}
	return problems;
}

test('every page loads and hydrates without errors, signed in and anonymous, and none scrolls sideways at 375 px', async ({ browser }) => {
	test.setTimeout(600_000);
	const seeded = await seed();
	const urls = pageRoutes().flatMap((route) => expand(route, seeded.params));
	expect(urls, 'the routes were found').toContain('/app/jobs');

	const phone = { viewport: { width: 375, height: 812 } };
	const signedIn = await newContext(browser, phone);
	await signIn(signedIn, seeded.user);
	const anonymous = await newContext(browser, phone);
	const found: string[] = [];
	for (const [context, who, list] of [
		[signedIn, 'signed in', [...urls, ...seeded.jobLinks]],
		[anonymous, 'anonymous', [...urls, seeded.publicJobLink]]
	] as const) {
		for (const url of list) {
			for (const problem of await visit(context, url)) found.push(`${who} ${url}: ${problem}`);
		}
	}
	await signedIn.close();
	await anonymous.close();
	expect(found).toEqual([]);
});
