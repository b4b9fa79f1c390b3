// Paying, cancelling, retrying and getting credits, as a scientist meets
// them: the tool form says before Run when no worker can run the tool now;
// cancelling says (and does) what happens to the credits; Retry asks with
// the price and names the new job "… (retry 2)"; a failed job offers Edit
// and run again with the input that failed; the jobs list shows refunds;
// the credits page asks the operators for credits, and an operator's grant
// (npm run credits) appears in the history with its reason. The e2e stack
// runs a CPU worker and no GPU worker, so GPU jobs wait, pending.
import { execFile } from 'node:child_process';
import type { Page } from '@playwright/test';
import { waitForMailAt } from '../helpers/mail-inbox.ts';
import { e2eInfo } from './env.ts';
import { clientFor, createUser, expect, newContext, openJobMenu, signIn, sql, submitJob, test } from './fixtures.ts';

const HP35 = { tool: 'structure-prediction', input: { sequences: [{ id: 'hp35', sequence: 'LSDEDFKAVFGMTRSAFANLPLWKQQNLKKEKGLF' }] } };
const OPERATORS = 'operators@foldwork.local';

const headerBalance = (page: Page) => page.getByRole('banner').getByRole('link', { name: /credits?$/ });
const rowOf = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

async function ledgerOf(jobId: string): Promise<string[]> {
	return (await sql<{ reason: string }>('select reason from public.credit_ledger where job_id = $1 order by id', [jobId])).map((r) => r.reason);
}

/** Loads the form's first example; a click before hydration does nothing, so it clicks until the box fills. */
async function loadFirstExample(page: Page): Promise<void> {
	const box = page.locator('form textarea').first();
	await expect(async () => {
		if ((await box.inputValue()) === '') await page.getByRole('group', { name: 'Load an example' }).getByRole('button').first().click();
		await expect(box).not.toHaveValue('', { timeout: 1_000 });
	}).toPass({ timeout: 15_000 });
}

test.describe.configure({ timeout: 90_000 });

test('the form says before Run when no live worker can run the tool, from the fleet /status shows', async ({ page }) => {
	await page.goto('/app/tools/structure-prediction');
	await loadFirstExample(page);
	const notice = page.getByRole('note').filter({ hasText: 'worker' });
	await expect(notice).toHaveText('No GPU worker is online now: a job waits until a GPU worker is online; you can cancel it for a full refund until it starts.');
	await expect(page.getByRole('button', { name: 'Run', exact: true })).toHaveAttribute('aria-describedby', /run-wait/);
	// The same fleet on /status.
	await page.goto('/status');
	await expect(page.getByText(/GPU workers/).first()).toBeVisible();
	// A CPU tool the stack's CPU worker runs: nothing to say.
	await page.goto('/app/tools/protein-properties');
	await loadFirstExample(page);
	await expect(page.getByRole('status', { name: /^Cost/ })).toHaveText('Free');
	await expect(page.getByRole('note').filter({ hasText: 'worker' })).toHaveCount(0);
});

test('cancelling a job that never started refunds it, and the list shows "5 → refunded"', async ({ page, user }) => {
	const jobId = await submitJob(user, 'Fold that waits', HP35);
	await page.goto('/app/jobs');
	const row = rowOf(page, 'Fold that waits');
	await expect(row.getByRole('cell', { name: '5 credits' })).toBeVisible();
	await expect(headerBalance(page)).toHaveText('95 credits');
	await (await openJobMenu(page, 'Fold that waits')).getByRole('menuitem', { name: 'Cancel job' }).click();
	const dialog = page.getByRole('dialog', { name: 'Cancel “Fold that waits”?' });
	await expect(dialog).toContainText('It has not started yet, so its 5 credits will be refunded to the team.');
	await dialog.getByRole('button', { name: 'Cancel job' }).click();
	await expect(row.getByText('Cancelled')).toBeVisible();
	await expect(row.getByRole('cell', { name: '5 → refunded' })).toBeVisible();
	await expect(headerBalance(page)).toHaveText('100 credits');
	expect(await ledgerOf(jobId)).toEqual(['charge', 'refund']);
	// Its page says so too.
	await page.goto(`/app/tools/structure-prediction?jobId=${jobId}`);
	await expect(page.getByText('This job was cancelled before it ran; the 5 credits it cost were refunded.')).toBeVisible();
});

