// The project's email quota ([auth.rate_limit] email_sent) and the counting
// rules of GoTrue's limiters.
//
// The stack under test has no [auth.email.smtp]: like `supabase start` with
// its own inbox it allows 360000 emails an hour. To see the quota a hosted
// project has (2 an hour with Supabase's own mail server), this file starts
// a second Auth over the same database, explicitly configured with an SMTP
// server ([auth.email.smtp] enabled) so that email_sent = 2 applies.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntervalLimiter, TokenBuckets } from '../../supabase/local/auth/rate-limits.ts';
import { loadConfig, projectRoot } from '../../supabase/local/config.ts';
import { clientFrom, PASSWORD, randomLoopbackAddress } from '../helpers/auth.ts';
import { waitForMail } from '../helpers/mail.ts';
import { adminPool, serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { startSecondAuth, type SecondAuth } from '../helpers/second-auth.ts';

/** A project folder whose config.toml is ours plus a custom SMTP server. */
function rootWithSmtp(): string {
	const root = mkdtempSync(path.join(tmpdir(), 'foldwork-smtp-config-'));
	mkdirSync(path.join(root, 'supabase'));
	const toml = readFileSync(path.join(projectRoot, 'supabase/config.toml'), 'utf8');
	writeFileSync(path.join(root, 'supabase/config.toml'), `${toml}\n[auth.email.smtp]\nenabled = true\n`);
	return root;
}

describe('email_sent, counted as GoTrue counts it', () => {
	let root: string;
	let secondAuth: SecondAuth;
	let apiUrl: string;

	beforeAll(async () => {
		root = rootWithSmtp();
		secondAuth = await startSecondAuth(undefined, root);
		apiUrl = secondAuth.apiUrl;
	});

	afterAll(async () => {
		await secondAuth?.stop();
		rmSync(root, { recursive: true, force: true });
	});

	it('applies email_sent only with a custom SMTP server, as `supabase start` does', () => {
		expect(loadConfig({ root }).auth.rateLimits.emailSentPerHour).toBe(2);
		expect(loadConfig().auth.rateLimits.emailSentPerHour).toBe(360_000);
	});

	it('refuses the third email of the hour for the whole project, from any address, and keeps nothing of the refused sign-ups', async () => {
		const emails = Array.from({ length: 5 }, () => uniqueEmail('quota'));
		const answers = [];
		// Each from a different address: the quota is the project's, not an address's.
		for (const email of emails) answers.push(await clientFrom(randomLoopbackAddress(), stackInfo().anonKey, apiUrl).auth.signUp({ email, password: PASSWORD }));
		expect(answers.slice(0, 2).map((a) => a.error)).toEqual([null, null]);
		for (const refused of answers.slice(2)) {
			expect(refused.error?.status).toBe(429);
			expect(refused.error?.code).toBe('over_email_send_rate_limit');
			expect(refused.error?.message).toBe('email rate limit exceeded');
		}
		await waitForMail(emails[0], { subject: /Confirm Your Signup/ });
		await waitForMail(emails[1], { subject: /Confirm Your Signup/ });
		const pool = adminPool(1);
		const { rows } = await pool.query<{ email: string }>('select email from auth.users where email = any($1)', [emails]).finally(() => pool.end());
		expect(rows.map((r) => r.email).sort()).toEqual(emails.slice(0, 2).sort());

		// Every kind of auth email draws on it: a password reset is refused now too.
		const existing = uniqueEmail('quota-reset');
		expect((await serviceClient().auth.admin.createUser({ email: existing, password: PASSWORD, email_confirm: true })).error).toBeNull();
		const reset = await clientFrom(randomLoopbackAddress(), stackInfo().anonKey, apiUrl).auth.resetPasswordForEmail(existing);
		expect(reset.error?.code).toBe('over_email_send_rate_limit');
	}, 60_000);
});

describe('GoTrue’s limiters', () => {
	it('token buckets: 30 at once per key, then the configured rate, and a fresh bucket an hour after one was made', () => {
		let now = 0;
		const buckets = new TokenBuckets(30 / 300, 30, 60 * 60 * 1000, () => now);
		for (let i = 0; i < 30; i++) expect(buckets.allow('203.0.113.1')).toBe(true);
		expect(buckets.allow('203.0.113.1')).toBe(false);
		expect(buckets.allow('203.0.113.2')).toBe(true);
		now += 9_999;
		expect(buckets.allow('203.0.113.1')).toBe(false);
		now += 1;
		expect(buckets.allow('203.0.113.1')).toBe(true);
		expect(buckets.allow('203.0.113.1')).toBe(false);
		now = 60 * 60 * 1000;
		for (let i = 0; i < 30; i++) expect(buckets.allow('203.0.113.1')).toBe(true);
		expect(buckets.allow('203.0.113.1')).toBe(false);
	});

	it('the email quota: N per fixed hour from the start, then a fresh N', () => {
		let now = 1_000;
		const quota = new IntervalLimiter(2, 60 * 60 * 1000, () => now);
		expect([quota.allow(), quota.allow(), quota.allow()]).toEqual([true, true, false]);
		now += 60 * 60 * 1000 - 1;
		expect(quota.allow()).toBe(false);
		now += 1;
		expect([quota.allow(), quota.allow(), quota.allow()]).toEqual([true, true, false]);
	});
});
