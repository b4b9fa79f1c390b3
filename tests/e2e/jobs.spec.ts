// The global jobs page (/app/jobs) and the job menu: the team's jobs with
// filters, search, sort and pages in the URL; rows that appear and change
// live; rename, delete, cancel, retry, duplicate, CSV/JSON export, copy link
// and open in a new tab; what a team viewer is offered. Jobs are submitted
// through the API as the user and run by the stack's CPU worker (GPU jobs
// stay pending: the e2e stack has no GPU worker).
import AxeBuilder from '@axe-core/playwright';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import type { SupabaseClient } from '@supabase/supabase-js';
import { HEN_LYSOZYME } from '../../src/lib/tools/well-known-sequences.ts';
import { e2eInfo } from './env.ts';
import { clientFor, createUser, expect, newContext, openJobMenu, signIn, sql, submitJobAs, test, type TestUser } from './fixtures.ts';

interface Submitted {
	id: string;
	name: string;
	tool: string;
}

async function submit(
	client: SupabaseClient,
	teamId: string,
	name: string,
	options: { tool?: string; sequences?: Array<{ id: string; sequence: string }> } = {}
): Promise<Submitted> {
	const tool = options.tool ?? 'protein-properties';
	const id = await submitJobAs(client, teamId, name, { tool, input: options.sequences ? { sequences: options.sequences } : undefined });
	return { id, name, tool };
}

/** Waits until the worker has finished every job of the team (ended, one way or another). */
async function waitForWorker(teamId: string, gpuJobsStayPending = true): Promise<void> {
	await expect
		.poll(
			async () =>
				(
					await sql<{ n: string }>(
						`select count(*) as n from public.jobs where team_id = $1 and status in ('pending', 'queued', 'processing', 'retry')
						   and not ($2 and tool_id = 'gpu-selftest')`,
						[teamId, gpuJobsStayPending]
					)
				)[0].n,
			{ timeout: 30_000 }
		)
		.toBe('0');
}

async function statusOf(jobId: string): Promise<string | undefined> {
	return (await sql<{ status: string }>(`select status from public.jobs where id = $1`, [jobId]))[0]?.status;
}

function rowOf(page: Page, name: string): Locator {
	return page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
}

const openMenu = openJobMenu;

async function menuItems(page: Page, name: string): Promise<string[]> {
	const menu = await openMenu(page, name);
	const items = await menu.getByRole('menuitem').allTextContents();
	await page.keyboard.press('Escape');
	await expect(menu).toBeHidden();
	return items.map((s) => s.trim());
}

/** Makes `member` a member of `team` with `role`, and opens that team in their browser. */
async function joinTeam(context: BrowserContext, member: TestUser, teamId: string, role: 'member' | 'viewer'): Promise<void> {
	await sql(`insert into public.team_members (team_id, user_id, role) values ($1, $2, $3)`, [teamId, member.id, role]);
	await signIn(context, member);
	await context.addCookies([{ name: 'foldwork_team', value: teamId, url: e2eInfo().webUrl, httpOnly: true, sameSite: 'Lax' }]);
}

// Room for a machine shared with other runs: several tests wait for the worker and open two browsers.
test.describe.configure({ timeout: 120_000 });

test('shows an empty state that leads to the tools', async ({ page }) => {
	await page.goto('/app/jobs');
	await expect(page.getByRole('heading', { name: 'Jobs', level: 1 })).toBeVisible();
	await expect(page.getByText('No jobs yet.')).toBeVisible();
	await expect(page.getByRole('link', { name: 'Run a tool' })).toHaveAttribute('href', '/app/tools');
});

test('lists the team\'s jobs with status, duration, tool, submitter and credits; the name opens the job', async ({ page, user }) => {
	const client = await clientFor(user);
	const job = await submit(client, user.teamId, 'Lysozyme properties');
	await waitForWorker(user.teamId);
	await page.goto('/app/jobs');
	const row = rowOf(page, job.name);
	await expect(row.getByText('Completed')).toBeVisible();
	await expect(row.getByRole('cell', { name: 'Protein properties' })).toBeVisible();
	await expect(row.getByRole('cell', { name: user.email.split('@')[0] })).toBeVisible();
	await expect(row.getByRole('cell', { name: 'Free' })).toBeVisible();
	await expect(row.getByRole('cell', { name: /^\d+(\.\d)? (ms|s)$/ })).toBeVisible();
	await expect(page.getByText('Showing 1–1 of 1 job')).toBeVisible();
	await expect(row.getByRole('link', { name: job.name })).toHaveAttribute('href', `/app/tools/protein-properties?jobId=${job.id}`);
});