test('cancelling a running job says, before and after, that it is not refunded', async ({ page, user }) => {
	const jobId = await submitJob(user, 'Fold that runs', HP35);
	// A GPU worker has started it (its heartbeat fresh for the length of the test, so the fleet's reaper leaves it be).
	await sql(`begin;
		update public.jobs set status = 'queued' where id = '${jobId}';
		update public.jobs set status = 'processing', heartbeat_at = now() + interval '1 hour' where id = '${jobId}';
		commit;`);
	await page.goto(`/app/tools/structure-prediction?jobId=${jobId}`);
	await (await openJobMenu(page, 'Fold that runs')).getByRole('menuitem', { name: 'Cancel job' }).click();
	const dialog = page.getByRole('dialog', { name: 'Cancel “Fold that runs”?' });
	await expect(dialog).toContainText('It is running: the compute is already spent, so its 5 credits are not refunded.');
	await dialog.getByRole('button', { name: 'Cancel job' }).click();
	await expect(page.getByText('This job was cancelled while it ran, so the 5 credits it cost were not refunded.')).toBeVisible();
	await expect(headerBalance(page)).toHaveText('95 credits');
	expect(await ledgerOf(jobId)).toEqual(['charge']);
});

test('Retry asks first, with the new job\'s name and price, then charges it', async ({ page, user }) => {
	const jobId = await submitJob(user, 'Fold again', HP35);
	await (await clientFor(user)).rpc('cancel_job', { job_id: jobId }); // refunded: 100
	await page.goto('/app/jobs');
	await (await openJobMenu(page, 'Fold again')).getByRole('menuitem', { name: 'Retry' }).click();
	const dialog = page.getByRole('dialog', { name: 'Run “Fold again” again?' });
	await expect(dialog).toContainText('The same input and settings run as a new job, “Fold again (retry 2)”, which costs 5 credits. Your team has 100 credits.');
	// Not now: nothing is charged.
	await dialog.getByRole('button', { name: 'Not now' }).click();
	await expect(dialog).toBeHidden();
	expect((await sql('select id from public.jobs where retry_of = $1', [jobId])).length).toBe(0);
	await (await openJobMenu(page, 'Fold again')).getByRole('menuitem', { name: 'Retry' }).click();
	await dialog.getByRole('button', { name: 'Retry for 5 credits' }).click();
	await expect(page).toHaveURL(/\/app\/tools\/structure-prediction\?jobId=[0-9a-f-]{36}$/);
	await expect(page.getByRole('heading', { name: 'Fold again (retry 2)' })).toBeVisible();
	await expect(headerBalance(page)).toHaveText('95 credits');
});

test('a failed job offers Edit and run again, with the input that failed and why', async ({ page, user }) => {
	const jobId = await submitJob(user, 'Ambiguous residues', { input: { sequences: [{ id: 'bad', sequence: 'MKTJJJ' }] } });
	await expect.poll(async () => (await sql<{ status: string }>('select status from public.jobs where id = $1', [jobId]))[0].status, { timeout: 30_000 }).toBe('failed');
	await page.goto(`/app/tools/protein-properties?jobId=${jobId}`);
	const edit = page.getByRole('alert').getByRole('link', { name: 'Edit and run again' });
	await expect(edit).toHaveAttribute('href', `/app/tools/protein-properties?duplicate=${jobId}`);
	await edit.click();
	await expect(page).toHaveURL(`/app/tools/protein-properties?duplicate=${jobId}`);
	await expect(page.getByRole('status').filter({ hasText: 'Editing the input of' })).toContainText('Editing the input of Ambiguous residues, which failed');
	const box = page.getByLabel('Protein sequences (FASTA)');
	await expect(box).toHaveValue(/MKTJJJ/);
	// The input that failed is checked like typed input: the problem shows beside it at once.
	await expect(page.getByText("'J' is an ambiguous residue").first()).toBeVisible();
	await expect(page.getByRole('textbox', { name: 'Job name' })).toHaveValue('Ambiguous residues (edited)');
	await box.fill('>fixed\nMKTAYIAKQR');
	await page.getByRole('button', { name: 'Run', exact: true }).click();
	await expect(page).toHaveURL(/\?jobId=[0-9a-f-]{36}$/);
	await expect(page.getByRole('heading', { name: 'Ambiguous residues (edited)' })).toBeVisible();
	// The jobs list's menu offers the same.
	await page.goto('/app/jobs');
	await (await openJobMenu(page, 'Ambiguous residues')).getByRole('menuitem', { name: 'Edit and run again' }).click();
	await expect(page).toHaveURL(`/app/tools/protein-properties?duplicate=${jobId}`);
});

