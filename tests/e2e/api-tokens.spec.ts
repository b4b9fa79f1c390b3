// The API tokens page (/app/settings/tokens), as a person meets it: create a
// token with a name, a team, read-only access and an expiry; the secret is
// shown once, works against the API at once, and "last used" shows it; a
// viewer's team offers read-only only (the database refuses the rest);
// revoking it makes the API refuse it on the next request.
import { e2eInfo } from './env.ts';
import { expect, sql, test } from './fixtures.ts';

async function callApi(secret: string): Promise<number> {
	const res = await fetch(`${e2eInfo().apiUrl}/functions/v1/api/v1/token`, { headers: { authorization: `Bearer ${secret}` } });
	await res.body?.cancel();
	return res.status;
}

test.describe.configure({ timeout: 90_000 });

test('create a token, see it once, use it, see it used, revoke it', async ({ page, user }) => {
	await page.goto('/app/settings/tokens');
	await expect(page.getByRole('heading', { name: 'API tokens', level: 1 })).toBeVisible();
	await expect(page.getByText('No tokens yet.')).toBeVisible();

	await page.getByLabel('Name').fill('lab laptop CLI');
	await page.getByLabel('Read-only').check();
	await page.getByLabel('Expires after').selectOption({ label: '7 days' });
	await page.getByRole('button', { name: 'Create token' }).click();

	const secretBox = page.getByLabel('Your new token');
	await expect(secretBox).toHaveValue(/^fwp_[A-Za-z0-9_-]{43}$/);
	const secret = await secretBox.inputValue();
	const row = page.getByRole('row').filter({ hasText: 'lab laptop CLI' });
	await expect(row.getByRole('cell', { name: 'Read-only' })).toBeVisible();
	await expect(row.getByRole('cell', { name: 'Never' })).toBeVisible();
	await expect(row).toContainText(secret.slice(0, 10));
	// Only the hash is stored.
	const stored = await sql<{ secret_sha256: string }>('select secret_sha256 from private.api_tokens where user_id = $1', [user.id]);
	expect(stored).toHaveLength(1);
	expect(stored[0].secret_sha256).not.toContain(secret.slice(4));

	expect(await callApi(secret)).toBe(200);
	// Shown once: a reload shows the list, not the secret, and the use.
	await page.reload();
	await expect(page.getByLabel('Your new token')).toHaveCount(0);
	await expect(row.getByRole('cell', { name: 'Never' })).toHaveCount(0);

	await row.getByRole('button', { name: 'Revoke lab laptop CLI' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Revoked “lab laptop CLI”' })).toBeVisible();
	await expect(row.getByText('Revoked')).toBeVisible();
	expect(await callApi(secret)).toBe(401);
});

test('a name is required, and the form keeps what was typed', async ({ page }) => {
	await page.goto('/app/settings/tokens');
	await page.getByLabel('Name').fill('   ');
	await page.getByLabel('Read and write (submit, cancel, retry, delete)').check();
	await page.getByRole('button', { name: 'Create token' }).click();
	await expect(page.getByText(/Give the token a name/)).toBeVisible();
	await expect(page.getByLabel('Read and write (submit, cancel, retry, delete)')).toBeChecked();
	await expect(page.getByLabel('Your new token')).toHaveCount(0);
});
