// Sharing a job from the job menu: Private, Logged-in users, Invited only
// and Public; what an anonymous visitor, another signed-in user and an
// invitee then see; invites by email with a Pending badge until the invitee
// opens the emailed link (the same for addresses with and without an
// account), which goes live when they do.
import type { Locator, Page } from '@playwright/test';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { waitForMailAt } from '../helpers/mail-inbox.ts';
import { e2eInfo } from './env.ts';
import { clientFor, createUser, expect, newContext, openJobMenu, signIn, sql, submitJob, test, uniqueEmail, waitForJob, type TestUser } from './fixtures.ts';

async function submitCompleted(user: TestUser, name: string): Promise<{ id: string; name: string; link: string }> {
	const id = await submitJob(user, name);
	await waitForJob(id);
	return { id, name, link: `/app/tools/protein-properties?jobId=${id}` };
}

async function openShareDialog(page: Page, jobName: string): Promise<Locator> {
	await (await openJobMenu(page, jobName)).getByRole('menuitem', { name: 'Share' }).click();
	const dialog = page.getByRole('dialog', { name: `Share “${jobName}”` });
	await expect(dialog).toBeVisible();
	return dialog;
}

async function chooseAndSave(dialog: Locator, visibility: 'Private' | 'Logged-in users' | 'Invited only' | 'Public'): Promise<void> {
	await dialog.getByRole('radio', { name: visibility, exact: true }).check();
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog.getByRole('status')).toHaveText(`Saved: ${visibility}.`);
}

/** The job as `client` opens it by its link (public.get_job: other teams' jobs are read by id only): [{id, name}], or [] when it may not. */
async function openByLink(client: SupabaseClient, jobId: string): Promise<unknown[]> {
	const { data, error } = await client.rpc('get_job', { job_id: jobId, with_content: false });
	if (error) throw error;
	const job = (data as { job: { id: string; name: string } } | null)?.job;
	return job ? [{ id: job.id, name: job.name }] : [];
}

/** What an anonymous visitor with the link gets. */
async function anonymousRead(jobId: string): Promise<unknown[]> {
	const info = e2eInfo();
	return openByLink(createClient(info.apiUrl, info.anonKey, { auth: { persistSession: false, autoRefreshToken: false } }), jobId);
}

async function readAs(user: TestUser, jobId: string): Promise<unknown[]> {
	return openByLink(await clientFor(user), jobId);
}

// Each test walks several pages, contexts and API calls: room for a machine shared with other runs.
test.describe.configure({ timeout: 180_000 });

const visibilityOf = async (jobId: string) => (await sql(`select visibility from public.jobs where id = $1`, [jobId]))[0].visibility;

test('a public job opens for anonymous visitors, read-only; private again, it does not', async ({ page, user, browser }) => {
	const job = await submitCompleted(user, 'Public lysozyme');
	expect(await anonymousRead(job.id)).toEqual([]);
	await page.goto('/app/jobs');
	const dialog = await openShareDialog(page, job.name);
	await expect(dialog.getByRole('radio', { name: 'Private', exact: true })).toBeChecked();
	await chooseAndSave(dialog, 'Public');
	expect(await visibilityOf(job.id)).toBe('public');
	expect(await anonymousRead(job.id)).toEqual([{ id: job.id, name: job.name }]);

	const visitor = await newContext(browser);
	try {
		const anonPage = await visitor.newPage();
		await anonPage.goto(job.link);
		await expect(anonPage).toHaveURL(job.link);
		await expect(anonPage.getByText(job.name).first()).toBeVisible();
		// Read-only: nothing that changes the job is offered.
		for (const action of ['Rename', 'Delete', 'Share', 'Duplicate']) {
			await expect(anonPage.getByRole('menuitem', { name: action })).toHaveCount(0);
			await expect(anonPage.getByRole('button', { name: action, exact: true })).toHaveCount(0);
		}

		await chooseAndSave(dialog, 'Private');
		expect(await anonymousRead(job.id)).toEqual([]);
		await anonPage.goto(job.link);
		await expect(anonPage).toHaveURL(/\/login\?reason=private-job&next=/);
		await expect(anonPage.getByRole('note')).toContainText('This job is private to its team');
	} finally {
		await visitor.close();
	}
});

