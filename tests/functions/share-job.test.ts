// The share-job edge function on the local stack (real Deno, real Auth,
// real mail catcher): who may share, what each address gets by email (a
// "shared with you" link for accounts, an invitation to sign up that works
// for everyone else, and no Auth user made for it), idempotency, unsharing,
// the pending -> active change when the recipient claims the share (live),
// every refusal, and the per-sender email limit.
import { beforeAll, describe, expect, it } from 'vitest';
import { listMail, waitForMail } from '../helpers/mail.ts';
import { tokenClient } from '../helpers/rest.ts';
import { anonClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { addMember, adminForFile, callFunction, COLD_START_MS, createJob, createTeam, listen, person, signInByEmailLink, type Person } from './support.ts';

const admin = adminForFile();
let owner: Person;
let jobId: string;

const share = (body: unknown, token = owner.token) => callFunction('share-job', body, { token });
const canSee = async (token: string, id: string) => ((await tokenClient(token).from('jobs').select('id').eq('id', id)).data ?? []).length === 1;
/** What the web app does once the recipient is signed in: attach the shares waiting for their address. */
const claim = async (token: string) => {
	const { data, error } = await tokenClient(token).rpc('claim_pending_access');
	expect(error).toBeNull();
	return data;
};

beforeAll(async () => {
	owner = await person(admin, 'sharer');
	await admin.query(`update public.profiles set display_name = 'Ada Lovelace' where id = $1`, [owner.id]);
	jobId = await createJob(admin, owner.teamId, owner);
	// Starts the function (the first start may download its npm packages).
	expect((await share({ job_id: jobId, visibility: 'private' })).status).toBe(200);
}, COLD_START_MS);

describe('share-job: sharing by email', () => {
	it('shares with an account, pending like any address, and emails it a link that opens the job once claimed', async () => {
		const friend = await person(admin, 'friend');
		expect(await canSee(friend.token, jobId)).toBe(false);
		// As the web app calls it: supabase-js functions.invoke with the user's token.
		const { data, error } = await tokenClient(owner.token).functions.invoke('share-job', {
			body: { job_id: jobId, visibility: 'invited', emails: [`  ${friend.email.toUpperCase()} `] }
		});
		expect(error).toBeNull();
		const jobLink = `${stackInfo().siteUrl}/app/tools/protein-properties?jobId=${jobId}`;
		expect(data).toEqual({
			job: { id: jobId, name: 'Kinase panel', tool_id: 'protein-properties', visibility: 'invited', link: jobLink },
			shares: [{ email: friend.email, share_id: expect.any(String), state: 'pending', notification: { status: 'sent' } }]
		});
		expect(await canSee(friend.token, jobId)).toBe(false);

		const mail = await waitForMail(friend.email, { subject: /shared "Kinase panel" with you/ });
		expect(mail.to).toEqual([friend.email]);
		expect(mail.subject).toBe('Ada Lovelace shared "Kinase panel" with you on Foldwork');
		expect(mail.from).toContain('noreply@foldwork.local');
		expect(mail.text).toContain(`Ada Lovelace (${owner.email}) shared the job "Kinase panel" (protein-properties) with you`);
		// The one link: the app attaches what waits for the address, then opens the job.
		const link = `${stackInfo().siteUrl}/auth/pending?next=${encodeURIComponent(`/app/tools/protein-properties?jobId=${jobId}`)}`;
		expect(mail.links).toEqual([link]);
		expect(mail.html).toContain(`href="${link}"`);
		const next = new URL(mail.links[0]).searchParams.get('next')!;
		expect(await claim(friend.token)).toEqual({ attached: [{ job_id: jobId, tool_id: 'protein-properties', name: 'Kinase panel' }], pending_invites: [] });
		expect(await canSee(friend.token, new URL(next, stackInfo().siteUrl).searchParams.get('jobId')!)).toBe(true);
	});

	it('invites an address without an account to sign up, making no Auth user; signing up by link and choosing a password attaches the share, live', async () => {
		const newcomer = uniqueEmail('newcomer');
		const answer = await share({ job_id: jobId, visibility: 'invited', emails: [newcomer] });
		expect(answer.status).toBe(200);
		expect(answer.body.shares).toEqual([{ email: newcomer, share_id: expect.any(String), state: 'pending', notification: { status: 'sent' } }]);
		// Inviting never creates an Auth user.
		expect((await admin.query('select id from auth.users where email = $1', [newcomer])).rows).toEqual([]);

		const badges = await listen(owner.token, 'job_shares', `job_id=eq.${jobId}`);
		const mail = await waitForMail(newcomer, { subject: /invited you to see "Kinase panel"/ });
		expect(mail.to).toEqual([newcomer]);
		expect(mail.subject).toBe('Ada Lovelace invited you to see "Kinase panel" on Foldwork');
		expect(mail.text).toContain('Sign up to see it:');
		// The app's sign-up page with the address filled in: no token, nothing the sharer wrote.
		const signUp = `${stackInfo().siteUrl}/signup?email=${encodeURIComponent(newcomer)}&next=${encodeURIComponent(`/app/tools/protein-properties?jobId=${jobId}`)}`;
		expect(mail.links).toEqual([signUp]);
		expect(mail.html).toContain(`<a href="${signUp.replaceAll('&', '&amp;')}"`);

		// The page's password-less path: a link by email, then a password of their own.
		const { client, session } = await signInByEmailLink(newcomer, { after: mail.id, next: new URL(signUp).searchParams.get('next')! });
		expect(await canSee(session.access_token, jobId)).toBe(false);
		expect((await client.rpc('account_access')).data).toEqual({ state: 'choose_password', credentials_proven: false, pending_shares: 1, pending_invites: 0 });
		expect((await client.auth.updateUser({ password: 'newcomer-chose-this' })).error).toBeNull();
		expect((await client.rpc('claim_pending_access')).data).toMatchObject({ attached: [{ job_id: jobId }] });
		expect(await canSee(session.access_token, jobId)).toBe(true);

		const { rows } = await admin.query('select id from auth.users where email = $1', [newcomer]);
		const cleared = await badges.changes.next((c) => c.eventType === 'UPDATE' && c.new.email === newcomer && c.new.user_id === rows[0].id, 'the pending badge to clear');
		expect(cleared.new.accepted_at).toEqual(expect.any(String));
	});

	it('keeps a share pending for an unconfirmed account with that address: it sees nothing and cannot claim it', async () => {
		const squatter = await person(admin, 'unconfirmed', { confirmed: false });
		const answer = await share({ job_id: jobId, visibility: 'invited', emails: [squatter.email] });
		expect(answer.body.shares).toMatchObject([{ email: squatter.email, state: 'pending', notification: { status: 'sent' } }]);
		// An unconfirmed address gets the invitation to sign up, like any address without an account.
		await waitForMail(squatter.email, { subject: /invited you to see/ });
		expect(await canSee(squatter.token, jobId)).toBe(false);
		expect((await squatter.db.from('job_shares').select('id')).data).toEqual([]);
		expect((await squatter.db.rpc('claim_pending_access')).error).toMatchObject({
			code: '42501',
			message: 'confirm your email address before you open what was shared with you'
		});
		expect(await canSee(squatter.token, jobId)).toBe(false);
	});

	it('is idempotent: sharing again adds no share and sends no second email within the hour', async () => {
		const repeat = await person(admin, 'repeat');
		const body = { job_id: jobId, visibility: 'invited', emails: [repeat.email, repeat.email.toUpperCase()] };
		const first = await share(body);
		expect(first.body.shares).toHaveLength(1);
		expect(first.body.shares[0].notification).toEqual({ status: 'sent' });
		await waitForMail(repeat.email);
		const second = await share(body);
		expect(second.status).toBe(200);
		expect(second.body.shares).toMatchObject([{ email: repeat.email, state: 'pending', share_id: first.body.shares[0].share_id }]);
		expect(second.body.shares[0].notification).toEqual({ status: 'already_sent', last_sent_at: expect.any(String) });
		const { rows } = await admin.query('select count(*)::int as n from public.job_shares where job_id = $1 and email = $2', [jobId, repeat.email]);
		expect(rows[0].n).toBe(1);
		// The function answers after sending, so the inbox is final now.
		expect(await listMail(repeat.email)).toHaveLength(1);
	});

	it('takes a share away at once, and changes visibility without emailing anyone', async () => {
		const former = await person(admin, 'former');
		await share({ job_id: jobId, visibility: 'invited', emails: [former.email] });
		await claim(former.token);
		expect(await canSee(former.token, jobId)).toBe(true);
		const removed = await share({ action: 'unshare', job_id: jobId, emails: [former.email, 'never@example.test'] });
		expect(removed).toMatchObject({ status: 200, body: { job_id: jobId, removed: [former.email], not_shared: ['never@example.test'] } });
		expect(await canSee(former.token, jobId)).toBe(false);

		const other = await createJob(admin, owner.teamId, owner, 'Public run');
		const visible = await share({ job_id: other, visibility: 'public' });
		expect(visible.body).toMatchObject({ job: { id: other, visibility: 'public' }, shares: [] });
		// Anyone with the link opens it now (public.get_job; other teams' jobs are read by id only).
		expect((await anonClient().rpc('get_job', { job_id: other })).data).toMatchObject({ access: 'link', job: { id: other } });
	});
});

describe('share-job: refusals', () => {
	it('refuses callers who may not share the job, before emailing anyone', async () => {
		const outsider = await person(admin, 'outsider');
		const viewer = await person(admin, 'viewer');
		await addMember(admin, owner.teamId, viewer, 'viewer');
		const otherOwner = await person(admin, 'other-owner');
		const foreignJob = await createJob(admin, await createTeam(admin, otherOwner), otherOwner);
		const target = uniqueEmail('target');
		const body = (id: string) => ({ job_id: id, visibility: 'invited', emails: [target] });

		expect(await share(body(jobId), outsider.token)).toMatchObject({ status: 404, body: { code: 'not_found', error: `job ${jobId} not found` } });
		expect(await share(body(jobId), viewer.token)).toMatchObject({
			status: 403,
			body: { code: 'forbidden', error: 'team viewers can only look: they cannot change the visibility of jobs' }
		});
		expect(await share(body(foreignJob), owner.token)).toMatchObject({ status: 404, body: { error: `job ${foreignJob} not found` } });
		expect(await share({ action: 'unshare', job_id: jobId, emails: [owner.email] }, viewer.token)).toMatchObject({
			status: 403,
			body: { error: 'team viewers can only look: they cannot share jobs' }
		});
		expect(await share(body('00000000-0000-4000-8000-000000000000'))).toMatchObject({ status: 404 });
		const anon = await callFunction('share-job', body(jobId));
		expect(anon).toMatchObject({ status: 401, body: { code: 'not_signed_in' } });
		expect(anon.body.error).toMatch(/^Sign in first/);
		expect(await callFunction('share-job', body(jobId), { token: 'not-a-jwt' })).toMatchObject({ status: 401, body: { msg: 'Invalid JWT' } });
		expect(await listMail(target)).toEqual([]);
		const { rows } = await admin.query('select count(*)::int as n from public.job_shares where email = $1', [target]);
		expect(rows[0].n).toBe(0);
	});

	it('refuses bad addresses one by one, saying what is wrong with each, and shares with none of them', async () => {
		const victim = uniqueEmail('bcc-victim');
		const good = uniqueEmail('good');
		const answer = await share({
			job_id: jobId,
			visibility: 'invited',
			emails: [good, `a@b.com\r\nBcc: ${victim}`, 'no-at-sign', 'two@@example.com', 'Ada <ada@example.com>', 'a@localhost', '', 'x@exa mple.com']
		});
		expect(answer.status).toBe(400);
		expect(answer.body.code).toBe('invalid_request');
		expect(answer.body.error).toBe(`emails[1]: "a@b.com\\r\\nBcc: ${victim}" contains a line break; give one bare address per entry (and 6 more problems, listed in "issues")`);
		expect(answer.body.issues).toEqual([
			{ path: 'emails[1]', message: `"a@b.com\\r\\nBcc: ${victim}" contains a line break; give one bare address per entry` },
			{ path: 'emails[2]', message: '"no-at-sign" is missing the @' },
			{ path: 'emails[3]', message: '"two@@example.com" has more than one @' },
			{ path: 'emails[4]', message: '"Ada <ada@example.com>" contains a space' },
			{ path: 'emails[5]', message: '"a@localhost" has no top-level domain after the @ (like localhost.com)' },
			{ path: 'emails[6]', message: '"" is empty' },
			{ path: 'emails[7]', message: '"x@exa mple.com" contains a space' }
		]);
		expect(await listMail(victim)).toEqual([]);
		expect(await listMail(good)).toEqual([]);
		expect(await share({ job_id: jobId, visibility: 'invited', emails: ['<ada@example.com>'] })).toMatchObject({
			status: 400,
			body: { error: expect.stringContaining('is not a bare address') }
		});
	});

	it('refuses more than 50 addresses (counted after duplicates are dropped)', async () => {
		const many = Array.from({ length: 51 }, (_, i) => `person${i}@example.test`);
		const answer = await share({ job_id: jobId, visibility: 'invited', emails: many });
		expect(answer).toMatchObject({
			status: 400,
			body: { error: 'emails: too many addresses: 51 (after removing duplicates), and at most 50 are accepted per call; send the rest in another call' }
		});
		const fifty = [...many.slice(0, 50), 'PERSON0@example.test'];
		const shares = await callFunction('share-job', { job_id: jobId, visibility: 'private', emails: fifty }, { token: owner.token });
		// 50 distinct addresses pass the count; sharing by email then needs "invited".
		expect(shares.body.error).toBe('emails: people are invited by email only with visibility "invited", not "private": leave out emails or choose "invited"');
	});

	it('answers malformed, empty, oversized and mistyped bodies with what to fix', async () => {
		const raw = (raw: BodyInit, headers: Record<string, string> = {}) => callFunction('share-job', null, { token: owner.token, raw, headers });
		const malformed = await raw('{"job_id": ');
		expect(malformed).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
		expect(malformed.body.error).toMatch(/^The body is not valid JSON \(.+\): send a JSON object like \{"job_id": "<uuid>", "visibility": "invited", "emails": \["ada@example.com"\]\}\.$/);
		expect(await raw('')).toMatchObject({ status: 400, body: { code: 'empty_body', error: expect.stringMatching(/^The body is empty: send a JSON object like/) } });
		expect(await raw('[1, 2]')).toMatchObject({ status: 400, body: { error: 'The body must be a JSON object, not an array.' } });
		expect(await raw('"text"')).toMatchObject({ status: 400, body: { error: 'The body must be a JSON object, not a string.' } });
		const huge = JSON.stringify({ job_id: jobId, visibility: 'invited', emails: [], padding: 'x'.repeat(70_000) });
		expect(await raw(huge)).toMatchObject({ status: 413, body: { code: 'body_too_large', error: expect.stringMatching(/send at most 65536 bytes \(64 KiB\)\.$/) } });
		// A streamed body (no Content-Length) is cut off while it is read.
		const stream = new ReadableStream({
			start(controller) {
				for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(8192)));
				controller.close();
			}
		});
		const streamed = await fetch(`${stackInfo().apiUrl}/functions/v1/share-job`, {
			method: 'POST',
			headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
			body: stream,
			duplex: 'half'
		} as RequestInit);
		expect(streamed.status).toBe(413);

		expect(await share({ job_id: 42, visibility: 'invited' })).toMatchObject({ status: 400, body: { error: 'job_id: job_id must be a string (a UUID)' } });
		expect(await share({ job_id: 'job-1', visibility: 'invited' })).toMatchObject({
			status: 400,
			body: { error: 'job_id: job_id must be a UUID like 0b6a3c1e-2f4d-4e5a-9b7c-8d9e0f1a2b3c' }
		});
		expect(await share({ visibility: 'invited' })).toMatchObject({ status: 400, body: { error: 'job_id: job_id is required' } });
		expect(await share({ job_id: jobId, visibility: 'everyone' })).toMatchObject({
			status: 400,
			body: { error: 'visibility: visibility must be one of private, authenticated, invited, public' }
		});
		expect(await share({ job_id: jobId, visibility: 'invited', emails: 'ada@example.com' })).toMatchObject({
			status: 400,
			body: { error: 'emails: emails must be an array of email addresses' }
		});
		expect(await share({ job_id: jobId, visibility: 'invited', emails: [42] })).toMatchObject({ status: 400, body: { error: 'emails[0]: each address must be a string' } });
		const misnamed = await share({ jobId, visibility: 'invited' });
		expect(misnamed).toMatchObject({ status: 400, body: { error: 'job_id: job_id is required (and 1 more problem, listed in "issues")' } });
		expect(misnamed.body.issues).toContainEqual({ path: '', message: 'unknown field "jobId": the fields are action, job_id, visibility and emails' });
		expect(await share({ action: 'delete', job_id: jobId })).toMatchObject({ status: 400, body: { error: 'action must be "share" (the default) or "unshare", not "delete".' } });
		expect(await share({ action: 'unshare', job_id: jobId, emails: [] })).toMatchObject({ status: 400, body: { error: 'emails: give at least 1 email address' } });
		expect(await callFunction('share-job', null, { token: owner.token, method: 'GET' })).toMatchObject({ status: 405, body: { code: 'method_not_allowed' } });
	});
});

