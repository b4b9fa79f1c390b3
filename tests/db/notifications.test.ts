// Notifications (supabase/migrations/20261209820000..0200): written by
// triggers when a job ends, a job is shared, a team invites an account or a
// team's credits fall below its alert; readable and markable only by their
// recipient (no client writes them); emailed as digests claimed by the fleet (one per person
// per interval, taken again after a crash, never built twice); unsubscribed
// by a token only its owner has.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_KINDS } from '../../src/lib/notifications/kinds.ts';
import { anon, asUser, attempt, createUser, driveJob, moleculeInput, openTestDatabase, service, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(6);
});
afterAll(async () => {
	await db?.close();
});

async function submit(user: TestUser, name = 'a job'): Promise<string> {
	return withActor(db.pool, asUser(user), async (c) => {
		const { rows } = await c.query(`select id from public.submit_job('molecule-properties', $1, $2)`, [name, moleculeInput(1)]);
		return rows[0].id as string;
	});
}

const mine = (user: TestUser) =>
	withActor(db.pool, asUser(user), async (c) => (await c.query('select kind, title, body, link, read_at from public.notifications order by created_at, id')).rows);

async function setAway(user: TestUser, away = true): Promise<void> {
	await db.pool.query(
		`insert into private.notification_recipients (user_id, last_seen_at) values ($1, $2)
		 on conflict (user_id) do update set last_seen_at = excluded.last_seen_at`,
		[user.id, away ? new Date(Date.now() - 3_600_000) : new Date()]
	);
}

const claim = async (batch = 20) =>
	(await db.pool.query('select * from worker.claim_notification_digests($1)', [batch])).rows as Array<{
		digest_id: string;
		user_id: string;
		email: string;
		unsubscribe_token: string;
		notifications: Array<{ kind: string; title: string; link: string }>;
	}>;
const claimFor = async (user: TestUser) => (await claim()).filter((d) => d.user_id === user.id);

