// The audit log: each change to a team's access or money writes exactly one
// row, by a trigger, naming the actor the database sees (the signed-in user,
// 'service' for the service role, 'system' with no caller); only the team's
// owners and admins read it; nobody, the table's owner included, changes or
// removes a row, and no client writes one.
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anon, asUser, attempt, createUser, driveJob, moleculeInput, openTestDatabase, service, withActor, type Actor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
let teamId: string;
let users: Record<'owner' | 'admin' | 'member' | 'viewer' | 'outsider', TestUser>;

beforeAll(async () => {
	db = await openTestDatabase(2);
	const make = (name: string) => createUser(db.pool, { email: `${name}@example.test`, displayName: name });
	users = { owner: await make('owner'), admin: await make('admin'), member: await make('member'), viewer: await make('viewer'), outsider: await make('outsider') };
	teamId = (await call(users.owner, `select * from public.create_team('Lab')`)).id;
	await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'admin'), ($1, $3, 'member'), ($1, $4, 'viewer')`, [
		teamId,
		users.admin.id,
		users.member.id,
		users.viewer.id
	]);
	await db.pool.query(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, 1000, 'grant', 'test credits')`, [teamId]);
});

afterAll(async () => {
	await db?.close();
});

async function call(user: TestUser | Actor, sql: string, params: unknown[] = []) {
	const actor = 'kind' in user ? user : asUser(user);
	return (await withActor(db.pool, actor, (c) => c.query(sql, params))).rows[0];
}

interface Entry {
	team_id: string;
	action: string;
	actor_kind: string;
	actor_id: string | null;
	actor_name: string | null;
	target_type: string;
	target_id: string | null;
	target_name: string | null;
	before: Record<string, unknown> | null;
	after: Record<string, unknown> | null;
}

let mark = 0;
beforeEach(async () => {
	mark = Number((await db.pool.query('select coalesce(max(id), 0) as id from public.audit_log')).rows[0].id);
});

/** The rows written about a team (the test's team unless told) since the test began, oldest first. */
async function written(team = teamId): Promise<Entry[]> {
	const { rows } = await db.pool.query(
		`select team_id, action, actor_kind, actor_id, actor_name, target_type, target_id, target_name, before, after
		 from public.audit_log where id > $1 and team_id = $2 order by id`,
		[mark, team]
	);
	return rows;
}

async function newJob(name = 'Screen'): Promise<string> {
	return (await call(users.member, `select id from public.submit_job('molecule-properties', $1, $2, '{}', $3)`, [name, moleculeInput(1), teamId])).id;
}

