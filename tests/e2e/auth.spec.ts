import { waitForMailAt } from '../helpers/mail-inbox.ts';
import { e2eInfo } from './env.ts';
import { anonymousTest as test, createUser, expect, sql, uniqueEmail } from './fixtures.ts';

test('signs up through the emailed confirmation link and lands in the app', async ({ page }) => {
	const email = uniqueEmail('signup');
	await page.goto('/signup');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill('correct horse battery');
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByRole('status')).toContainText(email);

	const mail = await waitForMailAt(e2eInfo().mailUrl, email, { subject: /confirm/i });
	const link = mail.links.find((l) => l.includes('/verify'));
	expect(link, `a confirmation link in: ${mail.text}`).toBeTruthy();
	await page.goto(link!);
	await expect(page).toHaveURL(/\/app\/jobs/);
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});

test('signs in with a password, refuses a wrong one, and signs out', async ({ page }) => {
	const user = await createUser();
	await page.goto('/app/jobs');
	await expect(page).toHaveURL(/\/login\?next=/);
	await page.getByLabel('Email').fill(user.email);
	await page.getByLabel('Password').fill('not the password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
	await expect(page.getByLabel('Email')).toHaveValue(user.email);

	await page.getByLabel('Password').fill(user.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(/\/app\/jobs/);
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page).toHaveURL(/\/login/);
	await expect(page.getByRole('status')).toHaveText('You are signed out.');
	await page.goto('/app/jobs');
	await expect(page).toHaveURL(/\/login/);
});

test('the sign-in page says only our own notices: a made-up one in the link shows nothing', async ({ page }) => {
	// Anyone can send a link to our sign-in page; its words must not be theirs.
	await page.goto(`/login?notice=${encodeURIComponent('Your account is locked. Call +1 555 0100 to unlock it.')}`);
	await expect(page.getByRole('heading', { name: 'Sign in to Foldwork' })).toBeVisible();
	await expect(page.getByText(/locked|555/)).toHaveCount(0);
	await expect(page.getByRole('status')).toHaveCount(0);
	// A code we know is shown in our words; one that only looks like a key of an object is not a code.
	await page.goto('/login?notice=email-confirmed');
	await expect(page.getByRole('status')).toHaveText('Your email is confirmed — sign in to continue.');
	await page.goto('/login?notice=toString');
	await expect(page.getByRole('heading', { name: 'Sign in to Foldwork' })).toBeVisible();
	await expect(page.getByRole('status')).toHaveCount(0);
});

test('shows what to fix in a malformed sign-up without sending anything', async ({ page }) => {
	await page.goto('/signup');
	await page.getByLabel('Email').fill('not-an-email');
	await page.getByLabel('Password').fill('short');
	// Skip the browser's own checks: the server must say what to fix.
	await page.locator('form').evaluate((f) => ((f as HTMLFormElement).noValidate = true));
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page.getByText('Enter an email address like name@example.org.')).toBeVisible();
	await expect(page.getByText('Use at least 8 characters.')).toBeVisible();
	await expect(page.getByLabel('Email')).toHaveValue('not-an-email');
});

test('resets a forgotten password through the emailed link', async ({ page }) => {
	const user = await createUser();
	await page.goto('/auth/reset');
	await page.getByLabel('Email').fill(user.email);
	await page.getByRole('button', { name: 'Send reset link' }).click();
	await expect(page.getByRole('status')).toContainText(user.email);
	const mail = await waitForMailAt(e2eInfo().mailUrl, user.email, { subject: /reset|recover/i });
	await page.goto(mail.links.find((l) => l.includes('/verify'))!);
	await expect(page).toHaveURL(/\/auth\/update-password/);
	await page.getByLabel('New password').fill('a brand new password');
	await page.getByLabel('Repeat the password').fill('a brand new password');
	await page.getByRole('button', { name: 'Save password' }).click();
	await expect(page).toHaveURL(/\/app\/jobs/);
});

test('a session ended elsewhere is signed out on its next page, not shown an empty account', async ({ page }) => {
	// The server trusts the session cookie's token once its signature checks
	// out (getClaims); the database refuses an ended session's token, and /app
	// then signs the browser out. The attacker's view: a copied cookie of a
	// session its owner ended gets nothing but the sign-in page.
	const user = await createUser();
	await page.goto('/login');
	await page.getByLabel('Email').fill(user.email);
	await page.getByLabel('Password').fill(user.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(/\/app\/jobs/);
	await sql('delete from auth.sessions where user_id = $1', [user.id]);
	await page.goto('/app/credits');
	await expect(page).toHaveURL(/\/login\?next=%2Fapp%2Fcredits/);
	await expect(page.getByRole('heading', { name: 'Sign in to Foldwork' })).toBeVisible();
	// The cookie is gone: /login stays put instead of sending the browser back.
	await page.goto('/login');
	await expect(page).toHaveURL(/\/login$/);
});
