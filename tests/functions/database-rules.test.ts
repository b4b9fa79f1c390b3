// The database rules under the share-job and invite-member functions, on a
// database of this file's own: the email log and its claims are for the
// service role only; one email per address and subject per hour across
// senders; at most 12 per address per day across senders; the per-sender
// hourly limit; seat limits on members and invites; confirming an address
// grants nothing by itself; and which addresses have accounts is for the
// service role only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createUser, errorOf, openTestDatabase, service, withActor, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
	db = await openTestDatabase(2);
});
afterAll(async () => {
	await db?.close();
});

const asService = <T>(sql: string, params: unknown[] = []) => withActor(db.pool, service, async (c) => (await c.query(sql, params)).rows[0] as T);
const claim = (sender: string, items: Array<{ email: string; subject_id: string }>) =>
	asService<{ claim: Record<string, any> }>(`select public.claim_email_sends($1, 'job_share', $2) as claim`, [sender, JSON.stringify(items)]).then((r) => r.claim);

describe('email log', () => {
	it('is reachable by the service role only', async () => {
		const user = await createUser(db.pool);
		for (const sql of [
			'select count(*) from private.email_log',
			`select public.claim_email_sends('${user.id}', 'job_share', '[]')`,
			`select public.release_email_sends('{}')`
		]) {
			const error = await withActor(db.pool, asUser(user), (c) => c.query(sql)).then(() => null, errorOf);
			expect(error?.code, sql).toBe('42501');
		}
		expect(await claim(user.id, [])).toMatchObject({ allowed: true, claims: [], recent: [], capped: [], recipient_limit: 12 });
	});

	it('claims an address and subject once an hour, whoever sends; released claims can be sent again', async () => {
		const [alice, bob] = [await createUser(db.pool), await createUser(db.pool)];
		const subject = '7d1c2b9e-4b7a-4c1e-9d2f-3a4b5c6d7e8f';
		const first = await claim(alice.id, [
			{ email: 'x@example.test', subject_id: subject },
			{ email: 'x@example.test', subject_id: subject },
			{ email: 'y@example.test', subject_id: subject }
		]);
		expect(first.claims.map((c: { email: string }) => c.email)).toEqual(['x@example.test', 'y@example.test']);
		const second = await claim(bob.id, [{ email: 'x@example.test', subject_id: subject }]);
		expect(second).toMatchObject({ allowed: true, claims: [], recent: [{ email: 'x@example.test', subject_id: subject, last_sent_at: expect.any(String) }] });
		// Another subject is another email.
		expect((await claim(bob.id, [{ email: 'x@example.test', subject_id: alice.id }])).claims).toHaveLength(1);
		const released = await asService<{ n: number }>('select public.release_email_sends($1) as n', [[first.claims[0].id]]);
		expect(released.n).toBe(1);
		expect((await claim(bob.id, [{ email: 'x@example.test', subject_id: subject }])).claims).toHaveLength(1);
	});

	it('sends one address at most 12 emails a day, whoever sends them; the rest are skipped with when the next may go', async () => {
		const senders = await Promise.all(Array.from({ length: 3 }, () => createUser(db.pool)));
		const target = 'popular@example.test';
		const bystander = 'quiet@example.test';
		// 11 emails to the target in the last day from other senders, the first 23 hours ago; two from two days ago no longer count.
		await db.pool.query(
			`insert into private.email_log (sender_id, recipient, kind, subject_id, sent_at)
			 select $1::uuid, $2, 'job_share', gen_random_uuid(), now() - interval '23 hours' + g * interval '1 minute' from generate_series(0, 10) g
			 union all select $1::uuid, $2, 'team_invite', gen_random_uuid(), now() - interval '2 days' from generate_series(1, 2)`,
			[senders[0].id, target]
		);
		const subject = () => crypto.randomUUID();
		const twelfth = await claim(senders[1].id, [{ email: target, subject_id: subject() }]);
		expect(twelfth).toMatchObject({ allowed: true, capped: [] });
		expect(twelfth.claims).toHaveLength(1);
		const [a, b] = [subject(), subject()];
		const thirteenth = await claim(senders[2].id, [
			{ email: target, subject_id: a },
			{ email: bystander, subject_id: b }
		]);
		// The bystander's email goes; the target's is skipped, not refused for the batch.
		expect(thirteenth).toMatchObject({ allowed: true, requested: 1, sent_last_hour: 1, claims: [{ email: bystander, subject_id: b }] });
		expect(thirteenth.capped).toEqual([{ email: target, subject_id: a, sent_today: 12, retry_after: expect.any(String) }]);
		// The oldest of the day's 12 leaves the window in about an hour.
		const wait = (Date.parse(thirteenth.capped[0].retry_after) - Date.now()) / 60_000;
		expect(wait).toBeGreaterThan(55);
		expect(wait).toBeLessThan(61);
		const { rows } = await db.pool.query(`select count(*)::int as n from private.email_log where recipient = $1 and sent_at > now() - interval '1 day'`, [target]);
		expect(rows[0].n).toBe(12);
	});

	it('allows 100 emails per sender per rolling hour, then refuses the whole batch and says when it fits', async () => {
		const sender = await createUser(db.pool);
		await db.pool.query(
			`insert into private.email_log (sender_id, recipient, kind, subject_id, sent_at)
			 select $1::uuid, 'r' || g || '@example.test', 'team_invite', gen_random_uuid(), now() - interval '2 hours' + g * interval '1 minute'
			 from generate_series(1, 120) g
			 union all
			 select $1::uuid, 'old' || g || '@example.test', 'team_invite', gen_random_uuid(), now() - interval '2 days' from generate_series(1, 5) g`,
			[sender.id]
		);
		// One a minute for the last two hours: the 60 of the last hour count.
		const items = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `n${i}@example.test`, subject_id: sender.id }));
		const refused = await claim(sender.id, items(41));
		expect(refused).toMatchObject({ allowed: false, limit: 100, sent_last_hour: 60, requested: 41, claims: [] });
		// One of the 60 must leave the window: the oldest, sent 59 minutes ago.
		const wait = (Date.parse(refused.retry_after) - Date.now()) / 60_000;
		expect(wait).toBeGreaterThan(0);
		expect(wait).toBeLessThan(2);
		expect(await claim(sender.id, items(40))).toMatchObject({ allowed: true, sent_last_hour: 100 });
		// Claims also clear the sender's entries older than a day.
		const { rows } = await db.pool.query(`select count(*)::int as n from private.email_log where sender_id = $1 and sent_at < now() - interval '1 day'`, [sender.id]);
		expect(rows[0].n).toBe(0);
	});
});

