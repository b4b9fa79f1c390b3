// Teams: create one, invite by email (pending until accepted; the
// invite-member function emails it, and re-sends it at most hourly), the invitee
// accepts on the invite page, roles change, members are removed; viewers are
// told why they cannot run tools; invites are declined and revoked; the
// database's refusals are shown beside the form.
import type { Browser, Page } from '@playwright/test';
import { createUser, expect, newContext, signIn, sql, test, uniqueEmail, type TestUser } from './fixtures.ts';

async function signedInPage(browser: Browser, user: TestUser): Promise<Page> {
	const context = await newContext(browser);
	await signIn(context, user);
	return context.newPage();
}

async function inviteIdFor(email: string): Promise<string> {
	const [row] = await sql<{ id: string }>(`select id from public.team_invites where email = $1 and status = 'pending'`, [email.toLowerCase()]);
	return row.id;
}

async function createTeam(page: Page, name: string): Promise<void> {
	await page.goto('/app/team');
	await page.getByLabel('Team name').fill(name);
	await page.getByRole('button', { name: 'Create team' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Team: ${name}`);
	await expect(page.getByText('Team created: you are its owner.')).toBeVisible();
}

async function invite(page: Page, email: string, role: 'Member' | 'Viewer' | 'Admin'): Promise<void> {
	await page.getByLabel('Email address').fill(email);
	await page.getByLabel('Role', { exact: true }).selectOption({ label: role });
	await page.getByRole('button', { name: 'Invite', exact: true }).click();
	// The form's own message (the Activity table says "invited ... as ..." too).
	await expect(page.getByRole('status').filter({ hasText: `Invited ${email.toLowerCase()} as ${role.toLowerCase()}` })).toBeVisible();
}

/** A row of the invites table (the Activity table below it names the same addresses). */
const inviteRow = (page: Page, email: string) => page.getByRole('table', { name: 'Invites' }).getByRole('row').filter({ hasText: email });
const memberRow = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });

test('invites a teammate who accepts, becomes a viewer and is removed', async ({ page, browser }) => {
	test.setTimeout(150_000); // two people, many page loads, on a shared machine
	const teamName = `Lab ${Date.now()}`;
	await createTeam(page, teamName);

	const mate = await createUser({ name: 'Rosalind' });
	await invite(page, mate.email, 'Member');
	const pending = inviteRow(page, mate.email);
	await expect(pending.getByText('Pending')).toBeVisible();
	await expect(pending.locator('time')).toHaveAttribute('datetime', /T/);

	const matePage = await signedInPage(browser, mate);
	// The invitee finds it on their team page too.
	await matePage.goto('/app/team');
	await matePage.getByRole('link', { name: /An invite to join a team as member/ }).click();
	await expect(matePage.getByRole('heading', { level: 1 })).toHaveText(/^Join /);
	await expect(matePage.getByText('Member', { exact: true })).toBeVisible();
	expect(matePage.url()).toContain(`/app/team/invites/${await inviteIdFor(mate.email)}`);
	await matePage.getByRole('button', { name: 'Accept the invite' }).click();
	await expect(matePage).toHaveURL(/\/app\/team\?notice=joined/);
	await expect(matePage.getByRole('heading', { level: 1 })).toHaveText(`Team: ${teamName}`);
	await expect(matePage.getByRole('heading', { name: 'Your role: Member' })).toBeVisible();
	await expect(matePage.getByText('Only owners and admins can invite people, change roles or remove members')).toBeVisible();
	await expect(matePage.getByRole('button', { name: 'Invite', exact: true })).toHaveCount(0);

	await page.reload();
	await expect(memberRow(page, 'Rosalind')).toContainText(mate.email);
	await expect(inviteRow(page, mate.email).getByText('Pending')).toHaveCount(0);

	await page.getByLabel('Role of Rosalind', { exact: true }).selectOption('viewer');
	await page.getByRole('button', { name: 'Save the role of Rosalind' }).click();
	await expect(page.getByText('Role changed to viewer.')).toBeVisible();
	await expect(page.getByLabel('Role of Rosalind', { exact: true })).toHaveValue('viewer');

	await matePage.reload();
	await expect(matePage.getByRole('heading', { name: 'Your role: Viewer' })).toBeVisible();
	await expect(matePage.getByText(`Viewers cannot run tools or change jobs in ${teamName}`)).toBeVisible();

	await page.getByRole('button', { name: 'Remove Rosalind' }).click();
	const confirm = page.getByRole('dialog', { name: 'Remove Rosalind?' });
	await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
	await expect(page.getByText('Removed from the team.')).toBeVisible();
	await expect(memberRow(page, 'Rosalind')).toHaveCount(0);
	expect(await sql('select 1 from public.team_members where user_id = $1 and team_id <> $2', [mate.id, mate.teamId])).toHaveLength(0);

	// Their team is gone from their switcher: they are back in their own workspace.
	await matePage.goto('/app/team');
	await expect(matePage.getByRole('heading', { level: 1 })).toHaveText("Team: Rosalind's workspace");
	await matePage.context().close();
});

test('an invitee can decline, an owner can revoke, and refusals show beside the form', async ({ page, user, browser }) => {
	test.setTimeout(150_000);
	await createTeam(page, `Bench ${Date.now()}`);

	// Expected problems, answered by the form or the database.
	await page.getByLabel('Email address').fill(user.email);
	await page.getByRole('button', { name: 'Invite', exact: true }).click();
	await expect(page.getByText(/is already a member of this team/)).toBeVisible();
	await expect(page.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');

	const decliner = await createUser({ name: 'Declan' });
	await invite(page, decliner.email, 'Viewer');
	const declinerPage = await signedInPage(browser, decliner);
	await declinerPage.goto(`/app/team/invites/${await inviteIdFor(decliner.email)}`);
	await expect(declinerPage.getByText('Viewer', { exact: true })).toBeVisible();
	await declinerPage.getByRole('button', { name: 'Decline' }).click();
	await expect(declinerPage.getByText('You declined the invite.')).toBeVisible();
	await expect(declinerPage.getByRole('heading', { level: 1 })).toHaveText("Team: Declan's workspace");
	await declinerPage.context().close();

	await page.reload();
	await expect(inviteRow(page, decliner.email).getByText('Declined')).toBeVisible();

	const other = `later-${Date.now()}@example.test`;
	await invite(page, other, 'Member');
	// Sending the email again within the hour is refused, with when to try again (the invite is renewed all the same).
	await page.getByRole('button', { name: `Resend the invite for ${other}` }).click();
	await expect(page.getByRole('alert').filter({ hasText: `An invitation email went to ${other} less than an hour ago` })).toBeVisible();
	await page.getByRole('button', { name: `Revoke the invite for ${other}` }).click();
	await page.getByRole('dialog', { name: `Revoke the invite for ${other}?` }).getByRole('button', { name: 'Revoke', exact: true }).click();
	await expect(page.getByText(`Revoked the invite for ${other}.`)).toBeVisible();
	await expect(inviteRow(page, other)).toHaveCount(0);
});

test('an invite for someone else is not shown', async ({ page }) => {
	const owner = await createUser();
	const [row] = await sql<{ id: string }>(
		`insert into public.team_invites (team_id, email, role, invited_by) values ($1, 'someone-else@example.test', 'member', $2) returning id`,
		[owner.teamId, owner.id]
	);
	await page.goto(`/app/team/invites/${row.id}`);
	await expect(page.getByRole('heading', { name: 'Invite not found' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Accept the invite' })).toHaveCount(0);
});

test('owners and admins see the team’s activity, newest first, a page at a time; members do not', async ({ page, user, browser }) => {
	test.setTimeout(120_000);
	const teamName = `Audit ${Date.now()}`;
	await createTeam(page, teamName);
	const [{ id: teamId }] = await sql<{ id: string }>('select id from public.teams where name = $1', [teamName]);
	const ownerName = user.email.split('@')[0];

	const invitee = uniqueEmail('audit');
	await invite(page, invitee, 'Member');
	const mate = await createUser({ name: 'Marie' });
	// Added by a script with no caller (support, say): the log says Marie joined.
	await sql(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [teamId, mate.id]);
	await page.reload();
	await page.getByLabel('Role of Marie', { exact: true }).selectOption('viewer');
	await page.getByRole('button', { name: 'Save the role of Marie' }).click();
	await expect(page.getByText('Role changed to viewer.')).toBeVisible();
	await sql(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, 50, 'grant', 'Welcome')`, [teamId]);

	await page.reload();
	const activity = page.getByRole('table', { name: `Activity in ${teamName}, newest first` });
	const rows = activity.getByRole('row');
	await expect(rows).toHaveCount(5); // the header and four entries
	await expect(rows.nth(1)).toContainText('Foldwork');
	await expect(rows.nth(1)).toContainText('granted 50 credits (“Welcome”); balance 50');
	await expect(rows.nth(2)).toContainText(ownerName);
	await expect(rows.nth(2)).toContainText('changed the role of Marie from member to viewer');
	await expect(rows.nth(3)).toContainText('Marie');
	await expect(rows.nth(3)).toContainText('joined the team as member');
	await expect(rows.nth(4)).toContainText(`invited ${invitee} as member`);
	await expect(rows.nth(4).locator('time')).toHaveAttribute('datetime', /T/);

	// More than a page: newest first, the first entry on the last page.
	await sql(
		`insert into public.credit_ledger (team_id, delta, reason, memo) select $1, -1, 'adjustment', 'Correction ' || g from generate_series(1, 20) g`,
		[teamId]
	);
	await page.reload();
	await expect(rows).toHaveCount(21);
	await expect(rows.nth(1)).toContainText('took away 1 credit (“Correction 20”)');
	await expect(page.getByText('Page 1 of 2')).toBeVisible();
	await page.getByRole('link', { name: 'Older →' }).click();
	await expect(page.getByText('Page 2 of 2')).toBeVisible();
	await expect(rows).toHaveCount(5);
	await expect(rows.last()).toContainText(`invited ${invitee} as member`);
	await page.getByRole('link', { name: '← Newer' }).click();
	await expect(page.getByText('Page 1 of 2')).toBeVisible();

	// A viewer of the team, working in it, sees no activity (and the database gives them none).
	const matePage = await signedInPage(browser, mate);
	await matePage.context().addCookies([{ name: 'foldwork_team', value: teamId, url: new URL(page.url()).origin, sameSite: 'Lax' }]);
	await matePage.goto('/app/team');
	await expect(matePage.getByRole('heading', { level: 1 })).toHaveText(`Team: ${teamName}`);
	await expect(matePage.getByRole('heading', { name: 'Your role: Viewer' })).toBeVisible();
	await expect(matePage.getByRole('heading', { name: 'Activity' })).toHaveCount(0);
	await expect(matePage.getByText('granted 50 credits')).toHaveCount(0);
	await matePage.context().close();
});

