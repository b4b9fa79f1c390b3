// One origin: the browser tests run the platform on a random WEB_PORT (never
// the default 5173), so every kind of email the platform sends must link to
// that port, and following the link must land in the app there.
import type { Page } from '@playwright/test';
import { waitForMailAt, type ReceivedMail } from '../helpers/mail-inbox.ts';
import { e2eInfo } from './env.ts';
import { anonymousTest, clientFor, createUser, expect, newContext, signIn, submitJob, test, uniqueEmail, type TestUser } from './fixtures.ts';

/** Every link in the email goes to the app or to Auth's /verify (which redirects to the app). */
function expectLinksHere(mail: ReceivedMail): string[] {
	const { webUrl, apiUrl } = e2eInfo();
	expect(mail.links.length, `links in: ${mail.text}`).toBeGreaterThan(0);
	for (const link of mail.links) {
		expect([webUrl, apiUrl], `${link} in "${mail.subject}"`).toContain(new URL(link).origin);
		const redirect = new URL(link).searchParams.get('redirect_to');
		if (redirect) expect(new URL(redirect).origin, `where ${link} leads`).toBe(webUrl);
	}
	return mail.links;
}

async function follow(page: Page, link: string): Promise<void> {
	await page.goto(link);
	expect(new URL(page.url()).origin).toBe(e2eInfo().webUrl);
}

anonymousTest('sign-up confirmation and password reset emails link to the port the app runs on', async ({ page }) => {
	const email = uniqueEmail('origin');
	await page.goto('/signup');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill('correct horse battery');
	await page.getByRole('button', { name: 'Create account' }).click();
	// Read the email once the page says it went out, as a person would: Auth sends it before its transaction commits.
	await expect(page.getByRole('status')).toContainText(email);
	const confirm = await waitForMailAt(e2eInfo().mailUrl, email, { subject: /confirm/i });
	await follow(page, expectLinksHere(confirm).find((l) => l.includes('/verify'))!);
	await expect(page).toHaveURL(/\/app\//);

	const user = await createUser();
	await page.goto('/auth/reset');
	await page.getByLabel('Email').fill(user.email);
	await page.getByRole('button', { name: 'Send reset link' }).click();
	await expect(page.getByRole('status')).toContainText(user.email);
	const reset = await waitForMailAt(e2eInfo().mailUrl, user.email, { subject: /reset|recover/i });
	await follow(page, expectLinksHere(reset).find((l) => l.includes('/verify'))!);
	await expect(page).toHaveURL(/\/auth\/update-password/);
});

anonymousTest('a confirmation link opened in another browser says the email is confirmed and offers sign-in', async ({ page, browser }) => {
	const email = uniqueEmail('elsewhere');
	await page.goto('/signup');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill('correct horse battery');
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('status')).toContainText(email);
	const confirm = await waitForMailAt(e2eInfo().mailUrl, email, { subject: /confirm/i });

	// The phone's mail app opens it: no PKCE verifier there.
	const other = await newContext(browser);
	try {
		const phone = await other.newPage();
		await follow(phone, expectLinksHere(confirm).find((l) => l.includes('/verify'))!);
		await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Your email is confirmed — sign in');
		await expect(phone.getByText(/PKCE|verifier/i)).toHaveCount(0);
		await phone.getByRole('link', { name: 'Sign in' }).last().click();
		await phone.getByLabel('Email').fill(email);
		await phone.getByLabel('Password').fill('correct horse battery');
		await phone.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expect(phone).toHaveURL(/\/app\//);
	} finally {
		await other.close();
	}
});

async function inboxOf(browser: import('@playwright/test').Browser, user: TestUser): Promise<Page> {
	const context = await newContext(browser);
	await signIn(context, user);
	return context.newPage();
}

test('share and team-invite emails link to the port the app runs on', async ({ browser, user }) => {
	const colleague = await createUser({ name: 'Rosalind Franklin' });
	const owner = await clientFor(user);
	const jobId = await submitJob(user, 'Origin check');

	const shared = await owner.functions.invoke('share-job', { body: { job_id: jobId, visibility: 'invited', emails: [colleague.email] } });
	expect(shared.error).toBeNull();
	const shareMail = await waitForMailAt(e2eInfo().mailUrl, colleague.email, { subject: /shared/i });
	const colleaguePage = await inboxOf(browser, colleague);
	await follow(colleaguePage, expectLinksHere(shareMail).find((l) => l.includes(jobId))!);
	await expect(colleaguePage.getByText('Origin check').first()).toBeVisible();

	const team = await owner.rpc('create_team', { name: 'Origin lab' });
	expect(team.error).toBeNull();
	const teamId = (team.data as { id: string }).id;
	const invited = await owner.functions.invoke('invite-member', { body: { action: 'invite', team_id: teamId, emails: [colleague.email], role: 'member' } });
	expect(invited.error).toBeNull();
	const inviteMail = await waitForMailAt(e2eInfo().mailUrl, colleague.email, { subject: /join|invit/i });
	await follow(colleaguePage, expectLinksHere(inviteMail).find((l) => l.includes('/app/team/invites/'))!);
	await expect(colleaguePage.getByText('Origin lab').first()).toBeVisible();
	await colleaguePage.context().close();
});

anonymousTest('the code in the confirmation email can be entered: a wrong one is refused, the right one signs in', async ({ page, browser }) => {
	const email = uniqueEmail('code');
	await page.goto('/signup');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill('correct horse battery');
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('status')).toContainText(email);
	const confirm = await waitForMailAt(e2eInfo().mailUrl, email, { subject: /confirm/i });
	const code = /code:?\s*(\d{6})/i.exec(confirm.text)?.[1];
	expect(code, confirm.text).toBeDefined();
	const enterCode = page.getByRole('link', { name: 'Enter the code from the email' });
	await expect(enterCode).toHaveAttribute('href', new RegExp(`^/auth/code\\?email=${encodeURIComponent(email)}`));

	// On the phone: the page the email's code is entered on.
	const other = await newContext(browser);
	try {
		const phone = await other.newPage();
		await phone.goto(`/auth/code?email=${encodeURIComponent(email)}`);
		await expect(phone.getByLabel('Email')).toHaveValue(email);
		await phone.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
		await phone.getByRole('button', { name: 'Continue' }).click();
		await expect(phone.getByRole('alert')).toContainText('That code is wrong or has expired');
		await phone.getByLabel('Code').fill(code!);
		await phone.getByRole('button', { name: 'Continue' }).click();
		await expect(phone).toHaveURL(/\/app\//);
	} finally {
		await other.close();
	}
});