describe('the events', () => {
	it('knows the same events as the app', async () => {
		const { rows } = await db.pool.query('select private.notification_kinds() as kinds');
		expect(rows[0].kinds).toEqual([...NOTIFICATION_KINDS]);
	});

	it('tells the submitter that a job completed, failed or timed out, with a link to it', async () => {
		const ada = await createUser(db.pool);
		const [done, broken, slow, cancelled] = [await submit(ada, 'Kinase screen'), await submit(ada, 'Broken'), await submit(ada, 'Slow'), await submit(ada, 'Stopped')];
		await driveJob(db.pool, done, 'completed');
		await driveJob(db.pool, broken, 'failed');
		await driveJob(db.pool, slow, 'timeout');
		await driveJob(db.pool, cancelled, 'cancelled');
		expect(await mine(ada)).toEqual([
			{ kind: 'job_completed', title: 'Job "Kinase screen" completed', body: null, link: `/app/tools/molecule-properties?jobId=${done}`, read_at: null },
			{ kind: 'job_failed', title: 'Job "Broken" failed', body: 'the input could not be parsed', link: `/app/tools/molecule-properties?jobId=${broken}`, read_at: null },
			{ kind: 'job_timeout', title: 'Job "Slow" timed out', body: null, link: `/app/tools/molecule-properties?jobId=${slow}`, read_at: null }
		]);
	});

	it('tells a person a job was shared with them and that a team invited them; an address without an account gets nothing', async () => {
		const owner = await createUser(db.pool);
		const ivy = await createUser(db.pool);
		const jobId = await submit(owner, 'Shared job');
		await db.pool.query(`insert into public.job_shares (job_id, email, user_id, accepted_at, invited_by) values ($1, $2, $3, now(), $4)`, [jobId, ivy.email, ivy.id, owner.id]);
		await db.pool.query(`insert into public.team_invites (team_id, email, role, invited_by) values ($1, $2, 'member', $3)`, [owner.teamId, ivy.email, owner.id]);
		await db.pool.query(`insert into public.team_invites (team_id, email, role, invited_by) values ($1, 'nobody-here@example.test', 'member', $2)`, [owner.teamId, owner.id]);
		const got = await mine(ivy);
		expect(got.map((n) => [n.kind, n.title])).toEqual([
			['job_shared', 'A job was shared with you: "Shared job"'],
			['team_invite', `You were invited to join the team "${owner.email.split('@')[0]}'s workspace" as member`]
		]);
		expect(got[1].link).toMatch(/^\/app\/team\/invites\/[0-9a-f-]{36}$/);
		const { rows } = await db.pool.query(`select count(*)::int as n from public.notifications where team_id = $1 or user_id = $2`, [owner.teamId, owner.id]);
		expect(rows[0].n).toBe(0);
	});

	it("tells a team's owners and admins once each time its credits cross the alert downward", async () => {
		const owner = await createUser(db.pool);
		const admin = await createUser(db.pool);
		const member = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'admin'), ($1, $3, 'member')`, [owner.teamId, admin.id, member.id]);
		const adjust = (delta: number) => db.pool.query(`insert into public.credit_ledger (team_id, delta, reason) values ($1, $2, 'adjustment')`, [owner.teamId, delta]);
		await adjust(-70); // 100 -> 30: above 20
		await adjust(-15); // 30 -> 15: crosses
		await adjust(-5); // 15 -> 10: still below, no second alert
		await adjust(+50); // back up to 60
		await adjust(-45); // 60 -> 15: crosses again
		const lows = async (u: TestUser) => (await mine(u)).filter((n) => n.kind === 'credits_low').map((n) => n.title);
		const name = `${owner.email.split('@')[0]}'s workspace`;
		expect(await lows(owner)).toEqual([`"${name}" has 15 credits left`, `"${name}" has 15 credits left`]);
		expect(await lows(admin)).toHaveLength(2);
		expect(await lows(member)).toEqual([]);
	});

	it("lets owners and admins set their team's alert, and nobody else", async () => {
		const owner = await createUser(db.pool);
		const member = await createUser(db.pool);
		const outsider = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [owner.teamId, member.id]);
		const set = (u: TestUser, n: unknown) => withActor(db.pool, asUser(u), (c) => attempt(c, 'select public.set_low_credit_threshold($1, $2) as t', [owner.teamId, n]));
		expect((await set(member, 50)).error).toEqual({ code: '42501', message: "only the team's owners and admins can change its low-credit alert" });
		expect((await set(outsider, 50)).error).toEqual({ code: '42704', message: `team ${owner.teamId} not found` });
		expect((await set(owner, -1)).error).toEqual({ code: '22023', message: 'the low-credit alert is a whole number of credits from 0 to 1000000, not -1' });
		expect((await set(owner, 95)).rows[0].t).toBe(95);
		const read = await withActor(db.pool, asUser(member), (c) => attempt(c, 'select public.low_credit_threshold($1) as t', [owner.teamId]));
		expect(read.rows[0].t).toBe(95);
		await db.pool.query(`insert into public.credit_ledger (team_id, delta, reason) values ($1, -10, 'adjustment')`, [owner.teamId]);
		expect((await mine(owner)).map((n) => n.kind)).toEqual(['credits_low']);
	});

	it("follows each person's settings: off writes nothing, in_app writes without email", async () => {
		const ada = await createUser(db.pool);
		const saved = await withActor(db.pool, asUser(ada), async (c) =>
			(await c.query(`select public.set_notification_preferences($1) as p`, [{ job_completed: 'off', job_failed: 'in_app' }])).rows[0].p
		);
		expect(saved).toEqual({ job_completed: 'off', job_failed: 'in_app', job_timeout: 'email', job_shared: 'email', team_invite: 'email', credits_low: 'email' });
		await driveJob(db.pool, await submit(ada), 'completed');
		await driveJob(db.pool, await submit(ada), 'failed');
		expect((await mine(ada)).map((n) => n.kind)).toEqual(['job_failed']);
		await setAway(ada);
		expect(await claimFor(ada)).toEqual([]);
	});
});

