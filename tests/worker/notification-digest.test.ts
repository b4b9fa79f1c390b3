// The fleet's notification digest task (worker/notification-digest.ts) with a
// real worker process and the test stack's SMTP catcher: a flood of job
// completions for a person who is away becomes one email listing them, with
// links to the app and a one-click unsubscribe (RFC 8058 headers); a digest
// claimed by a worker that died before sending goes out once, with what it
// held; nothing goes to a person who has a page of the app open; and a
// notification past the retention is deleted without anyone asking.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMail, waitForMail } from '../helpers/mail.ts';
import { stackInfo } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';
import { createUser, startWorkerProcess, submitJob, waitForStatus, type TestUser, type WorkerProcess } from '../helpers/worker-fleet.ts';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';

const suite = useWorkerDatabase();
const SITE = 'https://foldwork.example.org';
let worker: WorkerProcess;

const emailOf = async (user: TestUser) => (await suite.db.query('select email from auth.users where id = $1', [user.id])).rows[0].email as string;
const present = (db: pg.Pool | pg.PoolClient, user: TestUser, secondsAgo: number) =>
	db.query(
		`insert into private.notification_recipients (user_id, last_seen_at) values ($1, now() - make_interval(secs => $2))
		 on conflict (user_id) do update set last_seen_at = excluded.last_seen_at`,
		[user.id, secondsAgo]
	);
const digestsOf = async (user: TestUser) =>
	(await suite.db.query('select id, sent_at, attempts from private.notification_digests where user_id = $1 order by created_at', [user.id])).rows;

beforeAll(async () => {
	worker = await startWorkerProcess(suite.url, {
		env: { FOLDWORK_DIGEST_SWEEP_MS: '200', SITE_URL: SITE, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(stackInfo().smtpPort) }
	});
}, 60_000);
afterAll(async () => {
	await worker?.stop();
});

describe('notification digests', () => {
	it('sends one email for a flood of job completions once the person is away, with links and a one-click unsubscribe', { timeout: 60_000 }, async () => {
		const user = await createUser(suite.db);
		const email = await emailOf(user);
		await present(suite.db, user, 0); // a page is open while the jobs run
		const jobs = [];
		for (let i = 0; i < 12; i++) jobs.push(await submitJob(suite.db, user, 'test-echo', { steps: [{ ms: 0 }] }));
		for (const jobId of jobs) await waitForStatus(suite.db, jobId, 'completed');
		await waitFor('12 notifications', async () => (await suite.db.query('select count(*)::int as n from public.notifications where user_id = $1', [user.id])).rows[0].n === 12);
		expect(await digestsOf(user)).toEqual([]); // present: no email

		await present(suite.db, user, 3600); // the page was closed an hour ago
		const mail = await waitForMail(email, { timeoutMs: 20_000 });
		expect(mail.subject).toBe('Foldwork: 12 updates while you were away');
		expect(mail.text).toContain('While you were away from Foldwork, 12 things happened:');
		for (const jobId of jobs) expect(mail.links).toContain(`${SITE}/app/tools/test-echo?jobId=${jobId}`);
		const token = (await suite.db.query('select unsubscribe_token from private.notification_recipients where user_id = $1', [user.id])).rows[0].unsubscribe_token;
		expect(mail.links).toContain(`${SITE}/unsubscribe?token=${token}`);
		expect(mail.text).toContain(`Stop emails about: your job finished:\n${SITE}/unsubscribe?token=${token}&event=job_completed`);
		expect(mail.headers['list-unsubscribe']).toBe(`<${SITE}/unsubscribe?token=${token}>`);
		expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
		const [digest] = await waitFor('the digest reported sent', async () => {
			const rows = await digestsOf(user);
			return rows.length === 1 && rows[0].sent_at ? rows : undefined;
		});
		expect(digest.attempts).toBe(1);

		// A further event within the interval waits for the next digest: still one email.
		await suite.db.query('update private.notification_recipients set last_digest_at = now() where user_id = $1', [user.id]);
		const later = await submitJob(suite.db, user, 'test-echo', { steps: [{ ms: 0 }] });
		await waitForStatus(suite.db, later, 'completed');
		await waitFor('its notification', async () => (await suite.db.query('select count(*)::int as n from public.notifications where user_id = $1', [user.id])).rows[0].n === 13);
		// A pass of the task after it: another away person's digest goes out, this person's does not.
		const probe = await createUser(suite.db);
		await present(suite.db, probe, 3600);
		await waitForStatus(suite.db, await submitJob(suite.db, probe, 'test-echo', { steps: [{ ms: 0 }] }), 'completed');
		await waitForMail(await emailOf(probe), { timeoutMs: 20_000 });
		expect(await listMail(email)).toHaveLength(1);
		expect(await digestsOf(user)).toHaveLength(1);
	});

	it('deletes a notification past the retention by itself, and keeps a newer one', { timeout: 30_000 }, async () => {
		const user = await createUser(suite.db);
		await suite.db.query(
			`insert into public.notifications (user_id, kind, title, created_at, read_at)
			 values ($1, 'job_completed', 'Job "old" completed', now() - interval '91 days', now()), ($1, 'job_completed', 'Job "new" completed', now(), now())`,
			[user.id]
		);
		await waitFor('the old notification deleted', async () => {
			const { rows } = await suite.db.query('select title from public.notifications where user_id = $1', [user.id]);
			return rows.length === 1 && rows[0].title === 'Job "new" completed';
		});
		await waitFor('the worker saying so', () => /notifications: 1 and 0 digests deleted past the retention period/.test(worker.logs()));
	});

	it('sends a digest claimed by a worker that died before sending once, with what it held', { timeout: 60_000 }, async () => {
		const user = await createUser(suite.db);
		const email = await emailOf(user);
		await present(suite.db, user, 0);
		const jobId = await submitJob(suite.db, user, 'test-echo', { steps: [{ ms: 0 }] });
		await waitForStatus(suite.db, jobId, 'completed');
		await waitFor('the notification', async () => (await suite.db.query('select 1 from public.notifications where user_id = $1', [user.id])).rowCount === 1);
		// Another worker claims the digest and dies: its claim is never reported. (The person goes
		// away in the same transaction, so the running worker cannot claim it first.)
		const client = await suite.db.connect();
		let claimedId: string | undefined;
		try {
			await client.query('begin');
			await present(client, user, 3600);
			await client.query(`update private.notification_policy set lease_seconds = 1`);
			const { rows } = await client.query('select * from worker.claim_notification_digests(100)');
			claimedId = rows.find((r) => r.user_id === user.id)?.digest_id;
			await client.query('update private.notification_policy set lease_seconds = 300');
			await client.query('commit');
		} finally {
			client.release();
		}
		expect(claimedId).toBeDefined();
		const mail = await waitForMail(email, { timeoutMs: 20_000 });
		expect(mail.subject).toBe('Foldwork: 1 update while you were away');
		expect(mail.text).toContain('* Job "test-echo job" completed');
		const digests = await waitFor('the digest reported sent', async () => {
			const rows = await digestsOf(user);
			return rows[0]?.sent_at ? rows : undefined;
		});
		expect(digests.map((d) => [d.id, d.attempts])).toEqual([[claimedId, 2]]);
		expect(await listMail(email)).toHaveLength(1);
	});
});
