// Operators grant credits through public.grant_credits (the service role or
// a direct connection, as `npm run credits` uses; never a user): a whole
// number from 1 to 100,000 with a reason, which the team sees in its ledger.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anon, asUser, attempt, createUser, openTestDatabase, service, withActor, type Actor, type TestDatabase } from '../helpers/db.ts';

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

const grantAs = (actor: Actor, teamId: string, credits: unknown, reason: string | null) =>
	withActor(db.pool, actor, async (c) => {
		const { rows, error } = await attempt(c, 'select public.grant_credits($1, $2, $3) as g', [teamId, credits, reason]);
		return { grant: rows[0]?.g, error };
	});

describe('operator grants', () => {
	it('adds a grant with its reason to the ledger and the balance, and the audit log records it', async () => {
		const user = await createUser(db.pool);
		const { grant, error } = await grantAs(service, user.teamId, 250, '  Pilot project  ');
		expect(error).toBeNull();
		expect(grant).toEqual({ ledger_id: expect.any(Number), team_id: user.teamId, team_name: `${user.email.split('@')[0]}'s workspace`, credits: 250, balance: 350, reason: 'Pilot project' });
		expect(await ledger(user.teamId)).toEqual([
			{ reason: 'grant', delta: 100, memo: 'Starting credits' },
			{ reason: 'grant', delta: 250, memo: 'Pilot project' }
		]);
		const audit = await db.pool.query(`select actor_kind, after from public.audit_log where team_id = $1 and action = 'credits.granted'`, [user.teamId]);
		expect(audit.rows).toContainEqual({ actor_kind: 'service', after: { balance: 350, delta: 250, memo: 'Pilot project' } });
		// A direct connection (the database owner, as npm run credits uses) may too.
		expect((await db.pool.query('select public.grant_credits($1, 5, $2) as g', [user.teamId, 'top-up'])).rows[0].g.balance).toBe(355);
	});

	it.each([
		[0, 'a grant must be at least 1 credit, not 0'],
		[-20, 'a grant must be at least 1 credit, not -20'],
		[12.5, 'a grant is a whole number of credits, not 12.5'],
		[100001, 'a grant of 100001 credits is more than one grant may give (100000)'],
		['99999999999999999999', 'a grant of 99999999999999999999 credits is more than one grant may give (100000)'],
		[null, 'a grant is a whole number of credits, not nothing']
	])('refuses a grant of %s credits, writing nothing', async (credits, message) => {
		const user = await createUser(db.pool);
		const { error } = await grantAs(service, user.teamId, credits, 'reason');
		expect(error).toEqual({ code: '22023', message });
		expect(await ledger(user.teamId)).toHaveLength(1);
	});

	it('refuses a grant without a reason, with one too long, or for a team that does not exist', async () => {
		const user = await createUser(db.pool);
		expect((await grantAs(service, user.teamId, 10, '   ')).error?.message).toBe('a grant needs a reason: the team sees it in its credit history');
		expect((await grantAs(service, user.teamId, 10, null)).error?.message).toBe('a grant needs a reason: the team sees it in its credit history');
		expect((await grantAs(service, user.teamId, 10, 'x'.repeat(501))).error?.message).toBe("a grant's reason has at most 500 characters; this one has 501");
		const missing = '00000000-0000-4000-8000-000000000000';
		expect((await grantAs(service, missing, 10, 'r')).error).toEqual({ code: '42704', message: `team ${missing} not found` });
		expect(await ledger(user.teamId)).toHaveLength(1);
	});

	it('is not for users: the team owner and anonymous visitors cannot grant', async () => {
		const owner = await createUser(db.pool);
		for (const actor of [asUser(owner), anon]) {
			const { error } = await grantAs(actor, owner.teamId, 1000, 'free money');
			expect(error?.message).toMatch(/permission denied for function grant_credits/);
		}
		expect(await ledger(owner.teamId)).toHaveLength(1);
	});
});
