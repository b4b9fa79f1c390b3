// Tool pages: the catalog, the generated form with its checks and cost,
// running free and paid tools against the real worker, credits (charge,
// refund, too few), viewers, History, ?jobId= and Duplicate, and job links
// opened by visitors outside the team or without a session.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { anonymousTest, clientFor, createUser, expect, signIn, sql, submitJob, test, type TestUser } from './fixtures.ts';
import { e2eInfo } from './env.ts';

const INSULIN_A = 'GIVEQCCTSICSLYQLENYCN';
const JOB_URL = /\/app\/tools\/[a-z-]+\?jobId=([0-9a-f-]{36})$/;

async function jobStatus(jobId: string): Promise<string | undefined> {
	const [row] = await sql<{ status: string }>('select status from public.jobs where id = $1', [jobId]);
	return row?.status;
}

async function setVisibility(user: TestUser, jobId: string, visibility: string): Promise<void> {
	const { error } = await (await clientFor(user)).rpc('set_job_visibility', { job_id: jobId, visibility });
	if (error) throw error;
}

const insulin = { input: { sequences: [{ id: 'INS_A', sequence: INSULIN_A }] } };

const runButton = (page: Page) => page.getByRole('button', { name: 'Run', exact: true });
const costBadge = (page: Page) => page.getByRole('status', { name: /^Cost/ });
const headerBalance = (page: Page) => page.getByRole('banner').getByRole('link', { name: /credits?$/ });
/** Loads the tool's first example; a click before the page has hydrated does nothing, so it clicks until the form changes. */
async function loadFirstExample(page: Page): Promise<void> {
	const box = page.locator('form textarea').first();
	const before = await box.inputValue();
	await expect(async () => {
		if ((await box.inputValue()) === before) await page.getByRole('group', { name: 'Load an example' }).getByRole('button').first().click();
		await expect(box).not.toHaveValue(before, { timeout: 1_000 });
	}).toPass({ timeout: 15_000 });
}

test('lists the enabled tools by category with pricing and compute class', async ({ page }) => {
	await page.goto('/app/tools');
	const sequence = page.getByRole('region', { name: 'Sequence analysis' });
	await expect(sequence.getByRole('link', { name: 'Protein properties' })).toBeVisible();
	const alignment = page.getByRole('region', { name: 'Alignment' });
	await expect(alignment.getByText('1 credit per aligned pair')).toBeVisible();
	await expect(alignment.getByText('CPU', { exact: true })).toBeVisible();
	const prediction = page.getByRole('region', { name: 'Structure prediction' });
	await expect(prediction.getByRole('link', { name: 'Structure prediction (ESMFold)' })).toBeVisible();
	await expect(prediction.getByText('GPU', { exact: true }).first()).toBeVisible();
	await page.getByRole('link', { name: 'Protein properties' }).click();
	await expect(page).toHaveURL(/\/app\/tools\/protein-properties$/);
	await expect(page.getByRole('heading', { level: 1, name: 'Protein properties' })).toBeVisible();
});

test('runs a free tool with its example and follows it to Completed without a reload', async ({ page }) => {
	await page.goto('/app/tools/protein-properties');
	await expect(runButton(page)).toBeDisabled();
	await expect(costBadge(page)).toHaveText('Free');
	await loadFirstExample(page);
	await expect(page.getByLabel('Protein sequences (FASTA)')).toHaveValue(/^>INS_A/);
	await expect(runButton(page)).toBeEnabled();
	await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
	await runButton(page).click();
	await expect(page).toHaveURL(JOB_URL);
	await expect(page.getByText('Completed', { exact: true }).first()).toBeVisible({ timeout: 30_000 });
	expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
	const jobId = JOB_URL.exec(page.url())![1];
	expect(await jobStatus(jobId)).toBe('completed');
	const [job] = await sql<{ name: string; credits_charged: number }>('select name, credits_charged from public.jobs where id = $1', [jobId]);
	expect(job).toEqual({ name: 'Protein properties: INS_A + 2 more', credits_charged: 0 });
});