describe('who can touch a notification', () => {
	it("keeps another user, an anonymous visitor and a client out of someone's notifications and settings", async () => {
		const ada = await createUser(db.pool);
		const eve = await createUser(db.pool);
		await driveJob(db.pool, await submit(ada), 'completed');
		const { rows } = await db.pool.query('select id from public.notifications where user_id = $1', [ada.id]);
		const id = rows[0].id;
		await withActor(db.pool, asUser(eve), async (c) => {
			expect((await c.query('select * from public.notifications where id = $1', [id])).rows).toEqual([]);
			expect((await c.query('select public.mark_notifications_read($1) as n', [[id]])).rows[0].n).toBe(0);
			for (const sql of [
				'update public.notifications set read_at = now() where id = $1',
				'delete from public.notifications where id = $1',
				`insert into public.notifications (user_id, kind, title) select user_id, 'job_completed', 'fake' from public.notifications where id = $1`,
				`insert into public.notification_preferences (user_id, kind, delivery) select user_id, 'job_completed', 'off' from public.notifications where id = $1`,
				`update public.notification_preferences set delivery = 'off' where user_id = (select user_id from public.notifications where id = $1)`
			]) {
				expect((await attempt(c, sql, [id])).error?.message, sql).toMatch(/permission denied/);
			}
			expect((await attempt(c, `select private.notify_person($1, 'job_completed', 'fake', null, null, null)`, [ada.id])).error?.message).toMatch(/permission denied/);
			// Her own settings change hers only.
			await c.query(`select public.set_notification_preferences('{"job_completed": "off"}')`);
			expect((await attempt(c, `select public.set_notification_preferences('{"job_completed": "loud"}')`)).error).toEqual({ code: '22023', message: 'the delivery of job_completed is email, in_app or off, not "loud"' });
			expect((await attempt(c, `select public.set_notification_preferences('{"everything": "off"}')`)).error?.message).toMatch(/^unknown event "everything": the events are job_completed, /);
		});
		await withActor(db.pool, anon, async (c) => {
			expect((await attempt(c, 'select * from public.notifications')).error?.message).toMatch(/permission denied/);
			expect((await attempt(c, 'select public.mark_notifications_read(null)')).error?.message).toMatch(/permission denied/);
			expect((await attempt(c, 'select public.touch_presence()')).error?.message).toMatch(/permission denied/);
		});
		const after = await mine(ada);
		expect(after).toHaveLength(1);
		expect(after[0].read_at).toBeNull();
		expect((await db.pool.query('select user_id from public.notification_preferences where kind = $1 and user_id in ($2, $3)', ['job_completed', ada.id, eve.id])).rows).toEqual([{ user_id: eve.id }]);
		// Ada herself can mark it read.
		expect(await withActor(db.pool, asUser(ada), async (c) => (await c.query('select public.mark_notifications_read(null) as n')).rows[0].n)).toBe(1);
	});
});