describe('what the audit log records', () => {
	it('records a visibility change once, by who made it, with before and after; the same visibility again records nothing', async () => {
		const jobId = await newJob();
		expect(await written()).toEqual([]); // submitting (and its charge) is the job's own history
		await call(users.member, `select public.set_job_visibility($1, 'public')`, [jobId]);
		await call(users.member, `select public.set_job_visibility($1, 'public')`, [jobId]);
		expect(await written()).toEqual([
			{
				team_id: teamId,
				action: 'job.visibility_changed',
				actor_kind: 'user',
				actor_id: users.member.id,
				actor_name: 'member',
				target_type: 'job',
				target_id: jobId,
				target_name: 'Screen',
				before: { visibility: 'private' },
				after: { visibility: 'public' }
			}
		]);
	});

	it('records sharing and unsharing by email once each; sharing again, and deleting the job, record nothing', async () => {
		const jobId = await newJob('Shared screen');
		await call(users.member, `select public.share_job($1, 'guest@example.test')`, [jobId]);
		await call(users.admin, `select public.share_job($1, 'guest@example.test')`, [jobId]);
		await call(users.admin, `select public.unshare_job($1, 'guest@example.test')`, [jobId]);
		await call(users.member, `select public.share_job($1, 'second@example.test')`, [jobId]);
		await driveJob(db.pool, jobId, 'completed');
		await call(users.member, `select public.delete_job($1)`, [jobId]);
		const rows = await written();
		expect(rows.map((r) => [r.action, r.actor_id, r.target_id, r.before, r.after])).toEqual([
			['job.shared', users.member.id, jobId, null, { email: 'guest@example.test' }],
			['job.unshared', users.admin.id, jobId, { email: 'guest@example.test' }, null],
			['job.shared', users.member.id, jobId, null, { email: 'second@example.test' }]
		]);
		expect(rows.every((r) => r.target_name === 'Shared screen' && r.team_id === teamId)).toBe(true);
	});

	it('records invites sent, renewed, revoked and declined, and an accepted one as the member it adds', async () => {
		const invitee = await createUser(db.pool, { email: 'invitee@example.test', displayName: 'Rosalind' });
		const decliner = await createUser(db.pool, { email: 'decliner@example.test', displayName: 'Declan' });
		const sent = await call(users.admin, `select * from public.invite_team_member($1, 'invitee@example.test', 'member')`, [teamId]);
		expect(await written()).toMatchObject([
			{ action: 'invite.sent', actor_id: users.admin.id, target_type: 'invite', target_id: sent.id, target_name: 'invitee@example.test', before: null, after: { role: 'member' } }
		]);

		mark = Number((await db.pool.query('select max(id) as id from public.audit_log')).rows[0].id);
		await call(users.owner, `select * from public.invite_team_member($1, 'invitee@example.test', 'viewer')`, [teamId]);
		await call(users.admin, `select public.resend_team_invite($1)`, [sent.id]);
		await call(invitee, `select public.accept_team_invite($1)`, [sent.id]);
		const other = await call(users.admin, `select * from public.invite_team_member($1, 'decliner@example.test', 'admin')`, [teamId]);
		await call(decliner, `select public.decline_team_invite($1)`, [other.id]);
		const third = await call(users.admin, `select * from public.invite_team_member($1, 'nobody-yet@example.test')`, [teamId]);
		await call(users.owner, `select public.revoke_team_invite($1)`, [third.id]);

		expect((await written()).map((r) => [r.action, r.actor_kind, r.actor_id, r.target_id, r.before?.role ?? null, r.after?.role ?? null])).toEqual([
			['invite.renewed', 'user', users.owner.id, sent.id, 'member', 'viewer'],
			['invite.renewed', 'user', users.admin.id, sent.id, 'viewer', 'viewer'],
			['member.added', 'user', invitee.id, invitee.id, null, 'viewer'],
			['invite.sent', 'user', users.admin.id, other.id, null, 'admin'],
			['invite.declined', 'user', decliner.id, other.id, 'admin', null],
			['invite.sent', 'user', users.admin.id, third.id, null, 'member'],
			['invite.revoked', 'user', users.owner.id, third.id, 'member', null]
		]);
		// The one who declined is not a member; the row still says who it was.
		expect((await written())[4]).toMatchObject({ actor_name: 'Declan', target_name: 'decliner@example.test', after: { status: 'declined' } });
		await db.pool.query('delete from public.team_members where team_id = $1 and user_id = $2', [teamId, invitee.id]);
	});

	it('records role changes, removals and leaving once each, by who did them', async () => {
		const mate = await createUser(db.pool, { displayName: 'Mate' });
		const leaver = await createUser(db.pool, { displayName: 'Leaver' });
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member'), ($1, $3, 'viewer')`, [teamId, mate.id, leaver.id]);
		mark = Number((await db.pool.query('select max(id) as id from public.audit_log')).rows[0].id);

		await call(users.admin, `select public.set_team_member_role($1, $2, 'viewer')`, [teamId, mate.id]);
		await call(users.admin, `select public.set_team_member_role($1, $2, 'viewer')`, [teamId, mate.id]); // no change
		await call(users.owner, `select public.remove_team_member($1, $2)`, [teamId, mate.id]);
		await call(leaver, `select public.remove_team_member($1, $2)`, [teamId, leaver.id]);
		expect((await written()).map((r) => [r.action, r.actor_id, r.target_id, r.target_name, r.before, r.after])).toEqual([
			['member.role_changed', users.admin.id, mate.id, 'Mate', { role: 'member' }, { role: 'viewer' }],
			['member.removed', users.owner.id, mate.id, 'Mate', { role: 'viewer' }, null],
			['member.removed', leaver.id, leaver.id, 'Leaver', { role: 'viewer' }, null]
		]);
	});

	it('records a member added by the service role, and none for the creator of a new team', async () => {
		const newcomer = await createUser(db.pool, { displayName: 'Newcomer' });
		// Their personal team: its first member is not "added"; its starting credits are granted by the system.
		expect((await written(newcomer.teamId)).map((r) => [r.action, r.actor_kind, r.after])).toEqual([
			['credits.granted', 'system', { balance: 100, delta: 100, memo: 'Starting credits' }]
		]);
		await withActor(db.pool, service, (c) => c.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [teamId, newcomer.id]));
		const team = await call(newcomer, `select * from public.create_team('Side project')`);
		expect((await written()).map((r) => [r.action, r.actor_kind, r.actor_id, r.target_id, r.after])).toEqual([
			['member.added', 'service', null, newcomer.id, { role: 'member' }]
		]);
		expect(await written(team.id)).toEqual([]);
		await db.pool.query('delete from public.team_members where team_id = $1 and user_id = $2', [teamId, newcomer.id]);
	});

	it('records credit grants and adjustments with the balance before and after; charges and refunds are not in it', async () => {
		const balance = Number((await db.pool.query('select balance from public.credit_accounts where team_id = $1', [teamId])).rows[0].balance);
		await withActor(db.pool, service, (c) => c.query(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, 500, 'grant', 'Top-up')`, [teamId]));
		// No caller at all (a script on a direct connection): the system.
		await db.pool.query(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, -20, 'adjustment', 'Correction')`, [teamId]);
		const jobId = await newJob('Charged');
		await driveJob(db.pool, jobId, 'failed'); // charged, then refunded
		expect((await written()).map((r) => [r.action, r.actor_kind, r.actor_id, r.target_type, r.before, r.after])).toEqual([
			['credits.granted', 'service', null, 'credits', { balance }, { balance: balance + 500, delta: 500, memo: 'Top-up' }],
			['credits.adjusted', 'system', null, 'credits', { balance: balance + 500 }, { balance: balance + 480, delta: -20, memo: 'Correction' }]
		]);
	});
});

