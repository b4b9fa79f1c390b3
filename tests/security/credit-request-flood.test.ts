// Flooding the operators' inbox through request_credits (the request-credits
// function records each request with it, as the caller, before emailing
// every operator). A team may ask once an hour and 3 times a day; the attack
// is one account that makes teams for the purpose (anyone may create_team)
// and asks for each of them at once.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createUser, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
});
afterAll(async () => {
	await db?.close();
});

describe('one account asking for credits through teams it makes', () => {
	it('gets 3 requests a rolling day in all when it asks for 12 teams at once', { timeout: 30_000 }, async () => {
		const spammer = await createUser(db.pool, { displayName: 'Mallory' });
		const teams = await withActor(db.pool, asUser(spammer), async (c) => {
			const ids = [spammer.teamId];
			for (let i = 0; i < 11; i++) ids.push((await c.query('select (public.create_team($1)).id as id', [`Spam ${i}`])).rows[0].id);
			return ids;
		});
		// All twelve at once, each on its own connection: three get through.
		const pool = new pg.Pool({ connectionString: db.url, max: 12 });
		let answers: Array<{ allowed: boolean; retry_after?: string; message?: string }>;
		try {
			answers = await Promise.all(
				teams.map(async (teamId) => {
					const c = await pool.connect();
					try {
						await c.query('begin');
						await c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
							JSON.stringify({ sub: spammer.id, role: 'authenticated' })
						]);
						const { rows } = await c.query('select public.request_credits($1, 100000) as r', [teamId]);
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
		expect(answers.filter((a) => a.allowed)).toHaveLength(3);
		for (const a of answers.filter((a) => !a.allowed)) {
			expect(a.message).toMatch(/^You have asked for credits 3 times in the last day, for all your teams together, the most one person may; you can ask again after \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
			expect(Date.parse(a.retry_after!) - Date.now()).toBeGreaterThan(23 * 3_600_000);
		}
		const { rows } = await db.pool.query('select count(*)::int as n from public.credit_requests where requested_by = $1', [spammer.id]);
		expect(rows[0].n).toBe(3);
	});

	it('does not hold up a team mate asking for the same team later in the day', async () => {
		const owner = await createUser(db.pool);
		const mate = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [owner.teamId, mate.id]);
		// The owner asked 3 times today, for other teams, more than an hour ago.
		const others = await withActor(db.pool, asUser(owner), async (c) => {
			const ids: string[] = [];
			for (const i of [1, 2, 3]) ids.push((await c.query('select (public.create_team($1)).id as id', [`Other ${i}`])).rows[0].id);
			return ids;
		});
		for (const teamId of others)
			await db.pool.query(`insert into public.credit_requests (team_id, requested_by, credits, created_at) values ($1, $2, 10, now() - interval '2 hours')`, [teamId, owner.id]);
		const ask = (user: TestUser) =>
			withActor(db.pool, asUser(user), async (c) => (await c.query('select public.request_credits($1, 10) as r', [owner.teamId])).rows[0].r);
		expect((await ask(owner)).allowed).toBe(false);
		expect((await ask(mate)).allowed).toBe(true);
	});
});