describe('email digests', () => {
	it('turns a flood of job completions into one digest for a person who is away, and none within the interval', async () => {
		const ada = await createUser(db.pool);
		const jobs = await Promise.all(Array.from({ length: 25 }, (_, i) => submit(ada, `job ${i}`)));
		for (const jobId of jobs) await driveJob(db.pool, jobId, 'completed');
		await setAway(ada, false);
		expect(await claimFor(ada)).toEqual([]); // a page is open: no email
		await setAway(ada);
		const [digest, ...more] = await claimFor(ada);
		expect(more).toEqual([]);
		expect(digest.email).toBe(ada.email);
		expect(digest.unsubscribe_token).toMatch(/^[0-9a-f]{64}$/);
		expect(digest.notifications).toHaveLength(25);
		expect(await claimFor(ada)).toEqual([]); // claimed: not twice
		await db.pool.query('select worker.notification_digest_sent($1)', [digest.digest_id]);
		await driveJob(db.pool, await submit(ada, 'later'), 'completed');
		expect(await claimFor(ada)).toEqual([]); // within the interval
		await db.pool.query(`update private.notification_recipients set last_digest_at = now() - interval '11 minutes' where user_id = $1`, [ada.id]);
		const [next] = await claimFor(ada);
		expect(next.notifications.map((n) => n.title)).toEqual(['Job "later" completed']);
	});

	it('leaves out what was read in the app', async () => {
		const ada = await createUser(db.pool);
		await driveJob(db.pool, await submit(ada), 'completed');
		await withActor(db.pool, asUser(ada), (c) => c.query('select public.mark_notifications_read(null)'));
		await setAway(ada);
		expect(await claimFor(ada)).toEqual([]);
	});

	it('takes a digest again with the same contents after a crash between claim and send, and gives up after the attempts', async () => {
		const ada = await createUser(db.pool);
		await driveJob(db.pool, await submit(ada, 'one'), 'completed');
		await setAway(ada);
		const [first] = await claimFor(ada);
		await driveJob(db.pool, await submit(ada, 'two'), 'completed');
		expect(await claimFor(ada)).toEqual([]); // the lease holds
		await db.pool.query(`update private.notification_digests set lease_until = now() - interval '1 second' where id = $1`, [first.digest_id]);
		const [again] = await claimFor(ada);
		expect(again.digest_id).toBe(first.digest_id);
		expect(again.notifications).toEqual(first.notifications);
		// A failed send is tried again on the next pass; a permanent failure is not.
		await db.pool.query('select worker.notification_digest_failed($1, false)', [first.digest_id]);
		expect((await claimFor(ada)).map((d) => d.digest_id)).toEqual([first.digest_id]);
		await db.pool.query('select worker.notification_digest_failed($1, true)', [first.digest_id]);
		expect(await claimFor(ada)).toEqual([]);
	});

	it('lets one of two workers claiming at once have a digest', async () => {
		const ada = await createUser(db.pool);
		await driveJob(db.pool, await submit(ada), 'completed');
		await setAway(ada);
		const pool = new pg.Pool({ connectionString: db.url, max: 2 });
		try {
			const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
			await a.query('begin');
			await b.query('begin');
			const got = await Promise.all([a, b].map(async (c) => (await c.query('select * from worker.claim_notification_digests(20)')).rows.filter((d) => d.user_id === ada.id)));
			await a.query('commit');
			await b.query('commit');
			a.release();
			b.release();
			expect(got.flat()).toHaveLength(1);
		} finally {
			await pool.end();
		}
	});

	it('only the service role claims digests', async () => {
		const ada = await createUser(db.pool);
		await withActor(db.pool, asUser(ada), async (c) => {
			expect((await attempt(c, 'select * from worker.claim_notification_digests(20)')).error?.message).toMatch(/permission denied/);
		});
		await withActor(db.pool, service, async (c) => {
			expect((await attempt(c, 'select * from worker.claim_notification_digests(1)')).error).toBeNull();
		});
	});

	it('counts a person present while touch_presence() was called in the away period', async () => {
		const ada = await createUser(db.pool);
		await driveJob(db.pool, await submit(ada), 'completed');
		await withActor(db.pool, asUser(ada), (c) => c.query('select public.touch_presence()'));
		expect(await claimFor(ada)).toEqual([]);
		await db.pool.query('update private.notification_policy set away_seconds = 1');
		try {
			await db.pool.query(`update private.notification_recipients set last_seen_at = now() - interval '2 seconds' where user_id = $1`, [ada.id]);
			expect(await claimFor(ada)).toHaveLength(1);
		} finally {
			await db.pool.query('update private.notification_policy set away_seconds = 600');
		}
	});
});

describe('unsubscribing', () => {
	async function tokenOf(user: TestUser): Promise<string> {
		await setAway(user);
		return (await db.pool.query('select unsubscribe_token from private.notification_recipients where user_id = $1', [user.id])).rows[0].unsubscribe_token;
	}
	const unsubscribe = (token: unknown, kind: unknown) => withActor(db.pool, anon, (c) => attempt(c, 'select public.unsubscribe_notifications($1, $2) as r', [token, kind]));
	const settings = async (u: TestUser) =>
		Object.fromEntries((await db.pool.query('select kind, delivery from public.notification_preferences where user_id = $1', [u.id])).rows.map((r) => [r.kind, r.delivery]));

	it("turns email off for one event or all, without signing in, leaving what was off off", async () => {
		const ada = await createUser(db.pool);
		await db.pool.query(`insert into public.notification_preferences (user_id, kind, delivery) values ($1, 'credits_low', 'off')`, [ada.id]);
		const token = await tokenOf(ada);
		const first = await unsubscribe(token, "job_completed");
		expect(first.error).toBeNull();
		expect(first.rows[0].r).toEqual({ kinds: ['job_completed'] });
		expect(await settings(ada)).toEqual({ credits_low: 'off', job_completed: 'in_app' });
		expect((await unsubscribe(token, 'all')).error).toBeNull();
		expect(await settings(ada)).toEqual({ credits_low: 'off', job_completed: 'in_app', job_failed: 'in_app', job_timeout: 'in_app', job_shared: 'in_app', team_invite: 'in_app' });
	});

	it("refuses a guessed or malformed token and an unknown event, changing nobody's settings", async () => {
		const ada = await createUser(db.pool);
		const token = await tokenOf(ada);
		const invalid = 'this unsubscribe link is not valid: open the link from the email again, or change your settings in the app';
		expect((await unsubscribe('0'.repeat(64), 'all')).error).toEqual({ code: '22023', message: invalid });
		expect((await unsubscribe(`${token.slice(0, 63)}${token.endsWith('0') ? '1' : '0'}`, 'all')).error).toEqual({ code: '22023', message: invalid });
		expect((await unsubscribe("' or true --", 'all')).error).toEqual({ code: '22023', message: invalid });
		expect((await unsubscribe(token, 'everything')).error).toEqual({ code: '22023', message: 'unknown event "everything": unsubscribe from one event or from all' });
		expect(await settings(ada)).toEqual({});
	});
});