test('a logged-in-only job asks anonymous visitors to sign in and opens for anyone signed in', async ({ page, user, browser }) => {
	const job = await submitCompleted(user, 'For signed-in people');
	const outsider = await createUser();
	expect(await readAs(outsider, job.id)).toEqual([]);
	await page.goto('/app/jobs');
	await chooseAndSave(await openShareDialog(page, job.name), 'Logged-in users');
	expect(await visibilityOf(job.id)).toBe('authenticated');
	expect(await anonymousRead(job.id)).toEqual([]);
	expect(await readAs(outsider, job.id)).toEqual([{ id: job.id, name: job.name }]);

	const visitor = await newContext(browser);
	try {
		const anonPage = await visitor.newPage();
		await anonPage.goto(job.link);
		await expect(anonPage).toHaveURL(`/login?reason=private-job&next=${encodeURIComponent(job.link)}`);
		await expect(anonPage.getByRole('note')).toHaveText('This job is private to its team; sign in if you are a member, or if it was shared with you.');
		// A guessed id gets the same page: it tells nothing of whether such a job exists.
		const guessed = `/app/tools/protein-properties?jobId=${crypto.randomUUID()}`;
		await anonPage.goto(guessed);
		await expect(anonPage).toHaveURL(`/login?reason=private-job&next=${encodeURIComponent(guessed)}`);
		await expect(anonPage.getByRole('note')).toHaveText('This job is private to its team; sign in if you are a member, or if it was shared with you.');
		// Text in the address is never shown as the reason.
		await anonPage.goto('/login?reason=Your+account+is+locked');
		await expect(anonPage.getByRole('note')).toHaveCount(0);
	} finally {
		await visitor.close();
	}
});

test('invites people by email: several at once, checked, pending until opened whoever they are, removable', async ({ page, user, browser }) => {
	const job = await submitCompleted(user, 'Invite-only job');
	const existing = await createUser({ name: 'Existing Colleague' });
	const unknown = uniqueEmail('no-account');
	const outsider = await createUser();
	await page.goto('/app/jobs');
	const dialog = await openShareDialog(page, job.name);
	await dialog.getByRole('radio', { name: 'Invited only', exact: true }).check();
	const field = dialog.getByLabel('Invite people by email');
	await field.fill(`${unknown}, not-an-email; ${existing.email.toUpperCase()}`);
	await dialog.getByRole('button', { name: 'Add', exact: true }).click();
	// The bad one stays in the box with what is wrong beside it; the good ones move to the list.
	await expect(dialog.getByText('This is not an email address: not-an-email')).toBeVisible();
	await expect(field).toHaveValue('not-an-email');
	await expect(field).toHaveAttribute('aria-invalid', 'true');
	const invitee = (email: string) => dialog.getByRole('listitem').filter({ hasText: email });
	await expect(invitee(unknown)).toContainText('Not saved yet');
	await expect(invitee(existing.email)).toContainText('Not saved yet');
	// Saving with a bad address in the box saves nothing.
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog.getByText('This is not an email address: not-an-email')).toBeVisible();
	expect(await visibilityOf(job.id)).toBe('private');

	await field.fill('');
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog.getByRole('status')).toHaveText('Saved: Invited only.');
	// Pending for both: the dialog never tells who has an account.
	await expect(invitee(unknown).getByText('Pending')).toBeVisible();
	await expect(invitee(existing.email).getByText('Pending')).toBeVisible();
	await expect(dialog.getByText('Not saved yet')).toHaveCount(0);
	const shares = await sql<{ email: string; user_id: string | null }>(`select email, user_id from public.job_shares where job_id = $1 order by email`, [job.id]);
	expect(shares).toEqual(
		[
			{ email: existing.email, user_id: null },
			{ email: unknown, user_id: null }
		].sort((a, b) => a.email.localeCompare(b.email))
	);
	expect(await readAs(existing, job.id)).toEqual([]);

	// The existing colleague opens the emailed link, signed in: the job opens, and the owner's badge clears.
	const shared = await waitForMailAt(e2eInfo().mailUrl, existing.email, { subject: /shared "Invite-only job" with you/, timeoutMs: 30_000 });
	const colleague = await newContext(browser);
	try {
		await signIn(colleague, existing);
		const colleaguePage = await colleague.newPage();
		await colleaguePage.goto(shared.links[0]);
		await expect(colleaguePage).toHaveURL(job.link);
		await expect(colleaguePage.getByRole('heading', { name: job.name })).toBeVisible();
	} finally {
		await colleague.close();
	}
	await expect(invitee(existing.email).getByText('Pending')).toHaveCount(0);
	expect(await readAs(existing, job.id)).toEqual([{ id: job.id, name: job.name }]);
	expect(await readAs(outsider, job.id)).toEqual([]);
	expect(await anonymousRead(job.id)).toEqual([]);

	// Remove one, save: only the other is left.
	await dialog.getByRole('button', { name: `Remove ${unknown}` }).click();
	await expect(invitee(unknown)).toHaveCount(0);
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog.getByRole('status')).toHaveText('Saved: Invited only.');
	expect(await sql(`select email from public.job_shares where job_id = $1`, [job.id])).toEqual([{ email: existing.email }]);

	// Closing returns focus to the menu button; opening again shows what was saved.
	await dialog.getByRole('button', { name: 'Close' }).click();
	await expect(dialog).toBeHidden();
	await expect(page.getByRole('button', { name: `Actions for ${job.name}` })).toBeFocused();
	const again = await openShareDialog(page, job.name);
	await expect(again.getByRole('radio', { name: 'Invited only', exact: true })).toBeChecked();
	await expect(again.getByRole('listitem')).toHaveText([new RegExp(existing.email.replace(/[.+]/g, '\\$&'))]);
	await page.keyboard.press('Escape');
	await expect(again).toBeHidden();
});

