// The main pages, each loaded as a signed-in person with data seeded through
// the API (the sign-in pages anonymously): no critical or serious axe
// violations in light or dark mode, nothing wider than a 375 px phone, and
// full-page screenshots kept as artifacts under test-results/screenshots/
// (<page>.png, <page>-375.png, <page>-dark.png).
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page, TestInfo } from '@playwright/test';
import { clientFor, createUser, expect, newContext, signIn, sql, submitJob, test, waitForJob, type TestUser } from './fixtures.ts';

const SCREENSHOTS = 'test-results/screenshots';

/** A completed protein-properties job (the CPU worker runs it), for the job, files and credits pages. */
async function seedJob(user: TestUser): Promise<string> {
	const id = await submitJob(user, 'Lysozyme properties');
	await waitForJob(id);
	return id;
}

/** A teammate and a pending invite, so the team page shows its lists. */
async function seedTeam(user: TestUser): Promise<void> {
	const mate = await createUser({ name: 'Ada Lovelace' });
	await sql(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'viewer')`, [user.teamId, mate.id]);
	const client = await clientFor(user);
	const { error } = await client.rpc('invite_team_member', { team_id: user.teamId, email: 'pending-invitee@example.test', role: 'member' });
	if (error) throw error;
}

async function expectAccessible(page: Page, name: string, mode: string, testInfo: TestInfo): Promise<void> {
	const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
	const blocking = results.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
	await testInfo.attach(`axe-${name}-${mode}.json`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
	const listing = blocking.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').join(' ')}`).join('\n')}`);
	expect(listing, `axe violations on ${name} (${mode})`).toEqual([]);
}

async function screenshot(page: Page, file: string, testInfo: TestInfo): Promise<void> {
	const path = `${SCREENSHOTS}/${file}.png`;
	await page.screenshot({ path, fullPage: true, animations: 'disabled' });
	await testInfo.attach(file, { path, contentType: 'image/png' });
}

interface MainPage {
	name: string;
	/** Anonymous visitors' pages. */
	anonymous?: boolean;
	seed?: (user: TestUser) => Promise<string | void>;
	/** The path, given what `seed` returned. */
	path: (seeded: string | void) => string;
	/** What shows once the page has loaded its data. */
	ready: (page: Page) => Locator;
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).first();

const PAGES: MainPage[] = [
	{ name: 'login', anonymous: true, path: () => '/login', ready: h1 },
	{ name: 'signup', anonymous: true, path: () => '/signup', ready: h1 },
	{ name: 'tools', path: () => '/app/tools', ready: h1 },
	{ name: 'jobs', seed: seedJob, path: () => '/app/jobs', ready: (page) => page.getByText('Lysozyme properties').first() },
	{ name: 'job', seed: seedJob, path: (id) => `/app/tools/protein-properties?jobId=${id}`, ready: (page) => page.getByText('Lysozyme properties').first() },
	{ name: 'files', seed: seedJob, path: () => '/app/files', ready: (page) => page.getByRole('rowheader', { name: 'hydropathy.csv' }) },
	{ name: 'credits', seed: seedJob, path: () => '/app/credits', ready: (page) => page.getByRole('heading', { name: 'Prices' }) },
	{ name: 'team', seed: seedTeam, path: () => '/app/team', ready: (page) => page.getByRole('rowheader', { name: 'pending-invitee@example.test' }) },
	{ name: 'status', path: () => '/status', ready: (page) => page.getByRole('heading', { name: 'CPU workers' }) }
];

for (const main of PAGES) {
	test(`${main.name}: accessible in light and dark mode, fits 375 px, screenshots saved`, async ({ browser }, testInfo) => {
		test.setTimeout(150_000); // axe takes a while on a busy machine, and runs twice
		const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
		const page = await context.newPage();
		try {
			let seeded: string | void = undefined;
			if (!main.anonymous) {
				const user = await createUser({ name: 'Grace Hopper' });
				seeded = await main.seed?.(user);
				await signIn(context, user);
			}
			await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
			await page.goto(main.path(seeded));
			await expect(main.ready(page)).toBeVisible({ timeout: 20_000 });
			await page.waitForLoadState('networkidle');
			await expectAccessible(page, main.name, 'light', testInfo);
			await screenshot(page, main.name, testInfo);

			await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
			await expectAccessible(page, main.name, 'dark', testInfo);
			await screenshot(page, `${main.name}-dark`, testInfo);

			await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
			await page.setViewportSize({ width: 375, height: 812 });
			await expect(main.ready(page)).toBeVisible();
			const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
			expect(overflow, `${main.name} is wider than a 375 px screen by ${overflow} px`).toBeLessThanOrEqual(0);
			await screenshot(page, `${main.name}-375`, testInfo);
		} finally {
			await context.close();
		}
	});
}

test('status asks visitors to sign in (the figures are for signed-in people)', async ({ browser }) => {
	const context = await newContext(browser);
	const page = await context.newPage();
	await page.goto('/status');
	await expect(page.getByText('Sign in to see the workers online')).toBeVisible();
	await expect(page.getByRole('link', { name: 'Sign in' }).first()).toHaveAttribute('href', '/login?next=/status');
	await context.close();
});

test('status shows the CPU worker online and refreshes by itself', async ({ page }) => {
	await page.goto('/status');
	const cpu = page.getByRole('region', { name: 'CPU workers' });
	await expect(cpu.getByText('1 online')).toBeVisible();
	// npm start runs one CPU worker with a slot per core.
	const [{ slots }] = await sql<{ slots: number }>(`select concurrency as slots from public.workers where compute_class = 'cpu' and stopped_at is null`);
	await expect(cpu.getByText(`of ${slots}`, { exact: false }).first()).toBeVisible();
	const before = await page.locator('time').first().getAttribute('datetime');
	await expect.poll(() => page.locator('time').first().getAttribute('datetime'), { timeout: 15_000 }).not.toBe(before);
});