describe('retention', () => {
	const note = async (user: TestUser, daysAgo: number, extra: { read?: boolean; digestId?: string } = {}) =>
		(
			await db.pool.query(
				`insert into public.notifications (user_id, kind, title, created_at, read_at, digest_id)
				 values ($1, 'job_completed', $2, now() - make_interval(days => $3), case when $4 then now() end, $5) returning id`,
				[user.id, `${daysAgo} days ago`, daysAgo, extra.read ?? false, extra.digestId ?? null]
			)
		).rows[0].id as string;
	const digest = async (user: TestUser, daysAgo: number, sent: boolean) =>
		(
			await db.pool.query(
				`insert into private.notification_digests (user_id, created_at, lease_until, sent_at)
				 values ($1, now() - make_interval(days => $2), now() + interval '5 minutes', case when $3 then now() - make_interval(days => $2) end) returning id`,
				[user.id, daysAgo, sent]
			)
		).rows[0].id as string;
	const left = async (ids: string[]) => (await db.pool.query('select id from public.notifications where id = any($1)', [ids])).rows.map((r) => r.id).sort();

	it('deletes notifications and sent digests past the retention, read or not, and keeps what a digest still being sent holds', async () => {
		const ada = await createUser(db.pool);
		const sentLongAgo = await digest(ada, 100, true);
		const beingSent = await digest(ada, 0, false);
		const old = [await note(ada, 100, { read: true }), await note(ada, 91), await note(ada, 100, { digestId: sentLongAgo })];
		const kept = [await note(ada, 89), await note(ada, 0), await note(ada, 100, { digestId: beingSent })];
		const { rows } = await db.pool.query('select * from worker.prune_notifications(1000)');
		expect(rows[0]).toEqual({ notifications: 3, digests: 1 });
		expect(await left([...old, ...kept])).toEqual([...kept].sort());
		const { rows: digests } = await db.pool.query('select id from private.notification_digests where user_id = $1', [ada.id]);
		expect(digests.map((d) => d.id)).toEqual([beingSent]);
		// The retention is the policy's; a batch is bounded.
		await db.pool.query('update private.notification_policy set retention_days = 30');
		try {
			const older = [await note(ada, 40), await note(ada, 50)];
			expect((await db.pool.query('select * from worker.prune_notifications(1)')).rows[0]).toEqual({ notifications: 1, digests: 0 });
			// The oldest goes first: the one of 89 days, kept under 90.
			expect(await left([kept[0], ...older])).toEqual([...older].sort());
		} finally {
			await db.pool.query('update private.notification_policy set retention_days = 90');
		}
	});

	it('only the service role deletes old notifications: not their recipient, not an anonymous visitor', async () => {
		const ada = await createUser(db.pool);
		const id = await note(ada, 100);
		for (const actor of [asUser(ada), anon]) {
			await withActor(db.pool, actor, async (c) => {
				expect((await attempt(c, 'select * from worker.prune_notifications(1000)')).error?.message).toMatch(/permission denied/);
			});
		}
		expect(await left([id])).toEqual([id]);
		await withActor(db.pool, service, async (c) => {
			expect((await attempt(c, 'select * from worker.prune_notifications(1000)')).error).toBeNull();
		});
		expect(await left([id])).toEqual([]);
	});
});
