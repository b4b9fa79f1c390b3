// Notifications in the browser: the header's bell hears a finished job live
// in every open browser of the person (their private topic user:<id>), and
// marking all read in one clears the count in the other; five events while
// the person is away become one digest email, whose one-click unsubscribe
// works without signing in (the page's button, and a mail client's RFC 8058
// POST); the settings page changes each event's delivery.
// The platform claims digests every second here (global-setup.ts); the
// 10-minute away period is the database's, so "away" is set by moving the
// person's last page view back (as 10 minutes without an open page would).
import { e2eInfo } from './env.ts';
import { clientFor, createUser, expect, newContext, signIn, sql, submitJob, test, waitForJob } from './fixtures.ts';
import { waitForMailAt } from '../helpers/mail-inbox.ts';

const bellOf = (page: import('@playwright/test').Page) => page.getByRole('button', { name: /^Notifications/ });

test('a finished job reaches the bell live in a second browser, and marking it read there clears both', async ({ page, user, browser }) => {
	await page.goto('/app/jobs');
	await expect(bellOf(page)).toHaveAccessibleName('Notifications');
	const second = await newContext(browser);
	try {
		await signIn(second, user);
		const other = await second.newPage();
		await other.goto('/app/tools');
		await expect(bellOf(other)).toHaveAccessibleName('Notifications');

		const jobId = await submitJob(user, 'Bell ringer');
		await waitForJob(jobId);
		await expect(bellOf(page)).toHaveAccessibleName('Notifications, 1 unread', { timeout: 15_000 });
		await expect(bellOf(other)).toHaveAccessibleName('Notifications, 1 unread');

		await bellOf(other).click();
		const list = other.getByRole('region', { name: 'Notifications' });
		await expect(list.getByRole('link', { name: 'Job "Bell ringer" completed' })).toHaveAttribute('href', `/app/tools/protein-properties?jobId=${jobId}`);
		await list.getByRole('button', { name: 'Mark all read' }).click();
		await expect(bellOf(other)).toHaveAccessibleName('Notifications');
		await expect(bellOf(page)).toHaveAccessibleName('Notifications');
	} finally {
		await second.close();
	}
});

test('five events while away make one digest email, whose unsubscribe works without signing in', async ({ user, browser, request }) => {
	const info = e2eInfo();
	const client = await clientFor(user);
	// A page of the app is open while the jobs run: nothing is emailed yet.
	expect((await client.rpc('touch_presence')).error).toBeNull();
	const jobs = [];
	for (let i = 1; i <= 5; i++) jobs.push(await submitJob(user, `Away job ${i}`));
	for (const jobId of jobs) await waitForJob(jobId);
	await expect.poll(async () => (await sql<{ n: number }>('select count(*)::int as n from public.notifications where user_id = $1', [user.id]))[0].n).toBe(5);
	expect(await sql('select 1 from private.notification_digests where user_id = $1', [user.id])).toEqual([]);

	// The last page was closed 11 minutes ago.
	await sql(`update private.notification_recipients set last_seen_at = now() - interval '11 minutes' where user_id = $1`, [user.id]);
	const mail = await waitForMailAt(info.mailUrl, user.email, { subject: /while you were away/, timeoutMs: 30_000 });
	expect(mail.subject).toBe('Foldwork: 5 updates while you were away');
	for (const jobId of jobs) expect(mail.links).toContain(`${info.webUrl}/app/tools/protein-properties?jobId=${jobId}`);
	await expect.poll(async () => (await sql<{ sent: boolean }>('select sent_at is not null as sent from private.notification_digests where user_id = $1', [user.id])).map((r) => r.sent)).toEqual([true]);
	const inbox = (await (await fetch(`${info.mailUrl}/api/messages?to=${encodeURIComponent(user.email)}`)).json()) as unknown[];
	expect(inbox).toHaveLength(1);

	const unsubscribe = mail.links.find((link) => link.startsWith(`${info.webUrl}/unsubscribe?token=`) && !link.includes('&event='));
	expect(mail.links.filter((link) => link.includes('&event='))).toEqual([`${unsubscribe}&event=job_completed`]);
	expect(unsubscribe).toBeDefined();
	expect(mail.headers['list-unsubscribe']).toBe(`<${unsubscribe}>`);
	// A mail client's one-click unsubscribe: a POST from its own server, without Origin or cookies.
	const oneClick = await request.post(unsubscribe!, { form: { 'List-Unsubscribe': 'One-Click' } });
	expect(oneClick.status()).toBe(200);
	const deliveries = async () => (await sql<{ delivery: string }>('select delivery from public.notification_preferences where user_id = $1', [user.id])).map((r) => r.delivery);
	expect(await deliveries()).toEqual(Array(6).fill('in_app'));

	// The link in a browser that is not signed in: a page that says what it does, and a button.
	const visitor = await newContext(browser);
	try {
		const page = await visitor.newPage();
		await page.goto(unsubscribe!);
		await page.getByRole('button', { name: 'Unsubscribe' }).click();
		await expect(page.getByRole('status')).toContainText('You are unsubscribed: Foldwork sends you no more notification emails');
		// A made-up token is refused, saying what to do.
		await page.goto(`/unsubscribe?token=${'0'.repeat(64)}`);
		await page.getByRole('button', { name: 'Unsubscribe' }).click();
		await expect(page.getByRole('alert')).toContainText('this unsubscribe link is not valid');
	} finally {
		await visitor.close();
	}
});

