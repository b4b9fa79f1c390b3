// Cancelling a job that never started (pending, queued, or waiting in retry)
// gives its credits back, in the database, with a refund in the ledger,
// exactly once, however many cancels race; cancelling a running job does
// not (the compute is spent). The job row says what it got back
// (credits_refunded), which only the database sets, and the timeline says
// which case applied.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anon, asUser, attempt, createUser, moleculeInput, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
});
afterAll(async () => {
	await db?.close();
});

async function submit(user: TestUser, credits: number, toolId = 'molecule-properties'): Promise<string> {
	const input = toolId === 'molecule-properties' ? moleculeInput(credits) : { sequences: [{ id: 'P1', sequence: 'MKV' }] };
	return withActor(db.pool, asUser(user), async (c) => (await c.query(`select id from public.submit_job($1, 'job', $2)`, [toolId, input])).rows[0].id);
}

/** Moves a job along as the dispatcher and workers do (service-role writes). */
async function move(jobId: string, ...statuses: string[]): Promise<void> {
	for (const status of statuses) await db.pool.query(`update public.jobs set status = $2::public.job_status where id = $1`, [jobId, status]);
}

const cancel = (user: TestUser, jobId: string) =>
	withActor(db.pool, asUser(user), async (c) => (await c.query('select status, credits_charged, credits_refunded from public.cancel_job($1)', [jobId])).rows[0]);

async function ledger(jobId: string): Promise<Array<{ reason: string; delta: number; memo: string }>> {
	return (await db.pool.query('select reason, delta, memo from public.credit_ledger where job_id = $1 order by id', [jobId])).rows;
}

async function balance(teamId: string): Promise<{ balance: number; ledgerSum: number }> {
	const { rows } = await db.pool.query(
		`select a.balance, (select sum(delta)::int from public.credit_ledger l where l.team_id = a.team_id) as ledger_sum
		 from public.credit_accounts a where a.team_id = $1`,
		[teamId]
	);
	return { balance: rows[0].balance, ledgerSum: rows[0].ledger_sum };
}

async function cancellationMessage(jobId: string): Promise<string> {
	const { rows } = await db.pool.query(`select message from public.job_events where job_id = $1 and to_status = 'cancelled'`, [jobId]);
	return rows[0].message;
}

