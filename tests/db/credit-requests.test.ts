// Team members ask the operators for credits through public.request_credits
// (the request-credits function calls it as the caller), which a team may do
// at most once an hour and 3 times a rolling day, however many ask at once.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anon, asUser, attempt, createUser, openTestDatabase, service, withActor, type Actor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
});
afterAll(async () => {
	await db?.close();
});

async function ledger(teamId: string): Promise<Array<{ reason: string; delta: number; memo: string | null }>> {
	return (await db.pool.query('select reason, delta, memo from public.credit_ledger where team_id = $1 order by id', [teamId])).rows;
}

const requestAs = (user: TestUser | null, teamId: string, credits: unknown, message: string | null = null) =>
	withActor(db.pool, user ? asUser(user) : anon, async (c) => {
		const { rows, error } = await attempt(c, 'select public.request_credits($1, $2, $3) as r', [teamId, credits, message]);
		return { answer: rows[0]?.r, error };
	});

describe('requests for credits', () => {
	it('records a member\'s request with who asked, the team and its balance; team members can read it, others cannot', async () => {
		const owner = await createUser(db.pool, { displayName: 'Ada' });
		const member = await createUser(db.pool, { displayName: 'Grace' });
		const outsider = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [owner.teamId, member.id]);
		const { answer, error } = await requestAs(member, owner.teamId, 500, '  For the kinase screen  ');
		expect(error).toBeNull();
		expect(answer).toEqual({
			allowed: true,
			request: { id: expect.any(String), credits: 500, message: 'For the kinase screen', created_at: expect.any(String) },
			team: { id: owner.teamId, name: "Ada's workspace" },
			requester: { id: member.id, display_name: 'Grace', email: member.email },
			balance: 100
		});
		const seen = (user: TestUser) => withActor(db.pool, asUser(user), async (c) => (await c.query('select credits from public.credit_requests')).rows);
		expect(await seen(owner)).toEqual([{ credits: 500 }]);
		expect(await seen(outsider)).toEqual([]);
		// Asking grants nothing.
		expect(await ledger(owner.teamId)).toHaveLength(1);
	});

	it('refuses viewers, other teams, anonymous visitors and bad amounts or notes', async () => {
		const owner = await createUser(db.pool);
		const viewer = await createUser(db.pool);
		const outsider = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'viewer')`, [owner.teamId, viewer.id]);
		expect((await requestAs(viewer, owner.teamId, 10)).error).toEqual({ code: '42501', message: 'team viewers cannot ask for credits: ask a team owner or admin' });
		expect((await requestAs(outsider, owner.teamId, 10)).error).toEqual({ code: '42704', message: `team ${owner.teamId} not found` });
		expect((await requestAs(null, owner.teamId, 10)).error?.message).toMatch(/permission denied for function request_credits/);
		expect((await requestAs(owner, owner.teamId, 0)).error).toEqual({ code: '22023', message: 'ask for 1 to 100000 credits, not 0' });
		expect((await requestAs(owner, owner.teamId, 100001)).error).toEqual({ code: '22023', message: 'ask for 1 to 100000 credits, not 100001' });
		expect((await requestAs(owner, owner.teamId, 10, 'x'.repeat(1001))).error).toEqual({ code: '22023', message: 'the note has at most 1000 characters; this one has 1001' });
		const { rows } = await db.pool.query('select count(*)::int as n from public.credit_requests where team_id = $1', [owner.teamId]);
		expect(rows[0].n).toBe(0);
	});

	it('lets one of 30 simultaneous requests of a team through, and tells the rest when they may ask again', { timeout: 30_000 }, async () => {
		const owner = await createUser(db.pool);
		const mates = await Promise.all(Array.from({ length: 5 }, () => createUser(db.pool)));
		for (const mate of mates) await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [owner.teamId, mate.id]);
		const askers = [owner, ...mates];
		const pool = new pg.Pool({ connectionString: db.url, max: 30 });
		let answers: Array<{ allowed: boolean; retry_after?: string; message?: string }>;
		try {
			const clients = await Promise.all(Array.from({ length: 30 }, () => pool.connect()));
			for (const [i, c] of clients.entries()) {
				await c.query('begin');
				await c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
					JSON.stringify({ sub: askers[i % askers.length].id, role: 'authenticated' })
				]);
			}
			answers = await Promise.all(
				clients.map(async (c) => {
					try {
						const { rows } = await c.query('select public.request_credits($1, 50) as r', [owner.teamId]);
						await c.query('commit');
						return rows[0].r;
					} finally {
						c.release();
					}
				})
			);
		} finally {
			await pool.end();
		}
		expect(answers.filter((a) => a.allowed)).toHaveLength(1);
		const refused = answers.filter((a) => !a.allowed);
		expect(refused).toHaveLength(29);
		for (const a of refused) {
			expect(a.message).toMatch(/^Your team asked for credits less than an hour ago; you can ask again after \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
			expect(Date.parse(a.retry_after!) - Date.now()).toBeGreaterThan(59 * 60_000);
		}
		const { rows } = await db.pool.query('select count(*)::int as n from public.credit_requests where team_id = $1', [owner.teamId]);
		expect(rows[0].n).toBe(1);
	});

	it('allows 3 requests a rolling day, an hour apart; another team is not held up', async () => {
		const owner = await createUser(db.pool);
		const other = await createUser(db.pool);
		// Two earlier requests today, more than an hour ago.
		await db.pool.query(
			`insert into public.credit_requests (team_id, requested_by, credits, created_at) values ($1, $2, 10, now() - interval '5 hours'), ($1, $2, 10, now() - interval '3 hours')`,
			[owner.teamId, owner.id]
		);
		expect((await requestAs(owner, owner.teamId, 10)).answer.allowed).toBe(true);
		await db.pool.query(`update public.credit_requests set created_at = created_at - interval '2 hours' where team_id = $1`, [owner.teamId]);
		const { answer } = await requestAs(owner, owner.teamId, 10);
		expect(answer.allowed).toBe(false);
		expect(answer.message).toMatch(/^Your team has asked for credits 3 times in the last day, the most it may; you can ask again after /);
		// The oldest of the three (7 hours ago) leaves the day in 17 hours.
		expect(Math.round((Date.parse(answer.retry_after) - Date.now()) / 3_600_000)).toBe(17);
		expect((await requestAs(other, other.teamId, 10)).answer.allowed).toBe(true);
	});

	it('lets only the service role take back a request', async () => {
		const owner = await createUser(db.pool);
		const { answer } = await requestAs(owner, owner.teamId, 10);
		const id = answer.request.id;
		const release = (actor: Actor) => withActor(db.pool, actor, async (c) => attempt(c, 'select public.release_credit_request($1) as released', [id]));
		expect((await release(asUser(owner))).error?.message).toMatch(/permission denied for function release_credit_request/);
		expect((await release(service)).rows[0].released).toBe(true);
		expect((await requestAs(owner, owner.teamId, 10)).answer.allowed).toBe(true);
	});
});