test('renames a job, saying beside the field what is wrong with a bad name', async ({ page, user }) => {
	const job = await submit(await clientFor(user), user.teamId, 'Old name');
	await page.goto('/app/jobs');
	await (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Rename' }).click();
	const dialog = page.getByRole('dialog', { name: 'Rename job' });
	const field = dialog.getByLabel('Job name');
	await expect(field).toHaveValue('Old name');
	await field.fill('   ');
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog.getByText('Give the job a name.')).toBeVisible();
	await expect(field).toHaveAttribute('aria-invalid', 'true');
	await field.fill('Kinase screen (batch 2)');
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog).toBeHidden();
	await expect(rowOf(page, 'Kinase screen (batch 2)')).toBeVisible();
	// Focus is back on the row's menu button.
	await expect(page.getByRole('button', { name: 'Actions for Kinase screen (batch 2)' })).toBeFocused();
	await page.reload();
	await expect(rowOf(page, 'Kinase screen (batch 2)')).toBeVisible();
	expect((await sql(`select name from public.jobs where id = $1`, [job.id]))[0].name).toBe('Kinase screen (batch 2)');
});

test('deletes a job only after a confirmation that names what is lost', async ({ page, user }) => {
	const client = await clientFor(user);
	const keep = await submit(client, user.teamId, 'Keep me');
	const doomed = await submit(client, user.teamId, 'Delete me');
	await waitForWorker(user.teamId);
	await page.goto('/app/jobs');
	await (await openMenu(page, doomed.name)).getByRole('menuitem', { name: 'Delete' }).click();
	const dialog = page.getByRole('dialog', { name: 'Delete “Delete me”?' });
	await expect(dialog).toContainText('input, settings, results, files and timeline');
	await expect(dialog).toContainText('Credits spent on it are not refunded');
	// Changing one's mind keeps the job.
	await dialog.getByRole('button', { name: 'Keep it' }).click();
	await expect(dialog).toBeHidden();
	await expect(rowOf(page, doomed.name)).toBeVisible();

	await (await openMenu(page, doomed.name)).getByRole('menuitem', { name: 'Delete' }).click();
	await dialog.getByRole('button', { name: 'Delete job' }).click();
	await expect(dialog).toBeHidden();
	await expect(rowOf(page, doomed.name)).toHaveCount(0);
	await expect(rowOf(page, keep.name)).toBeVisible();
	expect(await statusOf(doomed.id)).toBeUndefined();
	await page.reload();
	await expect(rowOf(page, doomed.name)).toHaveCount(0);
});