test('runs a paid tool: the badge shows the exact cost and the balance drops by it', async ({ page }) => {
	await page.goto('/app/tools/pairwise-alignment');
	await expect(headerBalance(page)).toHaveText('100 credits');
	await loadFirstExample(page);
	await expect(page.getByLabel('Query', { exact: true })).toHaveValue(/^>INS_HUMAN_B/);
	// One query against two targets: two aligned pairs, a credit each.
	await expect(costBadge(page)).toHaveText('2 credits');
	await expect(costBadge(page)).toHaveAttribute('title', 'Balance: 100 credits');
	await page.getByLabel('Job name').fill('Insulin pairs');
	await runButton(page).click();
	await expect(page).toHaveURL(JOB_URL);
	await expect(headerBalance(page)).toHaveText('98 credits');
	await expect(page.getByText('Completed', { exact: true }).first()).toBeVisible({ timeout: 30_000 });
	const jobId = JOB_URL.exec(page.url())![1];
	const [job] = await sql<{ name: string; credits_charged: number }>('select name, credits_charged from public.jobs where id = $1', [jobId]);
	expect(job).toEqual({ name: 'Insulin pairs', credits_charged: 2 });
});

test('the cost badge shows a dash, not "…", while the input cannot be priced', async ({ page }) => {
	await page.goto('/app/tools/pairwise-alignment');
	await loadFirstExample(page);
	await expect(costBadge(page)).toHaveText('2 credits');
	await page.getByLabel('Query', { exact: true }).fill('>not a protein\n12345');
	await expect(costBadge(page)).toHaveText('—');
	await expect(runButton(page)).toBeDisabled();
});

test('a paid job the worker rejects is refunded', async ({ page, user }) => {
	// The database only checks the input's envelope; the worker finds the SMILES unreadable.
	const jobId = await submitJob(user, 'Unclosed ring', { tool: 'molecule-properties', input: { molecules: [{ id: 'broken', smiles: 'C1CC' }] } });
	await expect.poll(() => jobStatus(jobId), { timeout: 30_000 }).toBe('failed');
	await page.goto(`/app/tools/molecule-properties?jobId=${jobId}`);
	await expect(page.getByText('Failed', { exact: true }).first()).toBeVisible();
	await expect(page.getByText(/broken/).first()).toBeVisible();
	await expect(headerBalance(page)).toHaveText('100 credits');
	const ledger = await sql<{ reason: string; delta: number }>('select reason, delta from public.credit_ledger where job_id = $1 order by id', [jobId]);
	expect(ledger).toEqual([
		{ reason: 'charge', delta: -1 },
		{ reason: 'refund', delta: 1 }
	]);
});

test('the refund of a job that fails while its page is open reaches the balance without a reload', async ({ page, user }) => {
	// No GPU worker runs in this stack: the structure-prediction job waits, charged (5 credits), until it is moved on.
	const jobId = await submitJob(user, 'Doomed fold', { tool: 'structure-prediction', input: { sequences: [{ id: 'hp35', sequence: 'LSDEDFKAVFGMTRSAFANLPLWKQQNLKKEKGLF' }] } });
	await page.goto(`/app/tools/structure-prediction?jobId=${jobId}`);
	await expect(headerBalance(page)).toHaveText('95 credits');
	// What a GPU worker's failure does in the database; the refund is the database's own trigger.
	// One transaction, so the fleet's reaper never sees a processing job without a worker.
	await sql(`begin;
		update public.jobs set status = 'queued' where id = '${jobId}';
		update public.jobs set status = 'processing' where id = '${jobId}';
		update public.jobs set status = 'failed', error_message = 'the model server refused the sequence' where id = '${jobId}';
		commit;`);
	await expect(page.getByText('the model server refused the sequence').first()).toBeVisible();
	await expect(headerBalance(page)).toHaveText('100 credits');
});

test('checks molecules with RDKit in the browser and prices them per molecule', async ({ page }) => {
	await page.goto('/app/tools/molecule-properties');
	await page.getByLabel('Molecules (SMILES or SDF)').fill('CCO ethanol\nC1CC broken\n');
	await expect(page.getByText(/record 'broken': invalid SMILES/)).toBeVisible({ timeout: 20_000 });
	await expect(runButton(page)).toBeDisabled();
	await loadFirstExample(page);
	await expect(costBadge(page)).toHaveText('4 credits');
	await expect(runButton(page)).toBeEnabled();
});

