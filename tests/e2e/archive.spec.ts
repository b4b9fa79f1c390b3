// Provenance and archives in the browser, with the platform as `npm start`
// serves it (its real worker runs the jobs): the job page's Provenance
// section names the tool's version and the worker; the job menu's
// "Download archive (ZIP)" saves a ZIP that Python's zipfile reads, with
// the results and an RO-Crate meeting the Process Run Crate profile; the
// jobs page's form POST gets the same; and /app/archive refuses another
// team (404) and bad ids (400, saying what is wrong), and sends an
// anonymous visitor to sign in for anything but a public job's archive.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkProcessRunCrate } from '../helpers/process-run-crate.ts';
import { readZipWithPython } from '../helpers/unzip.ts';
import { e2eInfo } from './env.ts';
import { anonymousTest, clientFor, createUser, expect, openJobMenu, submitJob, test, waitForJob } from './fixtures.ts';
import { jobLink } from '../../src/lib/tools-ui/job-link.ts';

test('the job page shows what computed the job, and its menu downloads the job as an archive with RO-Crate metadata', async ({ page, user }) => {
	const jobId = await submitJob(user, 'Lysozyme for the archive');
	await waitForJob(jobId);
	await page.goto(jobLink('protein-properties', jobId));
	const provenance = page.getByRole('region', { name: 'Provenance' });
	await expect(provenance).toContainText('Protein properties 1.0.0');
	await expect(provenance).toContainText(/Foldwork worker \d+\.\d+\.\d+.*Node\.js v22/);

	const menu = await openJobMenu(page, 'Lysozyme for the archive');
	const [download] = await Promise.all([page.waitForEvent('download'), menu.getByRole('menuitem', { name: 'Download archive (ZIP)' }).click()]);
	expect(download.suggestedFilename()).toBe('Lysozyme-for-the-archive.zip');
	const dir = await mkdtemp(join(tmpdir(), 'foldwork-e2e-archive-'));
	try {
		const file = join(dir, 'archive.zip');
		await download.saveAs(file);
		const entries = await readZipWithPython(file);
		const names = entries.map((e) => e.name);
		expect(names).toEqual(expect.arrayContaining([`jobs/${jobId}/input.json`, `jobs/${jobId}/results.json`, `jobs/${jobId}/results.csv`, 'ro-crate-metadata.json']));
		const results = JSON.parse(entries.find((e) => e.name === `jobs/${jobId}/results.json`)!.text!);
		expect(results.job.provenance.tool).toEqual({ id: 'protein-properties', name: 'Protein properties', version: '1.0.0' });
		const crate = JSON.parse(entries.find((e) => e.name === 'ro-crate-metadata.json')!.text!);
		expect(checkProcessRunCrate(crate)).toEqual([]);
		expect(JSON.stringify(crate)).not.toContain(user.email);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
});

test('a selection POSTed as the jobs page sends it comes back as one archive; bad ids are refused with a reason', async ({ page, user }) => {
	const first = await submitJob(user, 'Selected one');
	const second = await submitJob(user, 'Selected two');
	await waitForJob(first);
	await waitForJob(second);
	const origin = e2eInfo().webUrl;
	const answer = await page.request.post('/app/archive', { form: { ids: `${first},${second}` }, headers: { origin } });
	expect(answer.status()).toBe(200);
	expect(answer.headers()['content-type']).toBe('application/zip');
	expect(answer.headers()['content-disposition']).toMatch(/foldwork-jobs-\d{4}-\d{2}-\d{2}\.zip/);
	const body = await answer.body();
	expect(body.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
	expect(body.includes(Buffer.from(`jobs/${second}/results.csv`))).toBe(true);

	const bad = await page.request.get('/app/archive?ids=not-a-job');
	expect(bad.status()).toBe(400);
	expect((await bad.json()).message).toBe('"not-a-job" is not a job id');
});

test('another team cannot archive a private job by its id', async ({ page, user }) => {
	const owner = await createUser();
	const secret = await submitJob(owner, 'Private to its team');
	await waitForJob(secret);
	const mine = await submitJob(user, 'Mine');
	await waitForJob(mine);
	const refused = await page.request.get(`/app/archive?ids=${mine},${secret}`);
	expect(refused.status()).toBe(404);
	expect((await refused.json()).message).toBe(`1 of these jobs do not exist or you cannot see them: ${secret}`);
	expect((await page.request.get(`/app/archive?ids=${secret}`)).status()).toBe(404);
});

anonymousTest('an anonymous visitor gets a public job\'s archive from its menu, and is sent to sign in for any other', async ({ page }) => {
	const owner = await createUser();
	const jobId = await submitJob(owner, 'Published for visitors');
	await waitForJob(jobId);
	// Private: the archive sends the visitor to sign in, as the job page does, and gives no byte of it.
	const refused = await page.request.get(`/app/archive?ids=${jobId}`, { maxRedirects: 0 });
	expect(refused.status()).toBe(303);
	expect(refused.headers().location).toMatch(/^\/login\?next=/);

	const { error } = await (await clientFor(owner)).rpc('set_job_visibility', { job_id: jobId, visibility: 'public' });
	expect(error).toBeNull();
	await page.goto(jobLink('protein-properties', jobId));
	const menu = await openJobMenu(page, 'Published for visitors');
	const [download] = await Promise.all([page.waitForEvent('download'), menu.getByRole('menuitem', { name: 'Download archive (ZIP)' }).click()]);
	const dir = await mkdtemp(join(tmpdir(), 'foldwork-e2e-archive-'));
	try {
		const file = join(dir, 'archive.zip');
		await download.saveAs(file);
		const entries = await readZipWithPython(file);
		expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining([`jobs/${jobId}/results.csv`, 'ro-crate-metadata.json']));
		expect(entries.some((e) => e.text?.includes(owner.email))).toBe(false);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
	// Several jobs at once are for signed-in people, even public ones.
	const several = await page.request.get(`/app/archive?ids=${jobId},${jobId}`, { maxRedirects: 0 });
	expect(several.status()).toBe(303);
	expect(several.headers().location).toMatch(/^\/login\?next=/);
});