test('cancels a job that has not finished', async ({ page, user }) => {
	// No GPU worker runs in this stack: a GPU job waits, pending.
	const job = await submit(await clientFor(user), user.teamId, 'Waiting for a GPU', { tool: 'gpu-selftest' });
	await page.goto('/app/jobs');
	const row = rowOf(page, job.name);
	await expect(row.getByText('Pending')).toBeVisible();
	const items = await menuItems(page, job.name);
	expect(items).toContain('Cancel job');
	expect(items).not.toContain('Retry');
	expect(items).not.toContain('Download CSV');
	await (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Cancel job' }).click();
	// It asks first, saying what happens to the credits (a free job: nothing to refund).
	const dialog = page.getByRole('dialog', { name: `Cancel “${job.name}”?` });
	await expect(dialog).toContainText('It was free, so there is nothing to refund.');
	await dialog.getByRole('button', { name: 'Cancel job' }).click();
	await expect(dialog).toBeHidden();
	await expect(row.getByText('Cancelled')).toBeVisible();
	expect(await statusOf(job.id)).toBe('cancelled');
	expect(await menuItems(page, job.name)).toContain('Retry');
});

test('retries a failed job as a new job and opens it', async ({ page, user }) => {
	// 'J' is no amino acid: the database takes the envelope, the worker fails the job.
	const job = await submit(await clientFor(user), user.teamId, 'Bad sequence', { sequences: [{ id: 'bad', sequence: 'MKTJJJ' }] });
	await waitForWorker(user.teamId);
	expect(await statusOf(job.id)).toBe('failed');
	await page.goto('/app/jobs');
	await expect(rowOf(page, job.name).getByText('Failed')).toBeVisible();
	await (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Retry' }).click();
	// It asks first, with the new job's name and its price.
	const dialog = page.getByRole('dialog', { name: `Run “${job.name}” again?` });
	await expect(dialog).toContainText(`The same input and settings run as a new job, “${job.name} (retry 2)”, which is free.`);
	await dialog.getByRole('button', { name: 'Retry' }).click();
	await expect(page).toHaveURL(/\/app\/tools\/protein-properties\?jobId=[0-9a-f-]{36}$/);
	const newId = new URL(page.url()).searchParams.get('jobId');
	expect(newId).not.toBe(job.id);
	const [retry] = await sql<{ retry_of: string; name: string }>(`select retry_of, name from public.jobs where id = $1`, [newId]);
	expect(retry).toEqual({ retry_of: job.id, name: `${job.name} (retry 2)` });
});

test('duplicate opens the tool\'s form prefilled from the job', async ({ page, user }) => {
	const job = await submit(await clientFor(user), user.teamId, 'Run me again');
	await waitForWorker(user.teamId);
	await page.goto('/app/jobs');
	await (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Duplicate' }).click();
	await expect(page).toHaveURL(`/app/tools/protein-properties?duplicate=${job.id}`);
});

test('downloads a completed job as CSV and JSON, with formulas in cells neutralised', async ({ page, user }) => {
	const hostileId = "=cmd|' /C calc'!A0";
	const job = await submit(await clientFor(user), user.teamId, 'Export: lysozyme, batch "1"', {
		sequences: [
			{ id: 'lysozyme', sequence: HEN_LYSOZYME },
			{ id: hostileId, sequence: 'MKTAYIAKQR' }
		]
	});
	await waitForWorker(user.teamId);
	await page.goto('/app/jobs');

	const csvDownload = page.waitForEvent('download');
	await (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Download CSV' }).click();
	const csvFile = await csvDownload;
	expect(csvFile.suggestedFilename()).toBe('Export-lysozyme-batch-1.csv');
	const csv = (await readDownload(csvFile)).split('\r\n');
	// Comment lines with the tool, the job and the settings it ran with (its defaults), then the table.
	expect(csv[0]).toBe(`# Protein properties (Foldwork tool protein-properties); job ${job.id}; finished ${csv[0].split('finished ')[1]}`);
	expect(csv[1]).toBe('# Settings: pH 7; Hydropathy window (residues) 9');
	// And what computed it: the tool's version, then the worker's.
	expect(csv[2]).toMatch(/^# Computed by: Protein properties \d+\.\d+\.\d+; Foldwork worker /);
	expect(csv[3]).toMatch(/^ID,Length \(aa\),Average mass \(Da\),Monoisotopic mass \(Da\),Theoretical pI,Net charge at pH 7\.0,/);
	expect(csv[4]).toMatch(/^lysozyme,129,\d+\.\d+,/);
	// OWASP: a leading single quote, and the cell quoted.
	expect(csv[5].startsWith(`"'=cmd|' /C calc'!A0",10,`)).toBe(true);
	expect(csv[6]).toBe('');

	const jsonDownload = page.waitForEvent('download');
	await (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Download JSON' }).click();
	const jsonFile = await jsonDownload;
	expect(jsonFile.suggestedFilename()).toBe('Export-lysozyme-batch-1.json');
	const envelope = JSON.parse(await readDownload(jsonFile));
	// The settings it ran with: the tool's defaults, filled in.
	expect(envelope.job).toMatchObject({ id: job.id, name: job.name, tool: 'protein-properties', settings: { pH: 7, hydropathyWindow: 9 } });
	expect(Date.parse(envelope.job.created_at)).toBeLessThanOrEqual(Date.parse(envelope.job.finished_at));
	expect(Math.abs(Date.parse(envelope.exported_at) - Date.now())).toBeLessThan(60_000);
	expect(envelope.results.table.rows.map((r: { id: string }) => r.id)).toEqual(['lysozyme', hostileId]);
});

async function readDownload(download: { createReadStream(): Promise<NodeJS.ReadableStream> }): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of await download.createReadStream()) chunks.push(Buffer.from(chunk));
	return Buffer.concat(chunks).toString('utf8');
}

test('copies the job link and opens the job in a new tab', async ({ page, user, context }) => {
	const job = await submit(await clientFor(user), user.teamId, 'Link me');
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.goto('/app/jobs');
	await (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Copy link' }).click();
	await expect(page.getByText('Link copied')).toBeVisible();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${e2eInfo().webUrl}/app/tools/protein-properties?jobId=${job.id}`);

	const [tab] = await Promise.all([context.waitForEvent('page'), (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Open in new tab' }).click()]);
	await expect(tab).toHaveURL(`${e2eInfo().webUrl}/app/tools/protein-properties?jobId=${job.id}`);
	await tab.close();
});

test('the menu is a keyboard menu button', async ({ page, user }) => {
	const job = await submit(await clientFor(user), user.teamId, 'Keyboard job');
	await waitForWorker(user.teamId);
	await page.goto('/app/jobs');
	const button = page.getByRole('button', { name: `Actions for ${job.name}` });
	await expect(button).toHaveAttribute('aria-haspopup', 'menu');
	await expect(button).toHaveAttribute('aria-expanded', 'false');
	await button.focus();
	await page.keyboard.press('Enter');
	await expect(button).toHaveAttribute('aria-expanded', 'true');
	const items = page.getByRole('menu').getByRole('menuitem');
	await expect(items.first()).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(items.nth(1)).toBeFocused();
	await page.keyboard.press('End');
	await expect(items.last()).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(items.first()).toBeFocused();
	await page.keyboard.press('ArrowUp');
	await expect(items.last()).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(page.getByRole('menu')).toBeHidden();
	await expect(button).toBeFocused();
	// Arrow up opens it on the last item; Enter on an item runs it.
	await page.keyboard.press('ArrowUp');
	await expect(items.last()).toHaveText('Delete');
	await expect(items.last()).toBeFocused();
	await page.keyboard.press('Home');
	await expect(items.first()).toHaveText('Rename');
	await page.keyboard.press('Enter');
	await expect(page.getByRole('dialog', { name: 'Rename job' })).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(page.getByRole('dialog', { name: 'Rename job' })).toBeHidden();
	await expect(button).toBeFocused();
});

test('filters by tool, status and submitter, searches, sorts and pages, all kept in the URL', async ({ page, user }) => {
	test.slow();
	const bob = await createUser({ name: 'Bob Bench' });
	await sql(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [user.teamId, bob.id]);
	const client = await clientFor(user);
	const bobClient = await clientFor(bob);
	for (let i = 1; i <= 26; i++) await submit(client, user.teamId, `Batch A ${String(i).padStart(2, '0')}`);
	await submit(bobClient, user.teamId, 'Translate 1', { tool: 'sequence-tools', sequences: [{ id: 'd1', sequence: 'ATGGCCATTGTAATGGGCCGCTGA' }] });
	await submit(bobClient, user.teamId, 'Translate 2', { tool: 'sequence-tools', sequences: [{ id: 'd2', sequence: 'ATGAAATTTGGGTAA' }] });
	await submit(client, user.teamId, 'Broken input', { sequences: [{ id: 'x', sequence: 'JJJ' }] });
	await waitForWorker(user.teamId);

	// The names in the table's body, top to bottom.
	const names = () => page.getByRole('table').getByRole('rowgroup').last().getByRole('link').allTextContents();

	await page.goto('/app/jobs');
	await expect(page.getByText('Showing 1–25 of 29 jobs')).toBeVisible();
	expect((await names())[0]).toBe('Broken input');
	// Pages
	await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next' }).click();
	await expect(page).toHaveURL(/\/app\/jobs\?page=2$/);
	await expect(page.getByText('Showing 26–29 of 29 jobs')).toBeVisible();
	expect(await names()).toEqual(['Batch A 04', 'Batch A 03', 'Batch A 02', 'Batch A 01']);
	await page.goBack();
	await expect(page).toHaveURL(/\/app\/jobs$/);
	await expect(page.getByText('Showing 1–25 of 29 jobs')).toBeVisible();

	// Tool
	await page.getByLabel('Tool').selectOption({ label: 'Sequence tools' });
	await expect(page).toHaveURL(/\?tool=sequence-tools$/);
	await expect(page.getByText('Showing 1–2 of 2 jobs')).toBeVisible();
	expect(await names()).toEqual(['Translate 2', 'Translate 1']);
	await page.getByRole('link', { name: 'Clear filters' }).first().click();
	await expect(page).toHaveURL(/\/app\/jobs$/);

	// Status
	await page.getByLabel('Status').selectOption({ label: 'Failed' });
	await expect(page).toHaveURL(/\?status=failed$/);
	await expect(page.getByText('Showing 1–1 of 1 job')).toBeVisible();
	expect(await names()).toEqual(['Broken input']);
	await page.getByLabel('Status').selectOption({ label: 'All statuses' });
	await expect(page).toHaveURL(/\/app\/jobs$/);

	// Submitter
	await page.getByLabel('Submitted by').selectOption({ label: 'Bob Bench' });
	await expect(page).toHaveURL(new RegExp(`\\?submitter=${bob.id}$`));
	expect(await names()).toEqual(['Translate 2', 'Translate 1']);
	await page.getByLabel('Submitted by').selectOption({ label: 'Anyone' });

	// Search: names contain the text, any case.
	await page.getByRole('searchbox', { name: 'Search' }).fill('a 2');
	await expect(page).toHaveURL(/\?q=a\+2$/);
	await expect(page.getByText('Showing 1–7 of 7 jobs')).toBeVisible();
	expect(await names()).toEqual(['Batch A 26', 'Batch A 25', 'Batch A 24', 'Batch A 23', 'Batch A 22', 'Batch A 21', 'Batch A 20']);
	await page.getByRole('searchbox', { name: 'Search' }).fill('no such job');
	await expect(page.getByText('No jobs match these filters.')).toBeVisible();
	await page.getByRole('searchbox', { name: 'Search' }).fill('');
	await expect(page).toHaveURL(/\/app\/jobs$/);

	// Sort: by name, A to Z, then back; the column says how it is sorted.
	await page.getByRole('link', { name: 'Name', exact: true }).click();
	await expect(page).toHaveURL(/\?sort=name&dir=asc$/);
	await expect(page.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'ascending');
	await expect.poll(async () => (await names())[0]).toBe('Batch A 01');
	await page.getByRole('link', { name: 'Name', exact: true }).click();
	await expect(page).toHaveURL(/\?sort=name&dir=desc$/);
	await expect.poll(async () => (await names()).slice(0, 3)).toEqual(['Translate 2', 'Translate 1', 'Broken input']);
	// Filters keep the sort; back and forward walk the URLs.
	await page.getByLabel('Tool').selectOption({ label: 'Protein properties' });
	await expect(page).toHaveURL(/\?tool=protein-properties&sort=name&dir=desc$/);
	await expect.poll(async () => (await names())[0]).toBe('Broken input');
	await page.goBack();
	await expect(page).toHaveURL(/\?sort=name&dir=desc$/);
	await expect.poll(async () => (await names())[0]).toBe('Translate 2');
	await page.goForward();
	await expect(page).toHaveURL(/\?tool=protein-properties&sort=name&dir=desc$/);
	await expect(page.getByLabel('Tool')).toHaveValue('protein-properties');
	// A link with filters opens as it was shared.
	await page.goto('/app/jobs?status=failed&q=broken');
	expect(await names()).toEqual(['Broken input']);
	await expect(page.getByLabel('Status')).toHaveValue('failed');
	await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('broken');
});

test('a teammate\'s open page shows new jobs, status changes, renames and deletes live', async ({ user, browser }) => {
	const teammate = await createUser({ name: 'Teammate' });
	const context = await newContext(browser);
	try {
		await joinTeam(context, teammate, user.teamId, 'member');
		const page = await context.newPage();
		await page.goto('/app/jobs');
		await expect(page.getByText('No jobs yet.')).toBeVisible();
		await expect(page.getByText('Live updates on')).toBeVisible();

		const client = await clientFor(user);
		const protein = await submit(client, user.teamId, 'Arrives live');
		await expect(rowOf(page, protein.name)).toBeVisible();
		// Only an update can turn the inserted (pending) row into a completed one.
		await expect(rowOf(page, protein.name).getByText('Completed')).toBeVisible();
		await expect(page.getByText('Showing 1–1 of 1 job')).toBeVisible();

		const waiting = await submit(client, user.teamId, 'Waits for a GPU', { tool: 'gpu-selftest' });
		await expect(rowOf(page, waiting.name).getByText('Pending')).toBeVisible();
		await expect(page.getByRole('link').filter({ hasText: /^(Waits for a GPU|Arrives live)$/ })).toHaveText([waiting.name, protein.name]);
		const { error } = await client.rpc('cancel_job', { job_id: waiting.id });
		expect(error).toBeNull();
		await expect(rowOf(page, waiting.name).getByText('Cancelled')).toBeVisible();

		await client.rpc('rename_job', { job_id: protein.id, name: 'Renamed live' });
		await expect(rowOf(page, 'Renamed live')).toBeVisible();
		await client.rpc('delete_job', { job_id: protein.id });
		await expect(rowOf(page, 'Renamed live')).toHaveCount(0);
		await expect(page.getByText('Showing 1–1 of 1 job')).toBeVisible();

		// Another team's jobs never show up.
		const stranger = await createUser();
		await submit(await clientFor(stranger), stranger.teamId, 'Not yours');
		const mine = await submit(client, user.teamId, 'Yours again');
		await expect(rowOf(page, mine.name)).toBeVisible();
		await expect(rowOf(page, 'Not yours')).toHaveCount(0);
	} finally {
		await context.close();
	}
});

test('opening the page loads its data once: reading the stored session does not reload it', async ({ page }) => {
	const reloads: string[] = [];
	page.on('request', (request) => {
		if (request.url().includes('__data.json')) reloads.push(request.url());
	});
	await page.goto('/app/jobs');
	// Live updates join only once the stored session is read, and reading it is what used to
	// start a reload (SIGNED_IN): by now that request would have gone out. A reload here would
	// race live changes arriving meanwhile and could drop them.
	await expect(page.getByText('Live updates on')).toBeVisible();
	expect(reloads).toEqual([]);
});

test('a new job appears only where it belongs: a filter that leaves it out, or another page, counts it instead', async ({ page, user }) => {
	const client = await clientFor(user);
	await submit(client, user.teamId, 'First protein');
	await waitForWorker(user.teamId);
	await page.goto('/app/jobs?tool=sequence-tools');
	await expect(page.getByText('No jobs match these filters.')).toBeVisible();
	await expect(page.getByText('Live updates on')).toBeVisible();
	await submit(client, user.teamId, 'Second protein');
	const dna = await submit(client, user.teamId, 'Some DNA', { tool: 'sequence-tools', sequences: [{ id: 'd', sequence: 'ATGTAA' }] });
	await expect(rowOf(page, dna.name)).toBeVisible();
	await expect(rowOf(page, 'Second protein')).toHaveCount(0);

	await page.goto('/app/jobs?sort=name&dir=asc');
	await expect(page.getByText('Live updates on')).toBeVisible();
	await submit(client, user.teamId, 'Aardvark');
	await expect(page.getByRole('button', { name: '1 new job: refresh' })).toBeVisible();
	await expect(rowOf(page, 'Aardvark')).toHaveCount(0);
	await page.getByRole('button', { name: '1 new job: refresh' }).click();
	await expect(rowOf(page, 'Aardvark')).toBeVisible();
});

test('a team viewer is offered no Rename, Delete, Cancel, Retry, Edit and run again, Duplicate or Share', async ({ user, browser }) => {
	const client = await clientFor(user);
	const done = await submit(client, user.teamId, 'Viewer sees done');
	const failed = await submit(client, user.teamId, 'Viewer sees failed', { sequences: [{ id: 'x', sequence: 'JJ' }] });
	const pending = await submit(client, user.teamId, 'Viewer sees pending', { tool: 'gpu-selftest' });
	await waitForWorker(user.teamId);
	// The submitter, for comparison, has them.
	const viewer = await createUser();
	const context = await newContext(browser);
	try {
		await joinTeam(context, viewer, user.teamId, 'viewer');
		const page = await context.newPage();
		await page.goto('/app/jobs');
		const forbidden = ['Rename', 'Delete', 'Cancel job', 'Retry', 'Edit and run again', 'Duplicate', 'Share'];
		for (const job of [done, failed, pending]) {
			const items = await menuItems(page, job.name);
			for (const item of forbidden) expect(items, job.name).not.toContain(item);
			expect(items, job.name).toEqual(expect.arrayContaining(['Copy link', 'Open in new tab']));
		}
		expect(await menuItems(page, done.name)).toEqual(['Compare with…', 'Download CSV', 'Download JSON', 'Download archive (ZIP)', 'Copy link', 'Open in new tab']);
	} finally {
		await context.close();
	}
});

test('the submitter is offered every action the job\'s state allows', async ({ page, user }) => {
	const client = await clientFor(user);
	const done = await submit(client, user.teamId, 'Owner done');
	const failed = await submit(client, user.teamId, 'Owner failed', { sequences: [{ id: 'x', sequence: 'JJ' }] });
	await waitForWorker(user.teamId);
	await page.goto('/app/jobs');
	expect(await menuItems(page, done.name)).toEqual(['Rename', 'Share', 'Duplicate', 'Compare with…', 'Download CSV', 'Download JSON', 'Download archive (ZIP)', 'Copy link', 'Open in new tab', 'Delete']);
	expect(await menuItems(page, failed.name)).toEqual(['Rename', 'Share', 'Retry', 'Edit and run again', 'Compare with…', 'Download archive (ZIP)', 'Copy link', 'Open in new tab', 'Delete']);
});

test('the page and its menu pass an accessibility check, and work at 375 px', async ({ page, user }) => {
	const job = await submit(await clientFor(user), user.teamId, 'A job with a rather long name that has to wrap on a phone');
	await waitForWorker(user.teamId);
	await page.setViewportSize({ width: 375, height: 740 });
	await page.goto('/app/jobs');
	await expect(rowOf(page, job.name)).toBeVisible();
	const scan = async () => (await new AxeBuilder({ page }).include('#main').analyze()).violations.map((v) => `${v.id}: ${v.help}`);
	expect(await scan()).toEqual([]);
	// The menu fits on the screen and its items can be tapped.
	const menu = await openMenu(page, job.name);
	const box = (await menu.boundingBox())!;
	expect(box.x).toBeGreaterThanOrEqual(0);
	expect(box.x + box.width).toBeLessThanOrEqual(375);
	expect(await scan()).toEqual([]);
	await menu.getByRole('menuitem', { name: 'Share' }).click();
	await expect(page.getByRole('dialog', { name: `Share “${job.name}”` })).toBeVisible();
	expect((await new AxeBuilder({ page }).include('dialog').analyze()).violations.map((v) => v.id)).toEqual([]);
});

/** Where the Share dialog's parts sit, relative to the dialog, in whole pixels; and whether each fits inside it. */
async function shareDialogLayout(dialog: Locator): Promise<unknown> {
	return dialog.evaluate((el) => {
		const box = el.getBoundingClientRect();
		const parts = [...el.querySelectorAll('h2, legend, label, .hint, button')].map((part) => {
			const r = part.getBoundingClientRect();
			return {
				text: part.textContent?.trim().slice(0, 30),
				left: Math.round(r.left - box.left),
				top: Math.round(r.top - box.top),
				width: Math.round(r.width),
				inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
			};
		});
		return { width: Math.round(box.width), onScreen: box.left >= 0 && box.right <= window.innerWidth, textAlign: getComputedStyle(el).textAlign, parts };
	});
}

test('the Share and Rename dialogs look the same from the jobs list and the job page, at 375 px too', async ({ page, user }) => {
	const job = await submit(await clientFor(user), user.teamId, 'Dialog layout job');
	await waitForWorker(user.teamId);
	for (const width of [1280, 375]) {
		await page.setViewportSize({ width, height: 800 });
		const layouts: unknown[] = [];
		for (const path of ['/app/jobs', `/app/tools/${job.tool}?jobId=${job.id}`]) {
			await page.goto(path);
			await (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Share' }).click();
			const dialog = page.getByRole('dialog', { name: `Share “${job.name}”` });
			await expect(dialog).toBeVisible();
			// Every option has its label, "Public" included, and the legend is whole.
			for (const option of ['Private', 'Logged-in users', 'Invited only', 'Public']) await expect(dialog.getByRole('radio', { name: option, exact: true })).toBeVisible();
			await expect(dialog.getByText('Public', { exact: true })).toBeInViewport({ ratio: 1 });
			const layout = await shareDialogLayout(dialog);
			expect(layout, `${path} at ${width} px`).toMatchObject({ onScreen: true, textAlign: 'start' });
			expect((layout as { parts: Array<{ inside: boolean; text: string }> }).parts.filter((p) => !p.inside), `${path} at ${width} px: parts outside the dialog`).toEqual([]);
			layouts.push(layout);
			await dialog.getByRole('button', { name: 'Close' }).click();
			await expect(dialog).toBeHidden();

			await (await openMenu(page, job.name)).getByRole('menuitem', { name: 'Rename' }).click();
			const rename = page.getByRole('dialog', { name: 'Rename job' });
			await expect(rename.getByLabel('Job name')).toBeVisible();
			layouts.push(await rename.evaluate((el) => ({ textAlign: getComputedStyle(el).textAlign, width: Math.round(el.getBoundingClientRect().width), whiteSpace: getComputedStyle(el).whiteSpace })));
			await rename.getByRole('button', { name: 'Cancel' }).click();
			await expect(rename).toBeHidden();
		}
		expect(layouts[2], `the Share dialog at ${width} px: the job page's layout`).toEqual(layouts[0]);
		expect(layouts[3], `the Rename dialog at ${width} px: the job page's layout`).toEqual(layouts[1]);
	}
});

test('at 375 px an open row menu is above the other rows, no column hides under the menu column, and every nav link is on screen', async ({ page, user }) => {
	const client = await clientFor(user);
	for (const name of ['Narrow one', 'Narrow two', 'Narrow three']) await submit(client, user.teamId, name);
	await waitForWorker(user.teamId);
	await page.setViewportSize({ width: 375, height: 800 });
	await page.goto('/app/jobs');
	await expect(rowOf(page, 'Narrow one')).toBeVisible();
	// The newest job is first: its menu opens over the rows below it.
	const menu = await openMenu(page, 'Narrow three');
	const covered = await menu.evaluate((el) =>
		[...el.querySelectorAll('[role="menuitem"]')].flatMap((item) => {
			const r = item.getBoundingClientRect();
			// The item's left part: other rows' ⋮ buttons sit at the right edge.
			const hit = document.elementFromPoint(r.right - 12, r.top + r.height / 2);
			return hit && item.contains(hit) ? [] : [`${item.textContent?.trim()} is covered by ${hit?.outerHTML.slice(0, 80)}`];
		})
	);
	expect(covered).toEqual([]);
	await page.keyboard.press('Escape');
	const overlaps = await page.locator('table tbody tr').evaluateAll((rows) =>
		rows.flatMap((row) => {
			const actions = row.querySelector('td.actions')!.getBoundingClientRect();
			return [...row.querySelectorAll('td:not(.actions)')].flatMap((cell, i) => {
				const r = cell.getBoundingClientRect();
				return r.right > actions.left + 0.5 && r.left < actions.right - 0.5 ? [`column ${i + 1} under the menu column`] : [];
			});
		})
	);
	expect(overlaps).toEqual([]);
	for (const link of await page.getByRole('navigation', { name: 'Main' }).getByRole('link').all()) await expect(link).toBeInViewport({ ratio: 1 });
});

test('lists the jobs other teams shared with me by email under "Shared with me", and no others', async ({ page, user }) => {
	const owner = await createUser({ name: 'Other Lab Owner' });
	const ownerClient = await clientFor(owner);
	const shared = await submit(ownerClient, owner.teamId, 'Shared lysozyme');
	const everyone = await submit(ownerClient, owner.teamId, 'Public but not shared');
	await sql(`update public.jobs set visibility = 'invited' where id = $1`, [shared.id]);
	await sql(`update public.jobs set visibility = 'public' where id = $1`, [everyone.id]);
	// An attached share, as after the invitee claimed it.
	await sql(`insert into public.job_shares (job_id, email, user_id, invited_by, accepted_at) values ($1, $2, $3, $4, now())`, [shared.id, user.email, user.id, owner.id]);

	await page.goto('/app/jobs');
	await expect(page.getByText('No jobs yet.')).toBeVisible();
	const section = page.getByRole('region', { name: 'Shared with me' });
	const table = section.getByRole('table', { name: 'Jobs shared with me' });
	await expect(table.getByRole('link', { name: 'Shared lysozyme' })).toBeVisible();
	await expect(table.getByRole('row')).toHaveCount(2);
	await expect(section.getByText('Public but not shared')).toHaveCount(0);
	await expect(section.getByText('Other Lab Owner')).toHaveCount(0);
	await table.getByRole('link', { name: 'Shared lysozyme' }).click();
	const job = page.getByRole('article', { name: 'Shared lysozyme' });
	await expect(job).toBeVisible();
	expect(await new AxeBuilder({ page }).include('main').analyze().then((r) => r.violations)).toEqual([]);
	// An invitee may export the job and pass its link on; nothing that changes or re-runs it is offered.
	await waitForWorker(owner.teamId);
	await page.reload();
	const menu = await openJobMenu(page, 'Shared lysozyme');
	expect((await menu.getByRole('menuitem').allTextContents()).map((s) => s.trim())).toEqual(['Download CSV', 'Download JSON', 'Download archive (ZIP)', 'Copy link', 'Open in new tab']);
	const [download] = await Promise.all([page.waitForEvent('download'), menu.getByRole('menuitem', { name: 'Download JSON' }).click()]);
	const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as { job: { name: string }; results: unknown };
	expect(exported.job.name).toBe('Shared lysozyme');
	expect(exported.results).not.toBeNull();
});