describe('who reads the audit log', () => {
	const visibleTo = async (actor: Actor) =>
		withActor(db.pool, actor, async (c) => (await c.query('select team_id from public.audit_log where team_id = $1', [teamId])).rows.length);

	it('shows a team’s rows to its owners and admins only', async () => {
		const total = Number((await db.pool.query('select count(*) from public.audit_log where team_id = $1', [teamId])).rows[0].count);
		expect(total).toBeGreaterThan(0);
		expect(await visibleTo(asUser(users.owner))).toBe(total);
		expect(await visibleTo(asUser(users.admin))).toBe(total);
		expect(await visibleTo(asUser(users.member))).toBe(0);
		expect(await visibleTo(asUser(users.viewer))).toBe(0);
		// The owner of another team sees only their own team's rows (none of this one).
		expect(await visibleTo(asUser(users.outsider))).toBe(0);
		const theirs = await withActor(db.pool, asUser(users.outsider), async (c) => (await c.query('select distinct team_id from public.audit_log')).rows);
		expect(theirs).toEqual([{ team_id: users.outsider.teamId }]);
	});

	it('refuses anonymous visitors outright', async () => {
		await expect(visibleTo(anon)).rejects.toMatchObject({ code: '42501' });
	});
});

describe('nobody rewrites the audit log', () => {
	async function refused(client: pg.PoolClient, sql: string, params: unknown[] = []) {
		return (await attempt(client, sql, params)).error;
	}

	it('refuses inserts, updates and deletes from every API role', async () => {
		for (const actor of [asUser(users.owner), asUser(users.admin), service, anon]) {
			await withActor(
				db.pool,
				actor,
				async (c) => {
					const insert = await refused(
						c,
						`insert into public.audit_log (team_id, actor_kind, actor_id, action, target_type) values ($1, 'user', $2, 'member.added', 'member')`,
						[teamId, users.owner.id]
					);
					expect(insert?.code, JSON.stringify(actor)).toBe('42501');
					expect((await refused(c, `update public.audit_log set actor_name = 'someone else' where team_id = $1`, [teamId]))?.code).toBe('42501');
					expect((await refused(c, `delete from public.audit_log where team_id = $1`, [teamId]))?.code).toBe('42501');
					expect((await refused(c, `truncate public.audit_log`))?.code).toBe('42501');
				},
				true
			);
		}
	});

	it('refuses updates, deletes and truncation even from the table’s owner', async () => {
		const client = await db.pool.connect();
		try {
			await client.query('begin');
			expect(await refused(client, `update public.audit_log set actor_name = 'someone else' where team_id = $1`, [teamId])).toEqual({
				code: '23514',
				message: 'the audit log is append-only: its rows cannot be changed'
			});
			expect(await refused(client, `delete from public.audit_log where team_id = $1`, [teamId])).toEqual({
				code: '23514',
				message: 'the audit log is append-only: its rows cannot be deleted'
			});
			expect((await refused(client, 'truncate public.audit_log'))?.message).toBe('the audit log is append-only: it cannot be truncated');
		} finally {
			await client.query('rollback');
			client.release();
		}
	});

	it('lets the rows go only with their team', async () => {
		const owner = await createUser(db.pool);
		const team = await call(owner, `select * from public.create_team('Short-lived')`);
		await db.pool.query(`insert into public.credit_ledger (team_id, delta, reason) values ($1, 5, 'grant')`, [team.id]);
		expect(Number((await db.pool.query('select count(*) from public.audit_log where team_id = $1', [team.id])).rows[0].count)).toBe(1);
		await db.pool.query('delete from public.teams where id = $1', [team.id]);
		expect(Number((await db.pool.query('select count(*) from public.audit_log where team_id = $1', [team.id])).rows[0].count)).toBe(0);
	});
});