test('a pending invite loses its badge live when the invitee signs up', async ({ page, user }) => {
	const job = await submitCompleted(user, 'Waiting for a colleague');
	const email = uniqueEmail('signs-up-later');
	await page.goto('/app/jobs');
	const dialog = await openShareDialog(page, job.name);
	await dialog.getByRole('radio', { name: 'Invited only', exact: true }).check();
	await dialog.getByLabel('Invite people by email').fill(email);
	await dialog.getByRole('button', { name: 'Save' }).click();
	const row = dialog.getByRole('listitem').filter({ hasText: email });
	await expect(row.getByText('Pending')).toBeVisible();
	// Inviting made no Auth user for the address.
	expect(await sql(`select id from auth.users where email = $1`, [email])).toEqual([]);

	// They sign up the way the emailed sign-up page does it, through the API (tests/e2e/invites.spec.ts
	// clicks through it): a sign-in link by email, then a password of their own, then what waits attaches.
	const info = e2eInfo();
	const newcomer = createClient(info.apiUrl, info.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
	const invitation = await waitForMailAt(info.mailUrl, email, { subject: /invited you to see/, timeoutMs: 30_000 });
	const { error: otpError } = await newcomer.auth.signInWithOtp({ email, options: { emailRedirectTo: `${info.webUrl}/auth/callback` } });
	if (otpError) throw otpError;
	const confirmation = await waitForMailAt(info.mailUrl, email, { subject: /Confirm Your Signup/, after: invitation.id, timeoutMs: 30_000 });
	const verified = await fetch(confirmation.links.find((l) => l.includes('/auth/v1/verify'))!, { redirect: 'manual' });
	const fragment = new URLSearchParams(new URL(verified.headers.get('location')!).hash.slice(1));
	const { error: sessionError } = await newcomer.auth.setSession({ access_token: fragment.get('access_token')!, refresh_token: fragment.get('refresh_token')! });
	if (sessionError) throw sessionError;
	const { error: passwordError } = await newcomer.auth.updateUser({ password: 'a newcomer password' });
	if (passwordError) throw passwordError;
	expect(await openByLink(newcomer, job.id)).toEqual([]);
	const { error: claimError } = await newcomer.rpc('claim_pending_access');
	if (claimError) throw claimError;

	await expect(row).toBeVisible();
	await expect(row.getByText('Pending')).toHaveCount(0);
	expect(await openByLink(newcomer, job.id)).toEqual([{ id: job.id, name: job.name }]);
});