test('reads uploaded files in the browser and refuses one over the tool’s limit', async ({ page }) => {
	await page.goto('/app/tools/gpu-selftest');
	const upload = page.getByLabel('Upload FASTA files');
	await upload.setInputFiles({ name: 'insulin.fasta', mimeType: 'text/plain', buffer: Buffer.from(`>INS_A\n${INSULIN_A}\n`) });
	await expect(page.getByRole('list', { name: 'Files to run' }).getByText('insulin.fasta', { exact: true })).toBeVisible();
	await expect(runButton(page)).toBeEnabled();
	await expect(page.getByLabel('Job name')).toHaveAttribute('placeholder', 'GPU self-test: INS_A');

	await upload.setInputFiles({ name: 'huge.fasta', mimeType: 'text/plain', buffer: Buffer.alloc(1536 * 1024, 'A') });
	await expect(page.getByText('huge.fasta is 1.5 MiB; GPU self-test accepts at most 1 MiB of input.')).toBeVisible();
	await expect(page.getByRole('list', { name: 'Files to run' }).getByText('huge.fasta', { exact: true })).toHaveCount(0);
	await page.getByRole('button', { name: 'Remove insulin.fasta' }).click();
	await expect(page.getByRole('list', { name: 'Files to run' })).toHaveCount(0);
	await expect(runButton(page)).toBeDisabled();
});