describe('cancelling refunds a job that never started', () => {
	it.each([
		['pending', [], 'before it started: its 4 credits were refunded'],
		['queued', ['queued'], 'before it started: its 4 credits were refunded'],
		['retry', ['queued', 'processing', 'retry'], 'while it waited to run again: its 4 credits were refunded']
	])('refunds a %s job once, in the ledger and on the job, and says so in the timeline', async (_status, path, said) => {
		const user = await createUser(db.pool, { displayName: 'Ada' });
		const jobId = await submit(user, 4);
		await move(jobId, ...path);
		expect(await balance(user.teamId)).toEqual({ balance: 96, ledgerSum: 96 });

		expect(await cancel(user, jobId)).toEqual({ status: 'cancelled', credits_charged: 4, credits_refunded: 4 });
		expect(await balance(user.teamId)).toEqual({ balance: 100, ledgerSum: 100 });
		expect(await ledger(jobId)).toEqual([
			{ reason: 'charge', delta: -4, memo: 'Molecule properties: job' },
			{ reason: 'refund', delta: 4, memo: 'Refund (cancelled before it started): Molecule properties: job' }
		]);
		expect(await cancellationMessage(jobId)).toBe(`Cancelled by Ada ${said}`);
	});

	it('does not refund a job cancelled while it runs, and says why', async () => {
		const user = await createUser(db.pool, { displayName: 'Ada' });
		const jobId = await submit(user, 3);
		await move(jobId, 'queued', 'processing');
		expect(await cancel(user, jobId)).toEqual({ status: 'cancelled', credits_charged: 3, credits_refunded: 0 });
		expect(await balance(user.teamId)).toEqual({ balance: 97, ledgerSum: 97 });
		expect((await ledger(jobId)).map((e) => e.reason)).toEqual(['charge']);
		expect(await cancellationMessage(jobId)).toBe('Cancelled by Ada while it ran: its 3 credits are not refunded (the compute was spent)');
	});

	it('cancels a free job without a ledger entry or a word about credits', async () => {
		const user = await createUser(db.pool, { displayName: 'Ada' });
		const jobId = await submit(user, 0, 'protein-properties');
		expect(await cancel(user, jobId)).toEqual({ status: 'cancelled', credits_charged: 0, credits_refunded: 0 });
		expect(await ledger(jobId)).toEqual([]);
		expect(await cancellationMessage(jobId)).toBe('Cancelled by Ada');
	});

	it('refunds once when 20 members cancel the same job at the same moment; the others are told it is already cancelled', { timeout: 30_000 }, async () => {
		const owner = await createUser(db.pool);
		const mates = await Promise.all(Array.from({ length: 19 }, () => createUser(db.pool)));
		for (const mate of mates) await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [owner.teamId, mate.id]);
		const jobId = await submit(owner, 6);
		await move(jobId, 'queued');
		const pool = new pg.Pool({ connectionString: db.url, max: 20 });
		try {
			const clients = await Promise.all(Array.from({ length: 20 }, () => pool.connect()));
			// Each holds its transaction open, acting as its user; then all cancel at once.
			await Promise.all(
				clients.map(async (c, i) => {
					const user = i === 0 ? owner : mates[i - 1];
					await c.query('begin');
					await c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
						JSON.stringify({ sub: user.id, role: 'authenticated' })
					]);
				})
			);
			const results = await Promise.allSettled(
				clients.map(async (c) => {
					try {
						await c.query('select public.cancel_job($1)', [jobId]);
						await c.query('commit');
					} catch (error) {
						await c.query('rollback');
						throw error;
					} finally {
						c.release();
					}
				})
			);
			expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
			const refusals = new Set(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : [])));
			expect(refusals).toEqual(new Set(['this job is already cancelled and cannot be cancelled']));
		} finally {
			await pool.end();
		}
		expect((await ledger(jobId)).map((e) => e.reason)).toEqual(['charge', 'refund']);
		expect(await balance(owner.teamId)).toEqual({ balance: 100, ledgerSum: 100 });
		// And once more, later: refused, nothing more refunded.
		await expect(cancel(owner, jobId)).rejects.toThrow('this job is already cancelled and cannot be cancelled');
		expect((await ledger(jobId)).map((e) => e.reason)).toEqual(['charge', 'refund']);
	});

	it('refunds exactly when the cancel wins the race with a worker starting the job', { timeout: 30_000 }, async () => {
		const user = await createUser(db.pool);
		const jobs = await Promise.all(Array.from({ length: 12 }, () => submit(user, 1)));
		for (const jobId of jobs) await move(jobId, 'queued');
		const pool = new pg.Pool({ connectionString: db.url, max: 8 });
		try {
			await Promise.all(
				jobs.flatMap((jobId) => [
					cancelOn(pool, user, jobId),
					// The worker's claim: queued -> processing, unless the job moved on.
					pool.query(`update public.jobs set status = 'processing' where id = $1 and status = 'queued'`, [jobId])
				])
			);
		} finally {
			await pool.end();
		}
		for (const jobId of jobs) {
			const { rows } = await db.pool.query(
				`select j.credits_refunded, e.from_status from public.jobs j join public.job_events e on e.job_id = j.id and e.to_status = 'cancelled' where j.id = $1`,
				[jobId]
			);
			const refunds = (await ledger(jobId)).filter((e) => e.reason === 'refund');
			const startedFirst = rows[0].from_status === 'processing';
			expect({ refunds: refunds.length, refunded: rows[0].credits_refunded }).toEqual(startedFirst ? { refunds: 0, refunded: 0 } : { refunds: 1, refunded: 1 });
		}
		const { balance: left, ledgerSum } = await balance(user.teamId);
		expect(left).toBe(ledgerSum);
	});

	it('keeps credits_refunded the database\'s: a direct write cannot set it, on insert or update', async () => {
		const user = await createUser(db.pool);
		const jobId = await submit(user, 5);
		await db.pool.query('update public.jobs set credits_refunded = 5 where id = $1', [jobId]);
		await move(jobId, 'queued', 'processing', 'completed');
		await db.pool.query('update public.jobs set credits_refunded = 5 where id = $1', [jobId]);
		const { rows } = await db.pool.query('select credits_refunded from public.jobs where id = $1', [jobId]);
		expect(rows[0].credits_refunded).toBe(0);
		expect((await ledger(jobId)).map((e) => e.reason)).toEqual(['charge']);
		const inserted = await db.pool.query(
			`insert into public.jobs (team_id, tool_id, name, input, credits_charged, credits_refunded) values ($1, 'protein-properties', 'x', '{"sequences":[]}', 3, 3) returning credits_refunded`,
			[user.teamId]
		);
		expect(inserted.rows[0].credits_refunded).toBe(0);
	});

	it('refuses, and refunds nothing, when a viewer, another team or an anonymous visitor cancels', async () => {
		const owner = await createUser(db.pool);
		const viewer = await createUser(db.pool);
		const outsider = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'viewer')`, [owner.teamId, viewer.id]);
		const jobId = await submit(owner, 2);
		await expect(cancel(viewer, jobId)).rejects.toThrow('team viewers can only look: they cannot cancel jobs');
		await expect(cancel(outsider, jobId)).rejects.toThrow(`job ${jobId} not found`);
		await withActor(db.pool, anon, async (c) => {
			const { error } = await attempt(c, 'select public.cancel_job($1)', [jobId]);
			expect(error?.code).toBe('42501');
		});
		expect((await ledger(jobId)).map((e) => e.reason)).toEqual(['charge']);
		expect(await balance(owner.teamId)).toEqual({ balance: 98, ledgerSum: 98 });
	});

	it('shows what a job got back where pages read it: the jobs list and get_job', async () => {
		const user = await createUser(db.pool);
		const jobId = await submit(user, 2);
		await cancel(user, jobId);
		await withActor(db.pool, asUser(user), async (c) => {
			const list = await c.query('select id, credits_charged, credits_refunded from public.list_team_jobs($1)', [user.teamId]);
			expect(list.rows).toEqual([{ id: jobId, credits_charged: 2, credits_refunded: 2 }]);
			const view = await c.query('select public.get_job($1, false) as v', [jobId]);
			expect(view.rows[0].v.job).toMatchObject({ credits_charged: 2, credits_refunded: 2, status: 'cancelled' });
		});
	});
});

async function cancelOn(pool: pg.Pool, user: TestUser, jobId: string): Promise<void> {
	const c = await pool.connect();
	try {
		await c.query('begin');
		await c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: user.id, role: 'authenticated' })]);
		await c.query('select public.cancel_job($1)', [jobId]);
		await c.query('commit');
	} catch (error) {
		await c.query('rollback');
		throw error;
	} finally {
		c.release();
	}
}
