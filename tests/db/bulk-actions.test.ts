// Bulk actions on the jobs list (supabase/migrations/20261209800000_bulk_job_actions.sql):
// one call acts on a selection (ids, or the list's filter) and answers per
// job. Written from each side: a member acting on their team's jobs, a
// viewer, a member deleting someone else's job, another team slipping its
// ids or its filter in, an anonymous visitor, and a team whose balance or
// limits cannot cover a bulk retry (refused whole, nothing charged), and a
// retry that includes jobs of a tool turned off (refused one by one).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anon, asUser, attempt, createUser, driveJob, moleculeInput, openTestDatabase, proteinInput, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
});
afterAll(async () => {
	await db?.close();
});

type Outcome = { job_id: string; outcome: 'done' | 'refused'; reason?: string; new_job_id?: string };
type BulkAnswer = { action: string; done: number; refused: number; credits: number; outcomes: Outcome[] };

/** A job of the user's team (priced 1 credit per molecule), moved to a status as a worker would. */
async function job(user: TestUser, status: string, credits = 2, name = 'Screen'): Promise<string> {
	const id = await withActor(db.pool, asUser(user), async (c) => (await c.query(`select id from public.submit_job('molecule-properties', $1, $2, '{}', $3)`, [name, moleculeInput(credits), user.teamId])).rows[0].id);
	await driveJob(db.pool, id, status);
	return id;
}

interface BulkCall {
	action: string;
	ids?: string[];
	filter?: object;
	visibility?: string;
	expected?: number;
	team?: string;
}

async function bulk(user: TestUser, call: BulkCall): Promise<BulkAnswer> {
	return withActor(db.pool, asUser(user), async (c) => {
		const { rows } = await c.query('select public.bulk_job_action($1, $2, $3, $4, $5, $6) as a', [
			call.team ?? user.teamId,
			call.action,
			call.ids ?? null,
			call.filter ?? null,
			call.visibility ?? null,
			call.expected ?? null
		]);
		return rows[0].a;
	});
}

async function refusal(user: TestUser, call: BulkCall): Promise<{ code?: string; message: string }> {
	try {
		await bulk(user, call);
	} catch (error) {
		const e = error as pg.DatabaseError;
		return { code: e.code, message: e.message };
	}
	throw new Error('the bulk action was not refused');
}

const preview = (user: TestUser, call: { ids?: string[]; filter?: object }) =>
	withActor(db.pool, asUser(user), async (c) => (await c.query('select public.bulk_retry_preview($1, $2, $3) as p', [user.teamId, call.ids ?? null, call.filter ?? null])).rows[0].p);