test('Run is disabled, saying why, when the team has too few credits', async ({ page, user }) => {
	await sql(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, -99, 'adjustment', 'e2e: leave one credit')`, [user.teamId]);
	await page.goto('/app/tools/pairwise-alignment');
	await loadFirstExample(page);
	await expect(costBadge(page)).toHaveText('2 credits');
	await expect(page.getByText('Not enough credits: this run costs 2, your team has 1.')).toBeVisible();
	await expect(runButton(page)).toBeDisabled();
	// One target costs one credit: enough.
	await page.getByLabel('Targets', { exact: true }).fill('>INS_BOVIN_B\nFVNQHLCGSHLVEALYLVCGERGFFYTPKA\n');
	await expect(costBadge(page)).toHaveText('1 credit');
	await expect(runButton(page)).toBeEnabled();
});

test('bad input shows the problem beside the box and submits nothing', async ({ page, user }) => {
	await page.goto('/app/tools/protein-properties');
	const box = page.getByLabel('Protein sequences (FASTA)');
	await box.fill('>good\nMKV\n>bad\nMKJV\n');
	await expect(page.getByText(/record 'bad', position 3: 'J'/)).toBeVisible();
	await expect(box).toHaveAttribute('aria-invalid', 'true');
	await expect(runButton(page)).toBeDisabled();
	await expect(page.getByText('Fix the input problems shown above.')).toBeVisible();
	// Enter in a text field submits the form: it must check again and refuse.
	await page.getByLabel('Job name').fill('Should not exist');
	await page.getByLabel('Job name').press('Enter');
	await expect(page.getByText(/record 'bad', position 3: 'J'/)).toBeVisible();
	const [{ count }] = await sql<{ count: string }>('select count(*) from public.jobs where team_id = $1', [user.teamId]);
	expect(Number(count)).toBe(0);
	await expect(page).not.toHaveURL(/jobId=/);

	// A setting out of range is named beside its field.
	await box.fill('>good\nMKV\n');
	await page.getByLabel('Hydropathy window (residues)').fill('8');
	await expect(page.getByText('the window must be odd')).toBeVisible();
	await expect(runButton(page)).toBeDisabled();
});

test('docking refuses, beside the box and before anything is charged, ligands without carbon or with elements Vina cannot type', async ({ page, user }) => {
	await page.goto('/app/tools/docking');
	await loadFirstExample(page);
	await expect(runButton(page)).toBeEnabled({ timeout: 20_000 });
	const ligands = page.getByRole('textbox', { name: 'Ligands (SMILES or SDF)' });
	await ligands.fill('[U] uranium\nOB(O)c1ccccc1 phenylboronic acid\nc1ccccc1O phenol\n');
	// RDKit reads each ligand in the browser's RDKit worker; the problems name the ligand and the element.
	await expect(page.getByText("ligand 'uranium': it has no carbon (only U)", { exact: false })).toBeVisible({ timeout: 20_000 });
	await expect(page.getByText("ligand 'phenylboronic acid': AutoDock Vina has no atom type for B", { exact: false })).toBeVisible();
	await expect(ligands).toHaveAttribute('aria-invalid', 'true');
	await expect(runButton(page)).toBeDisabled();
	// Enter in a text field submits the form: it checks again and refuses.
	await page.getByLabel('Job name').fill('Should not dock');
	await page.getByLabel('Job name').press('Enter');
	await expect(page.getByText("ligand 'uranium': it has no carbon (only U)", { exact: false })).toBeVisible();
	await expect(page).not.toHaveURL(/jobId=/);
	const [{ count }] = await sql<{ count: string }>('select count(*) from public.jobs where team_id = $1', [user.teamId]);
	expect(Number(count)).toBe(0);
	await expect(headerBalance(page)).toHaveText('100 credits');
	// A garbage molblock is the input's fault, with RDKit's reason.
	await ligands.fill('garbage\n\n\n  0  0  0  0  0  0  0  0  0  0 V3000\nM  V30 COUNTS 2 0 0 0 0\nM  V30 END CTAB\nM  END\n$$$$\n');
	await expect(page.getByText("ligand 'garbage': RDKit cannot read this SDF record: RDKit read no atoms from it", { exact: false })).toBeVisible({ timeout: 20_000 });
	await expect(runButton(page)).toBeDisabled();
});

test('the tool page fits a 375 px screen and has no serious accessibility problems', async ({ page, user }) => {
	// axe walks the whole job view (results, plots): slow on a shared two-core machine.
	test.setTimeout(120_000);
	const jobId = await submitJob(user, 'Small screen job', insulin);
	await page.setViewportSize({ width: 375, height: 800 });
	await page.goto(`/app/tools/protein-properties?jobId=${jobId}`);
	await loadFirstExample(page);
	await expect(runButton(page)).toBeEnabled();
	await page.getByRole('button', { name: 'History' }).click();
	await expect(page.getByRole('region', { name: /History/ }).getByRole('link', { name: /Small screen job/ })).toBeVisible();
	const main = page.locator('main');
	expect(await main.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
	const { violations } = await new AxeBuilder({ page }).include('main').analyze();
	expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);
});

test('a team viewer sees the form read-only and no Run', async ({ page, user }) => {
	const owner = await createUser();
	const ownerClient = await clientFor(owner);
	const { data: team, error } = await ownerClient.rpc('create_team', { name: 'Viewing lab' });
	if (error) throw error;
	const teamId = (team as { id: string }).id;
	const { data: invite, error: inviteError } = await ownerClient.rpc('invite_team_member', { team_id: teamId, email: user.email, role: 'viewer' });
	if (inviteError) throw inviteError;
	const { error: acceptError } = await (await clientFor(user)).rpc('accept_team_invite', { invite_id: (invite as { id: string }).id });
	if (acceptError) throw acceptError;
	await page.context().addCookies([{ name: 'foldwork_team', value: teamId, url: e2eInfo().webUrl }]);

	await page.goto('/app/tools/protein-properties');
	await expect(page.getByText(/You are a viewer in Viewing lab: viewers can look at jobs but cannot run tools/)).toBeVisible();
	await expect(page.getByLabel('Protein sequences (FASTA)')).toBeDisabled();
	await expect(runButton(page)).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'History' })).toBeVisible();
});

test('?jobId= opens that job, and History lists only this tool’s jobs', async ({ page, user }) => {
	const proteinId = await submitJob(user, 'Protein history job', insulin);
	await submitJob(user, 'Sequence history job', { tool: 'sequence-tools', input: { sequences: [{ id: 'cds', sequence: 'ATGGCTAGCAAATAA' }] } });

	await page.goto(`/app/tools/protein-properties?jobId=${proteinId}`);
	await expect(page.getByText('Protein history job').first()).toBeVisible();

	await page.goto('/app/tools/protein-properties');
	await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
	const history = page.getByRole('button', { name: 'History' });
	await history.click();
	await expect(history).toHaveAttribute('aria-expanded', 'true');
	const panel = page.getByRole('region', { name: /History/ });
	await expect(panel.getByRole('link', { name: /Protein history job/ })).toBeVisible();
	await expect(panel.getByText('Sequence history job')).toHaveCount(0);
	await panel.getByRole('link', { name: /Protein history job/ }).click();
	await expect(page).toHaveURL(new RegExp(`\\?jobId=${proteinId}$`));
	await expect(page.getByRole('region', { name: 'Job' }).getByText('Protein history job').first()).toBeVisible();
	expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);

	// A job of another tool, linked under this one, opens under its own tool.
	const [other] = await sql<{ id: string }>(`select id from public.jobs where team_id = $1 and tool_id = 'sequence-tools'`, [user.teamId]);
	await page.goto(`/app/tools/protein-properties?jobId=${other.id}`);
	await expect(page).toHaveURL(new RegExp(`/app/tools/sequence-tools\\?jobId=${other.id}$`));
});

test('Duplicate opens the form prefilled and runs a new job with the changed settings', async ({ page, user }) => {
	const sourceId = await submitJob(user, 'Insulin at pH 7', { ...insulin, settings: { pH: 7 } });
	await expect.poll(() => jobStatus(sourceId), { timeout: 30_000 }).toBe('completed');

	await page.goto(`/app/tools/protein-properties?duplicate=${sourceId}`);
	await expect(page.getByText(/Duplicating Insulin at pH 7/)).toBeVisible();
	await expect(page.getByLabel('Protein sequences (FASTA)')).toHaveValue(`>INS_A\n${INSULIN_A}\n`);
	await expect(page.getByLabel('Job name')).toHaveValue('Insulin at pH 7 (copy)');
	await expect(page.getByLabel('pH', { exact: true })).toHaveValue('7');
	await page.getByLabel('pH', { exact: true }).fill('5');
	await page.getByLabel('Job name').fill('Insulin at pH 5');
	await expect(costBadge(page)).toHaveText('Free');
	await runButton(page).click();
	await expect(page).toHaveURL(JOB_URL);
	const newId = JOB_URL.exec(page.url())![1];
	expect(newId).not.toBe(sourceId);
	const [job] = await sql<{ name: string; duplicated_from: string; ph: number; same_input: boolean }>(
		`select j.name, j.duplicated_from, (j.settings ->> 'pH')::float as ph, j.input = s.input as same_input
		 from public.jobs j join public.jobs s on s.id = j.duplicated_from where j.id = $1`,
		[newId]
	);
	expect(job).toEqual({ name: 'Insulin at pH 5', duplicated_from: sourceId, ph: 5, same_input: true });
});

test('a signed-in visitor outside the team sees a shared job read-only', async ({ page }) => {
	const owner = await createUser();
	const jobId = await submitJob(owner, 'Shared with signed-in users', insulin);
	await setVisibility(owner, jobId, 'authenticated');
	await page.goto(`/app/tools/protein-properties?jobId=${jobId}`);
	await expect(page.getByText('Shared with signed-in users').first()).toBeVisible();
	await expect(runButton(page)).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'History' })).toHaveCount(0);
	await expect(page.getByLabel('Protein sequences (FASTA)')).toHaveCount(0);
});

anonymousTest('an anonymous visitor opens a public job read-only and is sent to sign in for a signed-in-only job', async ({ page, context }) => {
	const owner = await createUser();
	const publicId = await submitJob(owner, 'Public insulin', insulin);
	await setVisibility(owner, publicId, 'public');
	const signedInOnlyId = await submitJob(owner, 'Members and signed-in users', insulin);
	await setVisibility(owner, signedInOnlyId, 'authenticated');

	await page.goto(`/app/tools/protein-properties?jobId=${publicId}`);
	await expect(page.getByText('Public insulin').first()).toBeVisible();
	await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
	await expect(runButton(page)).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'History' })).toHaveCount(0);
	await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);

	// Only job links are open: the tool page itself still needs a session.
	await page.goto('/app/tools/protein-properties');
	await expect(page).toHaveURL(/\/login\?next=/);

	const link = `/app/tools/protein-properties?jobId=${signedInOnlyId}`;
	await page.goto(link);
	await expect(page).toHaveURL(`${e2eInfo().webUrl}/login?reason=private-job&next=${encodeURIComponent(link)}`);
	// Signing in brings them back to the job.
	const visitor = await createUser();
	await signIn(context, visitor);
	await page.goto(link);
	await expect(page.getByText('Members and signed-in users').first()).toBeVisible();
});