test('the personal team carries its person\'s name; its owner renames it, the switcher shows team and role, a member cannot rename', async ({ browser }) => {
	const owner = await createUser({ name: 'Alice' });
	const member = await createUser({ name: 'Bob' });
	await sql(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [owner.teamId, member.id]);
	const page = await signedInPage(browser, owner);
	await page.goto('/app/team');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText("Team: Alice's workspace");
	await expect(page.getByLabel('Team (your role)').locator('option:checked')).toHaveText("Alice's workspace · Owner");

	await page.getByLabel('Name of this team').fill('  Alice protein lab ');
	await page.getByRole('button', { name: 'Rename team' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Team renamed to “Alice protein lab”.' })).toBeVisible();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Team: Alice protein lab');
	await expect(page.getByLabel('Team (your role)').locator('option:checked')).toHaveText('Alice protein lab · Owner');
	await page.getByLabel('Name of this team').fill('   ');
	await page.getByRole('button', { name: 'Rename team' }).click();
	await expect(page.getByText('Name the team.')).toBeVisible();
	await page.context().close();

	// Bob sees both teams apart, with his role in each, and no rename form in Alice's.
	const bobPage = await signedInPage(browser, member);
	await bobPage.goto('/app/team');
	const switcher = bobPage.getByLabel('Team (your role)');
	await expect(switcher.locator('option')).toHaveText(["Bob's workspace · Owner", 'Alice protein lab · Member']);
	await switcher.selectOption({ label: 'Alice protein lab · Member' });
	await expect(bobPage.getByRole('heading', { level: 1 })).toHaveText('Team: Alice protein lab');
	await expect(bobPage.getByLabel('Name of this team')).toHaveCount(0);
	await bobPage.context().close();
});
