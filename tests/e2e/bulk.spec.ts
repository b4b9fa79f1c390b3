// Bulk actions on /app/jobs: select rows (checkboxes, shift-click ranges),
// confirm a bulk retry with its total, and see what was done; the ledger
// holds one charge per retried job. Jobs are seeded through the database's
// own RPC (submit_job, as the user) and moved to `failed` in the same
// transaction, so the worker never picks them up.
import type { Page } from '@playwright/test';
import { expect, inTransaction, sql, test, type TestUser } from './fixtures.ts';

/** Failed molecule-properties jobs of `credits` molecules each (1 credit per molecule), oldest first. */
async function seedFailedJobs(user: TestUser, names: string[], credits = 2): Promise<string[]> {
	return inTransaction(async (db) => {
		await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: user.id, role: 'authenticated' })]);
		const ids: string[] = [];
		for (const name of names) {
			const molecules = Array.from({ length: credits }, (_, i) => ({ id: `m${i}`, smiles: 'CCO' }));
			const { rows } = await db.query(`select id from public.submit_job('molecule-properties', $1, $2, '{}', $3)`, [name, { molecules }, user.teamId]);
			for (const status of ['queued', 'processing', 'failed']) {
				await db.query(`update public.jobs set status = $2::public.job_status, error_message = case when $2 = 'failed' then 'the worker stopped' end where id = $1`, [rows[0].id, status]);
			}
			ids.push(rows[0].id);
		}
		return ids;
	});
}

const checkbox = (page: Page, name: string) => page.getByRole('checkbox', { name: `Select “${name}”` });

test('a bulk retry of 3 failed jobs, confirmed with its total, charges each once in the ledger', async ({ page, user }) => {
	// One transaction each, so each has its own created_at and the list's order is A to D, newest last.
	const ids: string[] = [];
	for (const name of ['Screen A', 'Screen B', 'Screen C', 'Screen D']) ids.push(...(await seedFailedJobs(user, [name], 2)));
	const [{ balance: before }] = await sql<{ balance: number }>('select balance from public.credit_accounts where team_id = $1', [user.teamId]);

	await page.goto('/app/jobs');
	// Newest first: D, C, B, A. Click D, then shift-click B: D, C and B are selected, A is not.
	await checkbox(page, 'Screen D').click();
	await checkbox(page, 'Screen B').click({ modifiers: ['Shift'] });
	await expect(checkbox(page, 'Screen C')).toBeChecked();
	await expect(checkbox(page, 'Screen A')).not.toBeChecked();
	const bar = page.getByRole('region', { name: 'Selected jobs' });
	await expect(bar).toContainText('3 jobs selected');

	await bar.getByRole('button', { name: 'Retry', exact: true }).click();
	const dialog = page.getByRole('dialog', { name: 'Retry 3 jobs?' });
	await expect(dialog).toContainText('3 jobs run again as new jobs with the same input and settings, for 6 credits in total.');
	await expect(dialog).toContainText(`Your team has ${before} credits.`);
	await dialog.getByRole('button', { name: 'Retry 3 jobs for 6 credits' }).click();
	await expect(dialog).toBeHidden();
	await expect(page.getByRole('status').filter({ hasText: 'retried' })).toHaveText('3 retried');

	const retried = await sql<{ id: string; retry_of: string }>('select id, retry_of from public.jobs where retry_of = any($1)', [ids]);
	expect(retried.map((r) => r.retry_of).sort()).toEqual([ids[1], ids[2], ids[3]].sort());
	const charges = await sql<{ delta: number }>(`select delta from public.credit_ledger where reason = 'charge' and job_id = any($1)`, [retried.map((r) => r.id)]);
	expect(charges).toEqual([{ delta: -2 }, { delta: -2 }, { delta: -2 }]);
	// The new jobs show in the list (live), and the header's balance went down by the total.
	await expect(page.getByRole('link', { name: 'Screen B (retry 2)' })).toBeVisible();
	const [{ balance: after }] = await sql<{ balance: number }>('select balance from public.credit_accounts where team_id = $1', [user.teamId]);
	expect(after).toBe(before - 6);
});

test('a bulk cancel of the page says what it refused and why', async ({ page, user }) => {
	await seedFailedJobs(user, ['Done 1', 'Done 2'], 1);
	await page.goto('/app/jobs');
	await page.getByRole('checkbox', { name: 'Select every job on this page' }).click();
	const bar = page.getByRole('region', { name: 'Selected jobs' });
	await expect(bar).toContainText('2 jobs selected');
	await bar.getByRole('button', { name: 'Cancel jobs' }).click();
	const dialog = page.getByRole('dialog', { name: 'Cancel 2 jobs?' });
	await dialog.getByRole('button', { name: 'Cancel jobs' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'refused' })).toHaveText('0 cancelled, 2 refused: this job is already failed and cannot be cancelled (2)');
});

test('"select all matching this filter" acts on every page of it in one call', async ({ page, user }) => {
	const names = Array.from({ length: 27 }, (_, i) => `Batch ${String(i + 1).padStart(2, '0')}`);
	const ids = await seedFailedJobs(user, names, 1);
	await page.goto('/app/jobs?status=failed');
	await page.getByRole('checkbox', { name: 'Select every job on this page' }).click();
	const bar = page.getByRole('region', { name: 'Selected jobs' });
	await expect(bar).toContainText('25 jobs selected');
	await bar.getByRole('button', { name: 'Select all 27 jobs matching this filter' }).click();
	await expect(bar).toContainText('All 27 jobs matching this filter are selected');
	await bar.getByLabel('Visibility').selectOption('public');
	await bar.getByRole('button', { name: 'Apply' }).click();
	const dialog = page.getByRole('dialog', { name: 'Change the visibility of 27 jobs to “Public”?' });
	await dialog.getByRole('button', { name: 'Change visibility' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'changed' })).toHaveText('27 changed');
	const visible = await sql<{ visibility: string; n: number }>('select visibility, count(*)::int as n from public.jobs where id = any($1) group by visibility', [ids]);
	expect(visible).toEqual([{ visibility: 'public', n: 27 }]);
});