test('Request credits emails the operators, once an hour; an operator\'s grant shows in the history with its reason', async ({ page, user }) => {
	const amount = 300 + Math.floor(Math.random() * 9000);
	await page.goto('/app/credits');
	await page.getByRole('button', { name: 'Request credits' }).click();
	await page.getByLabel('Credits to ask for').fill(String(amount));
	await page.getByLabel(/What they are for/).fill('Kinase screen for the grant renewal');
	await page.getByRole('button', { name: 'Send the request' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Asked the operators' })).toHaveText(
		`Asked the operators for ${amount.toLocaleString('en')} credits. They get back to you by email; granted credits appear in the history below.`
	);
	await expect(page.getByRole('listitem').filter({ hasText: `asked for ${amount.toLocaleString('en')} credits` })).toContainText('Kinase screen for the grant renewal');
	const mail = await waitForMailAt(e2eInfo().mailUrl, OPERATORS, { subject: new RegExp(`asks for ${amount} credits`), timeoutMs: 15_000 });
	expect(mail.text).toContain(`${user.email} asks for ${amount} credits for the team "${user.email.split('@')[0]}'s workspace" (${user.teamId}) on Foldwork.`);
	expect(mail.text).toContain(`npm run credits -- grant ${user.teamId} ${amount} --reason "…"`);

	// Asking again within the hour is refused, saying when.
	await page.getByRole('button', { name: 'Request credits' }).click();
	await page.getByLabel('Credits to ask for').fill('50');
	await page.getByRole('button', { name: 'Send the request' }).click();
	await expect(page.getByRole('alert')).toContainText('Your team asked for credits less than an hour ago; you can ask again after');

	// An operator grants, as the command line does it.
	const granted = await new Promise<string>((resolve, reject) =>
		execFile('npm', ['run', 'credits', '--', 'grant', user.teamId, '250', '--reason', 'Kinase screen, approved'], { env: { ...process.env, DATABASE_URL: e2eInfo().databaseUrl } }, (error, stdout) =>
			error ? reject(error) : resolve(stdout)
		)
	);
	expect(granted).toContain(`Granted 250 credits to "${user.email.split('@')[0]}'s workspace"`);
	await page.goto('/app/credits');
	await expect(page.getByRole('region', { name: `Balance of ${user.email.split('@')[0]}'s workspace` }).getByText('350')).toBeVisible();
	const grant = page.getByRole('row').filter({ hasText: 'Kinase screen, approved' });
	await expect(grant).toContainText('Grant');
	await expect(grant).toContainText('+250');
	await expect(grant).toContainText('Foldwork');
});

test('a team viewer cannot request credits', async ({ browser, user }) => {
	const viewer = await createUser();
	await sql(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'viewer')`, [user.teamId, viewer.id]);
	const context = await newContext(browser);
	try {
		await signIn(context, viewer);
		await context.addCookies([{ name: 'foldwork_team', value: user.teamId, url: e2eInfo().webUrl, httpOnly: true, sameSite: 'Lax' }]);
		const page = await context.newPage();
		await page.goto('/app/credits');
		await expect(page.getByText(`Ask an owner or admin of ${user.email.split('@')[0]}'s workspace to request credits.`)).toBeVisible();
		await expect(page.getByRole('button', { name: 'Request credits' })).toHaveCount(0);
	} finally {
		await context.close();
	}
});
