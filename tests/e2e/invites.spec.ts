// Issue 9 and 14, end to end: invitations by email. A job shared with an
// address that has no account: the emailed link opens the sign-up page with
// the address filled in; they ask for a sign-in link, choose a password (the
// page says why) and the job opens; the owner's open share dialog loses the
// Pending badge without a reload. A new address invited to a team: the same
// sign-up, then they accept on the invite page, and the owner's team page
// shows them as they join.
import type { Browser, Page } from '@playwright/test';
import { waitForMailAt } from '../helpers/mail-inbox.ts';
import { e2eInfo } from './env.ts';
import { expect, newContext, openJobMenu, submitJob, test, uniqueEmail, type TestUser } from './fixtures.ts';

// Two people, emails and several page loads each, on a machine shared with other runs.
test.describe.configure({ timeout: 180_000 });

async function submitWithLink(user: TestUser, name: string): Promise<{ id: string; name: string; link: string }> {
	const id = await submitJob(user, name);
	return { id, name, link: `/app/tools/protein-properties?jobId=${id}` };
}

/**
 * Opens the emailed invitation in a fresh browser (no session): the sign-up
 * page, address filled in; asks for a sign-in link, opens it, and chooses a
 * password where the page asks for one.
 */
async function signUpFromEmail(browser: Browser, email: string, subject: RegExp): Promise<Page> {
	const { mailUrl, webUrl } = e2eInfo();
	const invitation = await waitForMailAt(mailUrl, email, { subject, timeoutMs: 30_000 });
	expect(invitation.links).toHaveLength(1);
	const signUpLink = invitation.links[0];
	expect(signUpLink.startsWith(`${webUrl}/signup?email=`), `the sign-up page in: ${invitation.text}`).toBe(true);
	const context = await newContext(browser);
	const page = await context.newPage();
	await page.goto(signUpLink);
	await expect(page.getByLabel('Email')).toHaveValue(email);
	await expect(page.getByText(`You were invited with ${email}`)).toBeVisible();
	await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
	await expect(page.getByRole('status')).toContainText(email);

	const confirmation = await waitForMailAt(mailUrl, email, { subject: /Confirm Your Signup/, after: invitation.id, timeoutMs: 30_000 });
	await page.goto(confirmation.links.find((l) => l.includes('/auth/v1/verify'))!);
	await expect(page).toHaveURL(/\/auth\/update-password\?reason=pending/);
	await expect(page.getByRole('note')).toHaveText(/a password chosen before then stops working now, and so does every other sign-in/);
	await page.getByLabel('New password').fill('a new colleague password');
	await page.getByLabel('Repeat the password').fill('a new colleague password');
	await page.getByRole('button', { name: 'Save password' }).click();
	return page;
}

test('a job shared with a new address: the emailed invitation signs them up and opens the job; the Pending badge goes live', async ({ page, user, browser }) => {
	const job = await submitWithLink(user, 'Shared with a newcomer');
	const email = uniqueEmail('job-invitee');
	await page.goto(job.link);
	await (await openJobMenu(page, job.name)).getByRole('menuitem', { name: 'Share' }).click();
	const dialog = page.getByRole('dialog', { name: `Share “${job.name}”` });
	await dialog.getByRole('radio', { name: 'Invited only', exact: true }).check();
	await dialog.getByLabel('Invite people by email').fill(email);
	await dialog.getByRole('button', { name: 'Save' }).click();
	await expect(dialog.getByRole('status')).toHaveText('Saved: Invited only.');
	const row = dialog.getByRole('listitem').filter({ hasText: email });
	await expect(row.getByText('Pending')).toBeVisible();

	const guest = await signUpFromEmail(browser, email, /invited you to see/);
	try {
		await expect(guest).toHaveURL(job.link);
		await expect(guest.getByRole('heading', { name: job.name })).toBeVisible();

		// The owner's dialog, still open, hears the invite attach to the new account.
		await expect(dialog).toBeVisible();
		await expect(row).toBeVisible();
		await expect(row.getByText('Pending')).toHaveCount(0);
	} finally {
		await guest.context().close();
	}
});

test('a new address invited to the team signs up from the email, accepts and is a member; the owner sees them join live', async ({ page, browser }) => {
	const teamName = `Invites lab ${Date.now()}`;
	await page.goto('/app/team');
	await page.getByLabel('Team name').fill(teamName);
	await page.getByRole('button', { name: 'Create team' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Team: ${teamName}`);

	const email = uniqueEmail('team-invitee');
	await page.getByLabel('Email address').fill(email);
	await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Member' });
	await page.getByRole('button', { name: 'Invite', exact: true }).click();
	await expect(page.getByText(`Invited ${email} as member. We emailed ${email} the invitation. The invite is pending until they accept it.`)).toBeVisible();
	await expect(page.getByRole('row').filter({ hasText: email }).getByText('Pending')).toBeVisible();
	const members = page.getByRole('table', { name: `Members of ${teamName}` });

	const guest = await signUpFromEmail(browser, email, /invited you to join/);
	try {
		await expect(guest).toHaveURL(/\/app\/team\/invites\/[0-9a-f-]{36}$/);
		await expect(guest.getByRole('heading', { level: 1 })).toHaveText(`Join ${teamName}`);
		await guest.getByRole('button', { name: 'Accept the invite' }).click();
		await expect(guest).toHaveURL(/\/app\/team\?notice=joined/);
		await expect(guest.getByRole('heading', { level: 1 })).toHaveText(`Team: ${teamName}`);
		await expect(guest.getByRole('heading', { name: 'Your role: Member' })).toBeVisible();
		await expect(guest.getByRole('table', { name: `Members of ${teamName}` }).getByRole('row').filter({ hasText: email })).toBeVisible();

		// The owner's page, not reloaded: the new member is listed, the invite is no longer pending.
		await expect(members.getByRole('row').filter({ hasText: email })).toBeVisible();
		await expect(page.getByRole('row').filter({ hasText: email }).getByText('Pending')).toHaveCount(0);
	} finally {
		await guest.context().close();
	}
});