describe('share-job: the per-sender email limit', () => {
	it('refuses to email more than 100 people an hour for one sender, keeps the shares, and says when to retry', async () => {
		const busy = await person(admin, 'busy');
		const job = await createJob(admin, busy.teamId, busy);
		await admin.query(
			`insert into private.email_log (sender_id, recipient, kind, subject_id, sent_at)
			 select $1, 'earlier' || g || '@example.test', 'job_share', gen_random_uuid(), now() - interval '30 minutes' + g * interval '1 second'
			 from generate_series(1, 99) g`,
			[busy.id]
		);
		const last = uniqueEmail('last-slot');
		expect((await share({ job_id: job, visibility: 'invited', emails: [last] }, busy.token)).body.shares[0].notification).toEqual({ status: 'sent' });
		const late = [uniqueEmail('late'), uniqueEmail('late')];
		const refused = await share({ job_id: job, visibility: 'invited', emails: late }, busy.token);
		expect(refused.status).toBe(429);
		expect(refused.body).toMatchObject({ code: 'email_rate_limited', limit: 100, sent_last_hour: 100, requested: 2 });
		expect(refused.body.error).toMatch(
			/^Too many emails: each person can have at most 100 invitation and sharing emails sent per hour, you have sent 100 in the last hour and this would send 2 more\. The job is shared with them all the same, but no email went out\. Try again after \d\d:\d\d UTC \(in \d+ min\)\.$/
		);
		// The two oldest emails must leave the window: the first at 30 min ago + 1 s, the second + 2 s.
		const retryAfter = Date.parse(refused.body.retry_after);
		expect(retryAfter).toBeGreaterThan(Date.now() + 25 * 60_000);
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(25 * 60);
		expect(refused.body.shares.map((s: { email: string; state: string }) => [s.email, s.state])).toEqual(late.map((e) => [e, 'pending']));
		for (const address of late) expect(await listMail(address)).toEqual([]);
		// The limit is the sender's: another team member's emails still go out.
		expect((await share({ job_id: jobId, visibility: 'invited', emails: [late[0]] })).body.shares[0].notification).toEqual({ status: 'sent' });
	});
});