describe('seats and invited accounts', () => {
	it('refuses a member past the seat limit, and refuses to accept an invite whose seat was taken away', async () => {
		const owner = await createUser(db.pool);
		const { rows } = await db.pool.query(`insert into public.teams (name, created_by, seat_limit) values ('Two seats', $1, 2) returning id`, [owner.id]);
		const team = rows[0].id;
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'owner')`, [team, owner.id]);
		const invite = await withActor(db.pool, asUser(owner), (c) => c.query(`select * from public.invite_team_member($1, 'joiner@example.test')`, [team]));
		// Seat two is the invite's; a member added past it (support staff, say) is refused.
		const third = await createUser(db.pool);
		await expect(db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [team, third.id])).rejects.toThrow(
			'this team has 2 seats and all of them are taken'
		);
		// Lower the limit under the invite's seat: the invitee confirms (nothing happens) and cannot join.
		await db.pool.query('update public.teams set seat_limit = 1 where id = $1', [team]);
		const joiner = await createUser(db.pool, { email: 'joiner@example.test', confirmed: false });
		await db.pool.query('update auth.users set email_confirmed_at = now() where id = $1', [joiner.id]);
		const refused = await withActor(db.pool, asUser(joiner), (c) => c.query('select public.accept_team_invite($1)', [invite.rows[0].id])).then(() => null, errorOf);
		expect(refused?.message).toMatch(/^this team has 1 seats? and all of them are taken/);
		const { rows: after } = await db.pool.query('select status from public.team_invites where id = $1', [invite.rows[0].id]);
		expect(after).toEqual([{ status: 'pending' }]);
		const { rows: members } = await db.pool.query('select count(*)::int as n from public.team_members where team_id = $1', [team]);
		expect(members[0].n).toBe(1);
	});

	it('grants nothing when an address is confirmed: invites wait for the explicit accept, shares for a claim', async () => {
		const owner = await createUser(db.pool);
		const team = (await withActor(db.pool, asUser(owner), (c) => c.query(`select * from public.create_team('Lab')`))).rows[0].id;
		await withActor(db.pool, asUser(owner), (c) => c.query(`select public.invite_team_member($1, 'confirms@example.test', 'admin')`, [team]));
		const { rows: jobs } = await db.pool.query(
			`insert into public.jobs (team_id, tool_id, submitted_by, name, input, visibility) values ($1, 'protein-properties', $2, 'j', '{"sequences":[{}]}', 'invited') returning id`,
			[team, owner.id]
		);
		await withActor(db.pool, asUser(owner), (c) => c.query(`select public.share_job($1, 'confirms@example.test')`, [jobs[0].id]));
		const invitee = await createUser(db.pool, { email: 'confirms@example.test', confirmed: false });
		await db.pool.query(`update auth.users set invited_at = now(), email_confirmed_at = now() where id = $1`, [invitee.id]);
		const { rows } = await db.pool.query(
			`select (select status::text from public.team_invites where team_id = $1) as invite,
			        (select user_id from public.job_shares where job_id = $2) as share_user,
			        (select count(*)::int from public.team_members where team_id = $1) as members`,
			[team, jobs[0].id]
		);
		expect(rows).toEqual([{ invite: 'pending', share_user: null, members: 1 }]);
		const membership = await withActor(db.pool, asUser(invitee), async (c) => (await c.query(`select * from public.accept_team_invite((select id from public.team_invites where team_id = $1))`, [team])).rows[0]);
		expect(membership).toMatchObject({ team_id: team, user_id: invitee.id, role: 'admin' });
	});

	it('tells only the service role which addresses have accounts', async () => {
		const known = await createUser(db.pool, { email: 'has-account@example.test' });
		await createUser(db.pool, { email: 'not-confirmed@example.test', confirmed: false });
		const asked = ['HAS-ACCOUNT@example.test', 'not-confirmed@example.test', 'nobody@example.test'];
		expect(await asService<{ r: string[] }>('select public.emails_with_accounts($1) as r', [asked])).toEqual({ r: ['has-account@example.test'] });
		const refused = await withActor(db.pool, asUser(known), (c) => c.query('select public.emails_with_accounts($1)', [asked])).then(() => null, errorOf);
		expect(refused?.code).toBe('42501');
	});

	it('shares with up to 50 addresses in one all-or-nothing call, only with visibility "invited"', async () => {
		const owner = await createUser(db.pool);
		const { rows } = await db.pool.query(
			`insert into public.jobs (team_id, tool_id, submitted_by, name, input) values ($1, 'protein-properties', $2, 'j', '{"sequences":[{}]}') returning id`,
			[owner.teamId, owner.id]
		);
		const job = rows[0].id;
		const call = (visibility: string, emails: string[]) =>
			withActor(db.pool, asUser(owner), (c) => c.query('select public.share_job_with($1, $2, $3) as r', [job, visibility, emails])).then((r) => r.rows[0].r, errorOf);
		expect(await call('public', ['a@example.test'])).toEqual({
			code: '22023',
			message: 'people are invited by email only with visibility "invited", not "public": leave out the emails or choose "invited"'
		});
		expect(await call('invited', ['a@example.test', 'not an address'])).toEqual({ code: '22023', message: 'not an email address: "not an address"' });
		expect((await call('invited', Array.from({ length: 51 }, (_, i) => `p${i}@example.test`))).message).toBe(
			'at most 50 addresses per call, not 51: share with the rest in another call'
		);
		const { rows: none } = await db.pool.query('select count(*)::int as n from public.job_shares where job_id = $1', [job]);
		expect(none[0].n).toBe(0);
		const shared = await call('invited', ['A@Example.test']);
		expect(shared).toMatchObject({ job: { id: job, visibility: 'invited' }, sender: { id: owner.id }, shares: [{ email: 'a@example.test', user_id: null }] });
	});
});
