// Per-team limits (supabase/migrations/20261209500000_team_quotas.sql), from
// the side of a team that floods the platform: over its waiting-jobs or
// daily input limit a submission is refused with a message that says which
// limit and when it frees, and nothing is charged (the ledger is checked);
// many jobs in one transaction are refused whole; concurrent submissions
// cannot slip past a limit; and no member can raise their team's limits or
// weight.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, attempt, createUser, moleculeInput, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
});
afterAll(async () => {
	await db?.close();
});

async function ledger(teamId: string): Promise<{ balance: number; entries: number; jobs: number }> {
	const { rows } = await db.pool.query(
		`select a.balance, (select count(*)::int from public.credit_ledger l where l.team_id = a.team_id) as entries,
		   (select count(*)::int from public.jobs j where j.team_id = a.team_id) as jobs
		 from public.credit_accounts a where a.team_id = $1`,
		[teamId]
	);
	return rows[0];
}

async function limitTeam(teamId: string, limits: { max_waiting?: number; input_bytes_per_day?: number }): Promise<void> {
	await db.pool.query(
		`insert into private.team_quotas (team_id, max_waiting, input_bytes_per_day) values ($1, $2, $3)
		 on conflict (team_id) do update set max_waiting = excluded.max_waiting, input_bytes_per_day = excluded.input_bytes_per_day`,
		[teamId, limits.max_waiting ?? null, limits.input_bytes_per_day ?? null]
	);
}

/** One submission as the user: the job id, or the refusal (message and hint). */
async function submit(user: TestUser, input: object = moleculeInput(1)): Promise<{ id?: string; error?: string; hint?: string; code?: string }> {
	try {
		const id = await withActor(db.pool, asUser(user), async (c) => (await c.query(`select id from public.submit_job('molecule-properties', 'job', $1)`, [input])).rows[0].id);
		return { id };
	} catch (error) {
		const e = error as pg.DatabaseError;
		return { error: e.message, hint: e.hint, code: e.code };
	}
}

describe('the waiting-jobs limit', () => {
	it('refuses the submission past it, saying which limit and when it frees, and charges nothing', async () => {
		const user = await createUser(db.pool);
		await limitTeam(user.teamId, { max_waiting: 3 });
		for (let i = 0; i < 3; i++) expect((await submit(user)).id).toBeDefined();
		const before = await ledger(user.teamId);
		const refused = await submit(user);
		expect(refused.code).toBe('P0001');
		expect(refused.error).toMatch(/^limit reached: jobs waiting\. Your team has 3 jobs waiting to run, its limit; nothing was charged$/);
		expect(refused.hint).toMatch(/frees as soon as one of your waiting jobs starts or is cancelled/);
		expect(await ledger(user.teamId)).toEqual(before);
	});

	it('counts a retry like a submission, and frees a place when a waiting job is cancelled', async () => {
		const user = await createUser(db.pool);
		await limitTeam(user.teamId, { max_waiting: 2 });
		const cancel = (id: string) => withActor(db.pool, asUser(user), (c) => c.query('select public.cancel_job($1)', [id]));
		const first = (await submit(user)).id!;
		const second = (await submit(user)).id!;
		await cancel(first);
		expect((await submit(user)).id).toBeDefined();
		const before = await ledger(user.teamId);
		const retried = await withActor(db.pool, asUser(user), (c) => attempt(c, 'select public.retry_job($1)', [first]));
		expect(retried.error?.message).toMatch(/limit reached: jobs waiting/);
		expect(await ledger(user.teamId)).toEqual(before);
		await cancel(second);
		expect((await withActor(db.pool, asUser(user), (c) => attempt(c, 'select public.retry_job($1)', [first]))).error).toBeNull();
	});

	it('refuses many jobs submitted in one transaction whole when they would cross it', async () => {
		const user = await createUser(db.pool);
		await limitTeam(user.teamId, { max_waiting: 4 });
		await submit(user);
		const before = await ledger(user.teamId);
		// A batch of five: the first three fit, the fifth does not; none may stay.
		await expect(
			withActor(db.pool, asUser(user), async (c) => {
				for (let i = 0; i < 5; i++) await c.query(`select public.submit_job('molecule-properties', $1, $2)`, [`batch ${i}`, moleculeInput(1)]);
			})
		).rejects.toThrow(/limit reached: jobs waiting/);
		expect(await ledger(user.teamId)).toEqual(before);
	});

	it('lets exactly the limit through when 20 submissions race', { timeout: 60_000 }, async () => {
		const user = await createUser(db.pool);
		await limitTeam(user.teamId, { max_waiting: 5 });
		const pool = new pg.Pool({ connectionString: db.url, max: 20 });
		try {
			const results = await Promise.allSettled(
				Array.from({ length: 20 }, async () => {
					const client = await pool.connect();
					try {
						await client.query('begin');
						await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
							JSON.stringify({ sub: user.id, role: 'authenticated', email: user.email })
						]);
						await client.query(`select public.submit_job('molecule-properties', 'race', $1)`, [moleculeInput(1)]);
						await client.query('commit');
					} catch (error) {
						await client.query('rollback');
						throw error;
					} finally {
						client.release();
					}
				})
			);
			expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
			for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/limit reached: jobs waiting/);
		} finally {
			await pool.end();
		}
		const after = await ledger(user.teamId);
		expect(after).toMatchObject({ jobs: 5, balance: 95 });
	});
});

