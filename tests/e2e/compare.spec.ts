// Compare runs (issue 21): two protein-properties runs of the same protein
// at different pH, opened from the job menu's "Compare with…" and the
// page's picker; the pH setting is marked as the difference and the charge
// at each pH gets its delta (the pI, which does not depend on the pH, ±0).
// The compare link as an attacker edits it: another team's private job in
// it shows nothing of that job, and an anonymous visitor is asked to sign in.
import AxeBuilder from '@axe-core/playwright';
import { HEN_LYSOZYME } from '#lib/tools/well-known-sequences.ts';
import { clientFor, createUser, expect, newContext, openJobMenu, signIn, submitJob, submitJobAs, test, waitForJob } from './fixtures.ts';

test.describe.configure({ timeout: 120_000 });

const lysozyme = { sequences: [{ id: 'lysozyme', sequence: HEN_LYSOZYME }] };

test('compares two protein-properties runs with different pH', async ({ page, user }) => {
	const client = await clientFor(user);
	const neutral = await submitJobAs(client, user.teamId, 'Lysozyme at pH 7', { input: lysozyme, settings: { pH: 7 } });
	const acidic = await submitJobAs(client, user.teamId, 'Lysozyme at pH 5', { input: lysozyme, settings: { pH: 5 } });
	await Promise.all([waitForJob(neutral), waitForJob(acidic)]);

	// From the job menu: the compare page opens with this job and offers the team's other runs of the tool.
	await page.goto('/app/jobs');
	await (await openJobMenu(page, 'Lysozyme at pH 7')).getByRole('menuitem', { name: 'Compare with…' }).click();
	await expect(page).toHaveURL(`/app/compare?ids=${neutral}`);
	await expect(page.getByText('Add at least one more job of this tool to compare.')).toBeVisible();
	await page.getByLabel("Search your team's Protein properties jobs").fill('pH 5');
	await page.getByRole('button', { name: 'Add Lysozyme at pH 5 to the comparison' }).click();
	await expect(page).toHaveURL(`/app/compare?ids=${neutral},${acidic}`);

	// Settings: the pH is the one marked as different, with each run's value.
	const settings = page.getByRole('table', { name: 'Settings of each job' });
	const ph = settings.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /pH/ }) });
	await expect(ph).toContainText('differs');
	await expect(ph.getByRole('cell')).toHaveText(['7', '5']);
	await expect(settings.getByText('differs')).toHaveCount(1);

	// Inputs: the same protein in both.
	const inputs = page.getByRole('table', { name: 'Input records of each job' });
	await expect(inputs.getByRole('row', { name: /lysozyme/ })).toContainText('same as A');

	// Results: the lysozyme record, the charge with its delta (lower pH, more positive), the pI unchanged.
	const record = page.getByRole('table', { name: /^lysozyme/ });
	const charge = record.getByRole('row', { name: /^Net charge at pH 7\.0 \/ Net charge at pH 5\.0/ });
	const [atNeutral, atAcidic, delta] = (await charge.getByRole('cell').allTextContents()).map((t) => t.trim());
	expect(Number(atAcidic) - Number(atNeutral)).toBeGreaterThan(0);
	expect(delta).toMatch(/^\+\d/);
	expect(Number(delta.slice(1))).toBeCloseTo(Number(atAcidic) - Number(atNeutral), 3);
	await expect(record.getByRole('row', { name: /^Theoretical pI/ }).getByRole('cell').last()).toHaveText('±0');
	await expect(record.getByRole('row', { name: /^Average mass/ }).getByRole('cell').last()).toHaveText('±0 Da');

	// Only differences: the pH and the charge remain.
	await page.getByLabel('Show only differences').check();
	await expect(settings.getByRole('row')).toHaveCount(2);
	await expect(record.getByRole('row', { name: /^Theoretical pI/ })).toHaveCount(0);
	await expect(charge).toBeVisible();

	// The hydropathy profiles overlaid, one line per run, with a legend naming them.
	await expect(page.getByRole('img', { name: 'Hydropathy profile of lysozyme, one line per job' })).toBeVisible();
	await expect(page.locator('figcaption').getByText('A: Lysozyme at pH 7')).toBeVisible();
	await expect(page.locator('figcaption').getByText('B: Lysozyme at pH 5')).toBeVisible();

	expect((await new AxeBuilder({ page }).include('#main').analyze()).violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

	// Removing a run goes back to asking for another; the address follows.
	await page.getByRole('button', { name: 'Remove Lysozyme at pH 7 from the comparison' }).click();
	await expect(page).toHaveURL(`/app/compare?ids=${acidic}`);
});

test('a compare link shows nothing of a job the viewer may not open', async ({ page, user, browser }) => {
	const alice = await createUser({ name: 'Alice Private' });
	const secret = await submitJob(alice, 'Alice secret lysozyme', { input: { sequences: [{ id: 'alice-secret-record', sequence: HEN_LYSOZYME }] } });
	const own = await submitJob(user, 'My lysozyme');
	await Promise.all([waitForJob(secret), waitForJob(own)]);

	await page.goto(`/app/compare?ids=${secret},${own}`);
	await expect(page.getByText(/One job in this link is not available to you/)).toBeVisible();
	await expect(page.getByRole('link', { name: 'My lysozyme' })).toBeVisible();
	const html = await page.content();
	expect(html).not.toContain('Alice secret lysozyme');
	expect(html).not.toContain('alice-secret-record');

	// An anonymous visitor is asked to sign in first.
	const anonymous = await newContext(browser);
	try {
		const visitor = await anonymous.newPage();
		await visitor.goto(`/app/compare?ids=${secret},${own}`);
		await expect(visitor).toHaveURL(/\/login\?next=/);
		expect(await visitor.content()).not.toContain('Alice secret lysozyme');
	} finally {
		await anonymous.close();
	}
	// Alice, whose jobs they are, sees her own job and not the other team's.
	const aliceContext = await newContext(browser);
	try {
		await signIn(aliceContext, alice);
		const alicePage = await aliceContext.newPage();
		await alicePage.goto(`/app/compare?ids=${secret},${own}`);
		await expect(alicePage.getByRole('link', { name: 'Alice secret lysozyme' })).toBeVisible();
		expect(await alicePage.content()).not.toContain('My lysozyme');
	} finally {
		await aliceContext.close();
	}
});