async function statuses(ids: string[]): Promise<Record<string, string>> {
	const { rows } = await db.pool.query('select id, status from public.jobs where id = any($1)', [ids]);
	return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

async function account(teamId: string): Promise<{ balance: number; entries: number; jobs: number }> {
	const { rows } = await db.pool.query(
		`select a.balance, (select count(*)::int from public.credit_ledger l where l.team_id = a.team_id) as entries,
		   (select count(*)::int from public.jobs j where j.team_id = a.team_id) as jobs
		 from public.credit_accounts a where a.team_id = $1`,
		[teamId]
	);
	return rows[0];
}

const byJob = (answer: BulkAnswer) => Object.fromEntries(answer.outcomes.map((o) => [o.job_id, o.reason ?? o.outcome]));

async function joinTeam(teamId: string, user: TestUser, role: string): Promise<void> {
	await db.pool.query('insert into public.team_members (team_id, user_id, role) values ($1, $2, $3)', [teamId, user.id, role]);
}

describe('bulk cancel, delete and visibility', () => {
	it('cancels what may be cancelled and refuses the rest per job, with the reason; other teams\' ids are "not found" and untouched', async () => {
		const member = await createUser(db.pool);
		const other = await createUser(db.pool);
		const pending = await job(member, 'pending');
		const running = await job(member, 'processing');
		const completed = await job(member, 'completed');
		const theirs = await job(other, 'pending');
		const guessed = randomUUID();
		const answer = await bulk(member, { action: 'cancel', ids: [pending, running, completed, theirs, guessed, pending] });
		expect(answer).toMatchObject({ action: 'cancel', done: 2, refused: 3 });
		expect(byJob(answer)).toEqual({
			[pending]: 'done',
			[running]: 'done',
			[completed]: 'this job is already completed and cannot be cancelled',
			[theirs]: 'not found',
			[guessed]: 'not found'
		});
		expect(await statuses([pending, running, completed, theirs])).toEqual({ [pending]: 'cancelled', [running]: 'cancelled', [completed]: 'completed', [theirs]: 'pending' });
		// The same timeline entries as a single cancel: who, and what became of the credits.
		const { rows } = await db.pool.query(`select job_id, message from public.job_events where job_id = any($1) and to_status = 'cancelled' order by message`, [[pending, running]]);
		expect(rows.map((r) => r.message)).toEqual([expect.stringMatching(/before it started: its 2 credits were refunded$/), expect.stringMatching(/while it ran: its 2 credits are not refunded/)]);
	});

	it('deletes only what the caller may manage: a member cannot delete a teammate\'s job, its submitter and an owner can', async () => {
		const owner = await createUser(db.pool);
		const member = await createUser(db.pool);
		await joinTeam(owner.teamId, member, 'member');
		const ownersJob = await job(owner, 'completed');
		const membersJob = await withActor(db.pool, asUser(member), async (c) => (await c.query(`select id from public.submit_job('molecule-properties', 'mine', $1, '{}', $2)`, [moleculeInput(1), owner.teamId])).rows[0].id);
		const answer = await bulk(member, { action: 'delete', ids: [ownersJob, membersJob], team: owner.teamId });
		expect(byJob(answer)).toEqual({ [ownersJob]: "only the job's submitter or a team owner or admin can delete it", [membersJob]: 'done' });
		expect(await statuses([ownersJob, membersJob])).toEqual({ [ownersJob]: 'completed' });
		expect((await bulk(owner, { action: 'delete', ids: [ownersJob] })).done).toBe(1);
		expect(await statuses([ownersJob])).toEqual({});
	});

	it('changes visibility, and says what to fix for a visibility that does not exist', async () => {
		const user = await createUser(db.pool);
		const a = await job(user, 'completed');
		const b = await job(user, 'failed');
		expect((await bulk(user, { action: 'set_visibility', ids: [a, b], visibility: 'public' })).done).toBe(2);
		const { rows } = await db.pool.query('select distinct visibility from public.jobs where id = any($1)', [[a, b]]);
		expect(rows).toEqual([{ visibility: 'public' }]);
		expect(await refusal(user, { action: 'set_visibility', ids: [a], visibility: 'everyone' })).toEqual({
			code: '22023',
			message: 'visibility must be one of private, authenticated, invited or public, not "everyone"'
		});
	});

	it('refuses every job to a team viewer, and the whole call to an anonymous visitor', async () => {
		const owner = await createUser(db.pool);
		const viewer = await createUser(db.pool);
		await joinTeam(owner.teamId, viewer, 'viewer');
		const pending = await job(owner, 'pending');
		const answer = await bulk(viewer, { action: 'cancel', ids: [pending], team: owner.teamId });
		expect(byJob(answer)).toEqual({ [pending]: 'team viewers can only look: they cannot cancel jobs' });
		await withActor(db.pool, anon, async (c) => {
			for (const [sql, params] of [
				['select public.bulk_job_action($1::uuid, $2::text, $3::uuid[])', [owner.teamId, 'cancel', [pending]]],
				['select public.bulk_retry_preview($1::uuid, $2::uuid[])', [owner.teamId, [pending]]]
			] as const) {
				const { error } = await attempt(c, sql, [...params]);
				expect(error?.message).toMatch(/permission denied for function bulk_/);
			}
		});
		expect(await statuses([pending])).toEqual({ [pending]: 'pending' });
	});

	it('says what is wrong with the call itself: the action, the selection, its size', async () => {
		const user = await createUser(db.pool);
		expect(await refusal(user, { action: 'archive', ids: [] })).toMatchObject({ code: '22023', message: 'action must be one of retry, cancel, delete or set_visibility, not "archive"' });
		expect(await refusal(user, { action: 'cancel' })).toMatchObject({ code: '22023', message: expect.stringMatching(/^give either job_ids .* or filter/) });
		expect(await refusal(user, { action: 'cancel', ids: Array.from({ length: 10_001 }, () => randomUUID()) })).toMatchObject({ message: 'at most 10000 jobs at a time, not 10001: select fewer' });
		expect(await refusal(user, { action: 'cancel', filter: { state: 'failed' } })).toMatchObject({ message: 'filter takes tool_id, statuses, submitted_by and search, not state' });
	});
});

describe('selection by the list\'s filter', () => {
	it('covers only the caller\'s team, as the list does; another team\'s filter is refused', async () => {
		const user = await createUser(db.pool);
		const other = await createUser(db.pool);
		const mineFailed = [await job(user, 'failed', 1, 'Panel A'), await job(user, 'failed', 1, 'Panel B')];
		const mineOther = await job(user, 'failed', 1, 'Other');
		const mineDone = await job(user, 'completed', 1, 'Panel C');
		const theirsFailed = await job(other, 'failed', 1, 'Panel A');
		const answer = await bulk(user, { action: 'set_visibility', visibility: 'authenticated', filter: { statuses: ['failed'], search: 'panel' } });
		expect(answer.done).toBe(2);
		expect(answer.outcomes.map((o) => o.job_id).sort()).toEqual([...mineFailed].sort());
		const { rows } = await db.pool.query(`select id from public.jobs where visibility = 'authenticated' and id = any($1)`, [[...mineFailed, mineOther, mineDone, theirsFailed]]);
		expect(rows.map((r) => r.id).sort()).toEqual([...mineFailed].sort());
		expect(await refusal(user, { action: 'set_visibility', visibility: 'public', filter: {}, team: other.teamId })).toEqual({ code: '42501', message: 'you are not a member of this team' });
		expect(await refusal(user, { action: 'cancel', filter: { statuses: ['sleeping'] } })).toMatchObject({ message: expect.stringMatching(/invalid input value for enum public.job_status: "sleeping"/) });
	});
});

describe('bulk retry', () => {
	it('previews the total, then retries each job as a new one, charged once each in one transaction', async () => {
		const user = await createUser(db.pool);
		const failed = [await job(user, 'failed', 3), await job(user, 'timeout', 4), await job(user, 'cancelled', 5)];
		const running = await job(user, 'processing', 1);
		const before = await account(user.teamId); // 100 - 1 (running, charged); the others refunded
		expect(await preview(user, { ids: [...failed, running] })).toEqual({
			jobs: 3,
			credits: 12,
			balance: before.balance,
			sufficient: true,
			limit: null,
			refused: [{ reason: 'only failed, timed-out or cancelled jobs can be retried; this one is processing', jobs: 1 }]
		});
		const answer = await bulk(user, { action: 'retry', ids: [...failed, running], expected: 12 });
		expect(answer).toMatchObject({ action: 'retry', done: 3, refused: 1, credits: 12 });
		const newIds = answer.outcomes.filter((o) => o.outcome === 'done').map((o) => o.new_job_id);
		const { rows: created } = await db.pool.query('select id, retry_of, name, status from public.jobs where id = any($1)', [newIds]);
		expect(created.map((r) => r.retry_of).sort()).toEqual([...failed].sort());
		expect(created.every((r) => r.status === 'pending' && r.name === 'Screen (retry 2)')).toBe(true);
		const { rows: charges } = await db.pool.query(`select job_id, delta, xmin::text as tx from public.credit_ledger where reason = 'charge' and job_id = any($1)`, [newIds]);
		expect(charges.map((c) => c.delta).sort()).toEqual([-3, -4, -5]);
		expect(new Set(charges.map((c) => c.tx)).size).toBe(1);
		expect(await account(user.teamId)).toEqual({ balance: before.balance - 12, entries: before.entries + 3, jobs: before.jobs + 3 });
	});

	it('refuses the whole retry when the balance cannot cover it, and charges nothing', async () => {
		const user = await createUser(db.pool);
		const a = await job(user, 'failed', 40);
		const b = await job(user, 'failed', 40);
		await job(user, 'pending', 30); // 70 left
		expect(await preview(user, { ids: [a, b] })).toMatchObject({ jobs: 2, credits: 80, balance: 70, sufficient: false });
		const before = await account(user.teamId);
		expect(await refusal(user, { action: 'retry', ids: [a, b], expected: 80 })).toEqual({
			code: 'P0001',
			message: 'not enough credits: retrying these 2 jobs costs 80 and the team has 70; nothing was charged'
		});
		expect(await account(user.teamId)).toEqual(before);
	});

	it('refuses the whole retry when it would cross a team limit, and charges nothing', async () => {
		const user = await createUser(db.pool);
		await db.pool.query('insert into private.team_quotas (team_id, max_waiting) values ($1, 3)', [user.teamId]);
		const failed = [await job(user, 'failed'), await job(user, 'failed'), await job(user, 'failed')];
		await job(user, 'pending');
		expect((await preview(user, { ids: failed })).limit).toBe('jobs waiting: your team has 1 waiting to run and its limit is 3, so 3 more would cross it');
		const before = await account(user.teamId);
		expect(await refusal(user, { action: 'retry', ids: failed })).toMatchObject({ code: 'P0001', message: expect.stringMatching(/^limit reached: jobs waiting: .*; nothing was charged$/) });
		expect(await account(user.teamId)).toEqual(before);
		// Within the limit it goes through.
		expect((await bulk(user, { action: 'retry', ids: failed.slice(0, 2) })).done).toBe(2);
	});

	it('tells no one outside the team its balance or limits: a preview of another team is refused', async () => {
		const owner = await createUser(db.pool);
		const outsider = await createUser(db.pool);
		const failed = await job(owner, 'failed');
		await expect(
			withActor(db.pool, asUser(outsider), (c) => c.query('select public.bulk_retry_preview($1, $2) as p', [owner.teamId, [failed]]))
		).rejects.toThrow('you are not a member of this team');
	});

	it('refuses the whole retry when its total is not the one the person confirmed', async () => {
		const user = await createUser(db.pool);
		const a = await job(user, 'failed', 3);
		const before = await account(user.teamId);
		expect(await refusal(user, { action: 'retry', ids: [a], expected: 2 })).toMatchObject({
			code: 'P0001',
			message: 'the total changed since it was shown: retrying these 1 jobs now costs 3 credits, not 2; nothing was charged'
		});
		expect(await account(user.teamId)).toEqual(before);
	});

	it('refuses, one by one, the jobs whose tool is turned off, and retries and charges the others', async () => {
		const user = await createUser(db.pool);
		const molecules = [await job(user, 'failed', 3), await job(user, 'failed', 4)];
		const proteinJob = await withActor(db.pool, asUser(user), async (c) => (await c.query(`select id from public.submit_job('protein-properties', 'Proteins', $1)`, [proteinInput(1)])).rows[0].id);
		await driveJob(db.pool, proteinJob, 'failed');
		const { rows: tools } = await db.pool.query(`update public.tools set enabled = false where id = 'protein-properties' returning name`);
		const reason = `the tool "${tools[0].name}" is not available (disabled)`;
		try {
			const ids = [...molecules, proteinJob];
			const before = await account(user.teamId);
			expect(await preview(user, { ids })).toMatchObject({ jobs: 2, credits: 7, refused: [{ reason, jobs: 1 }] });
			const answer = await bulk(user, { action: 'retry', ids, expected: 7 });
			expect(answer).toMatchObject({ done: 2, refused: 1, credits: 7 });
			expect(answer.outcomes.find((o) => o.job_id === proteinJob)).toEqual({ job_id: proteinJob, outcome: 'refused', reason });
			expect(await account(user.teamId)).toEqual({ balance: before.balance - 7, entries: before.entries + 2, jobs: before.jobs + 2 });
			// The same words as retrying that one job alone.
			await expect(withActor(db.pool, asUser(user), (c) => c.query('select public.retry_job($1)', [proteinJob]))).rejects.toThrow(reason);
		} finally {
			await db.pool.query(`update public.tools set enabled = true where id = 'protein-properties'`);
		}
	});

	it('retries every failed job of a filter, and only the caller\'s team\'s', async () => {
		const user = await createUser(db.pool);
		const other = await createUser(db.pool);
		const mine = [await job(user, 'failed', 1), await job(user, 'failed', 1)];
		await job(user, 'completed', 1);
		const theirs = await job(other, 'failed', 1);
		const otherBefore = await account(other.teamId);
		expect(await preview(user, { filter: { statuses: ['failed'] } })).toMatchObject({ jobs: 2, credits: 2, refused: [] });
		const answer = await bulk(user, { action: 'retry', filter: { statuses: ['failed'] } });
		expect(answer.outcomes.map((o) => o.job_id).sort()).toEqual([...mine].sort());
		expect(await account(other.teamId)).toEqual(otherBefore);
		const { rows } = await db.pool.query('select count(*)::int as n from public.jobs where retry_of = $1', [theirs]);
		expect(rows[0].n).toBe(0);
	});
});

describe('the waiting-jobs count carried through a transaction', () => {
	it('admits exactly the limit in one transaction, and forgets the jobs of a savepoint rolled back', async () => {
		const user = await createUser(db.pool);
		await db.pool.query('insert into private.team_quotas (team_id, max_waiting) values ($1, 3)', [user.teamId]);
		const submitIn = (c: pg.PoolClient) => c.query(`select public.submit_job('molecule-properties', 'batch', $1)`, [moleculeInput(1)]);
		await withActor(db.pool, asUser(user), async (c) => {
			await c.query('savepoint two');
			await submitIn(c);
			await submitIn(c);
			await c.query('rollback to savepoint two');
			// The two are gone: three fit, the fourth does not.
			for (let i = 0; i < 3; i++) await submitIn(c);
			const { error } = await attempt(c, `select public.submit_job('molecule-properties', 'batch', $1)`, [moleculeInput(1)]);
			expect(error?.message).toBe('limit reached: jobs waiting. Your team has 3 jobs waiting to run, its limit; nothing was charged');
		});
		expect((await account(user.teamId)).jobs).toBe(3);
	});
});