describe('the daily input limit', () => {
	it('refuses the submission that would cross it, says it frees at midnight UTC, charges nothing, and deleting jobs gives nothing back', async () => {
		const user = await createUser(db.pool);
		const input = moleculeInput(20); // about 800 bytes
		const size: number = (await db.pool.query('select octet_length($1::jsonb::text) as n', [input])).rows[0].n;
		await limitTeam(user.teamId, { input_bytes_per_day: size * 2 + 10 });
		const first = await submit(user, input);
		expect(first.id).toBeDefined();
		expect((await submit(user, input)).id).toBeDefined();
		const before = await ledger(user.teamId);
		const refused = await submit(user, input);
		expect(refused.error).toMatch(/^limit reached: input bytes per day\. This submission would bring your team's job input today to [\d.]+ MiB and its limit is [\d.]+ MiB a day; nothing was charged$/);
		expect(refused.hint).toMatch(/frees at 00:00 UTC \(in \d+ h \d+ min\)/);
		expect(await ledger(user.teamId)).toEqual(before);
		// Deleting what was sent does not make room to send more today.
		await withActor(db.pool, asUser(user), (c) => c.query('select public.cancel_job($1)', [first.id]));
		await withActor(db.pool, asUser(user), (c) => c.query('select public.delete_job($1)', [first.id]));
		expect((await submit(user, input)).error).toMatch(/limit reached: input bytes per day/);
		// Another team's allowance is its own.
		const other = await createUser(db.pool);
		expect((await submit(other, input)).id).toBeDefined();
	});
});

describe('limits and weights', () => {
	it('cannot be read or raised by a member of the team, an owner included', async () => {
		const owner = await createUser(db.pool);
		await limitTeam(owner.teamId, { max_waiting: 2 });
		for (const sql of [
			`update private.team_quotas set max_waiting = 100000 where team_id = '${owner.teamId}'`,
			`insert into private.team_quotas (team_id, weight) values ('${owner.teamId}', 1000)`,
			`update private.quota_defaults set max_waiting = 100000, weight = 1000`,
			`delete from private.team_quotas where team_id = '${owner.teamId}'`,
			`select * from private.team_quotas`,
			`update private.team_input_usage set bytes = 0`,
			`select * from private.team_limits('${owner.teamId}')`
		]) {
			const { error } = await withActor(db.pool, asUser(owner), (c) => attempt(c, sql));
			expect(error?.code, sql).toBe('42501');
		}
		const { rows } = await db.pool.query('select max_waiting, weight from private.team_quotas where team_id = $1', [owner.teamId]);
		expect(rows).toEqual([{ max_waiting: 2, weight: null }]);
	});
});