test('the settings page changes how each event reaches you', async ({ page, user }) => {
	await page.goto('/app/jobs');
	await page.getByRole('button', { name: /^Notifications/ }).click();
	await page.getByRole('link', { name: 'Notification settings' }).click();
	await expect(page.getByRole('heading', { name: 'Notification settings' })).toBeVisible();
	const finished = page.getByRole('group', { name: 'Your job finished' });
	await expect(finished.getByRole('radio', { name: 'In the app and by email' })).toBeChecked();
	await finished.getByRole('radio', { name: 'Off' }).check();
	await page.getByRole('group', { name: 'Your job failed' }).getByRole('radio', { name: 'In the app only' }).check();
	await page.getByRole('button', { name: 'Save notification settings' }).click();
	await expect(page.getByRole('status')).toHaveText('Saved your notification settings.');
	const rows = await sql<{ kind: string; delivery: string }>('select kind, delivery from public.notification_preferences where user_id = $1 order by kind', [user.id]);
	expect(Object.fromEntries(rows.map((r) => [r.kind, r.delivery]))).toMatchObject({ job_completed: 'off', job_failed: 'in_app', job_shared: 'email' });
	// Off: a finished job no longer rings the bell.
	const jobId = await submitJob(user, 'Quiet job');
	await waitForJob(jobId);
	await page.reload();
	await expect(bellOf(page)).toHaveAccessibleName('Notifications');

	// The team's low-credit alert (the user owns their personal team).
	await page.getByLabel(/Notify owners and admins when the balance falls below/).fill('-3');
	await page.getByRole('button', { name: 'Save alert' }).click();
	await expect(page.getByText('Give 0 (never) or more credits.')).toBeVisible();
	await page.getByLabel(/Notify owners and admins when the balance falls below/).fill('50');
	await page.getByRole('button', { name: 'Save alert' }).click();
	await expect(page.getByRole('status')).toContainText('falls below 50 credits');
	expect(await sql('select threshold from private.credit_alert_thresholds where team_id = $1', [user.teamId])).toEqual([{ threshold: 50 }]);
});

test('another person cannot open the bell of someone else (the topic refuses them)', async ({ user }) => {
	const eve = await createUser();
	const client = await clientFor(eve);
	const token = (await client.auth.getSession()).data.session!.access_token;
	await client.realtime.setAuth(token);
	const refused = await new Promise<string>((resolve) => {
		client.channel(`user:${user.id}`, { config: { private: true } }).subscribe((status, error) => {
			if (status !== 'SUBSCRIBED') resolve(error?.message ?? status);
			else resolve('joined');
		});
	});
	expect(refused).toMatch(/^Unauthorized/);
	await client.removeAllChannels();
});
