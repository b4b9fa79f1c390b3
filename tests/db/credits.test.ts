// Credits: the balance is the ledger's sum and never negative, a job is
// charged once when submitted and refunded once when it ends failed or
// timeout (never when completed; cancelling: tests/db/cancel-refunds.test.ts),
// and the database prices every kind of pricing rule.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createUser, driveJob, moleculeInput, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
	// Tools that are disabled in the catalog, enabled here to price them; and a flat-priced one.
	await db.pool.query(`update public.tools set enabled = true where id in ('structure-analysis', 'docking', 'structure-prediction')`);
	await db.pool.query(
		`insert into public.tools (id, name, category, compute_class, input_kind, items_field, pricing_kind, pricing_credits, time_limit_seconds, max_input_bytes, max_items)
		 values ('flat-test', 'Flat test', 'Sequence analysis', 'cpu', 'sequences', 'sequences', 'flat', 7, 60, 100000, 10)`
	);
});
afterAll(async () => {
	await db?.close();
});

async function account(teamId: string): Promise<{ balance: number; ledgerSum: number }> {
	const { rows } = await db.pool.query(
		`select a.balance, (select coalesce(sum(delta), 0)::int from public.credit_ledger l where l.team_id = a.team_id) as ledger_sum
		 from public.credit_accounts a where a.team_id = $1`,
		[teamId]
	);
	return { balance: rows[0].balance, ledgerSum: rows[0].ledger_sum };
}

async function submit(user: TestUser, input: unknown, toolId = 'molecule-properties', settings: unknown = {}): Promise<{ id: string; credits_charged: number }> {
	return withActor(db.pool, asUser(user), async (c) => {
		const { rows } = await c.query(`select * from public.submit_job($1, 'job', $2, $3)`, [toolId, input, settings]);
		return rows[0];
	});
}

describe('credits', () => {
	it('gives a new user a personal team with 100 credits from a grant in the ledger', async () => {
		const user = await createUser(db.pool);
		expect(await account(user.teamId)).toEqual({ balance: 100, ledgerSum: 100 });
		const { rows } = await db.pool.query('select delta, reason, memo from public.credit_ledger where team_id = $1', [user.teamId]);
		expect(rows).toEqual([{ delta: 100, reason: 'grant', memo: 'Starting credits' }]);
	});

	it('lets exactly 10 of 50 concurrent submissions through when the balance covers 10', { timeout: 60_000 }, async () => {
		const user = await createUser(db.pool);
		const input = moleculeInput(10); // 10 credits each; the team has 100
		const pool = new pg.Pool({ connectionString: db.url, max: 50 });
		const watcher = new pg.Client({ connectionString: db.url });
		await watcher.connect();
		let watching = true;
		const seenBalances: number[] = [];
		const watch = (async () => {
			while (watching) {
				const { rows } = await watcher.query('select balance from public.credit_accounts where team_id = $1', [user.teamId]);
				seenBalances.push(rows[0].balance);
			}
		})();
		try {
			const clients = await Promise.all(Array.from({ length: 50 }, () => pool.connect()));
			const results = await Promise.allSettled(
				clients.map(async (c) => {
					try {
						await c.query('begin');
						await c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
							JSON.stringify({ sub: user.id, role: 'authenticated' })
						]);
						await c.query(`select public.submit_job('molecule-properties', 'race', $1)`, [input]);
						await c.query('commit');
					} catch (error) {
						await c.query('rollback');
						throw error;
					} finally {
						c.release();
					}
				})
			);
			const ok = results.filter((r) => r.status === 'fulfilled').length;
			const refusals = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
			expect(ok).toBe(10);
			expect(new Set(refusals)).toEqual(new Set(['not enough credits: this job costs 10 and the team has 0']));
		} finally {
			watching = false;
			await watch;
			await watcher.end();
			await pool.end();
		}
		expect(seenBalances.length).toBeGreaterThan(0);
		expect(Math.min(...seenBalances)).toBeGreaterThanOrEqual(0);
		expect(await account(user.teamId)).toEqual({ balance: 0, ledgerSum: 0 });
		const { rows } = await db.pool.query(`select count(*)::int as jobs, sum(credits_charged)::int as charged from public.jobs where team_id = $1`, [user.teamId]);
		expect(rows[0]).toEqual({ jobs: 10, charged: 100 });
	});

	it('refunds a failed or timed-out job once, even when the status update is retried', async () => {
		for (const end of ['failed', 'timeout']) {
			const user = await createUser(db.pool);
			const job = await submit(user, moleculeInput(7));
			expect(job.credits_charged).toBe(7);
			expect(await account(user.teamId)).toEqual({ balance: 93, ledgerSum: 93 });
			await driveJob(db.pool, job.id, end);
			// The worker's write is retried (e.g. after a lost connection).
			await db.pool.query(`update public.jobs set status = $2::public.job_status, error_message = coalesce(error_message, 'x') where id = $1`, [job.id, end]);
			expect(await account(user.teamId)).toEqual({ balance: 100, ledgerSum: 100 });
			const { rows } = await db.pool.query(`select reason, delta from public.credit_ledger where job_id = $1 order by id`, [job.id]);
			expect(rows).toEqual([
				{ reason: 'charge', delta: -7 },
				{ reason: 'refund', delta: 7 }
			]);
			// A second refund for the same job cannot be written at all.
			await expect(
				db.pool.query(`insert into public.credit_ledger (team_id, job_id, delta, reason) values ($1, $2, 7, 'refund')`, [user.teamId, job.id])
			).rejects.toThrow(/credit_ledger_once_per_job_idx/);
			await expect(
				db.pool.query(`insert into public.credit_ledger (team_id, job_id, delta, reason) values ($1, $2, -7, 'charge')`, [user.teamId, job.id])
			).rejects.toThrow(/credit_ledger_once_per_job_idx/);
		}
	});

	it('does not refund completed jobs, or jobs cancelled while they ran', async () => {
		for (const path of [['queued', 'processing', 'completed'], ['queued', 'processing', 'cancelled']]) {
			const user = await createUser(db.pool);
			const job = await submit(user, moleculeInput(5));
			for (const status of path) await db.pool.query(`update public.jobs set status = $2::public.job_status where id = $1`, [job.id, status]);
			expect(await account(user.teamId)).toEqual({ balance: 95, ledgerSum: 95 });
			const { rows } = await db.pool.query('select credits_refunded from public.jobs where id = $1', [job.id]);
			expect(rows[0].credits_refunded).toBe(0);
		}
	});

	it('charges a retry and a duplicate like any new job', async () => {
		const user = await createUser(db.pool);
		const failed = await submit(user, moleculeInput(4));
		await driveJob(db.pool, failed.id, 'failed'); // refunded: 100
		const done = await submit(user, moleculeInput(3));
		await driveJob(db.pool, done.id, 'completed'); // 97
		const [retry, copy, renamedCopy] = await withActor(db.pool, asUser(user), async (c) => [
			(await c.query('select * from public.retry_job($1)', [failed.id])).rows[0], // 93
			(await c.query('select * from public.duplicate_job($1)', [done.id])).rows[0], // 90
			(await c.query(`select * from public.duplicate_job($1, 'v2', '{"fast": true}')`, [done.id])).rows[0] // 87
		]);
		expect(await account(user.teamId)).toEqual({ balance: 87, ledgerSum: 87 });
		expect(retry).toMatchObject({ retry_of: failed.id, status: 'pending', name: 'job (retry 2)', input: moleculeInput(4), settings: {}, credits_charged: 4 });
		expect(copy).toMatchObject({ duplicated_from: done.id, name: 'job (copy)', input: moleculeInput(3), settings: {}, credits_charged: 3 });
		expect(renamedCopy).toMatchObject({ duplicated_from: done.id, name: 'v2', settings: { fast: true } });
	});

	it('keeps the ledger append-only and the balance out of reach of direct writes', async () => {
		const user = await createUser(db.pool);
		await expect(db.pool.query('update public.credit_accounts set balance = 1000000 where team_id = $1', [user.teamId])).rejects.toThrow(
			'a credit balance changes only by adding a credit_ledger row'
		);
		await expect(db.pool.query('update public.credit_ledger set delta = 1000 where team_id = $1', [user.teamId])).rejects.toThrow(
			'the credit ledger is append-only: add an adjustment instead of editing'
		);
		await expect(db.pool.query('delete from public.credit_ledger where team_id = $1', [user.teamId])).rejects.toThrow(
			'the credit ledger is append-only: add an adjustment instead of deleting'
		);
		await expect(
			db.pool.query(`insert into public.credit_ledger (team_id, delta, reason) values ($1, -101, 'adjustment')`, [user.teamId])
		).rejects.toThrow('not enough credits: this needs 101 and the team has 100');
		await db.pool.query(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, -40, 'adjustment', 'correction')`, [user.teamId]);
		expect(await account(user.teamId)).toEqual({ balance: 60, ledgerSum: 60 });
		// Clients cannot write credits at all.
		await withActor(
			db.pool,
			asUser(user),
			async (c) => {
				await expect(c.query(`insert into public.credit_ledger (team_id, delta, reason) values ($1, 1000, 'grant')`, [user.teamId])).rejects.toThrow(
					/permission denied/
				);
			},
			true
		);
	});

	it('keeps ledger rows, with the job reference cleared, when a job is deleted', async () => {
		const user = await createUser(db.pool);
		const job = await submit(user, moleculeInput(2));
		await withActor(db.pool, asUser(user), (c) => c.query('select public.delete_job($1)', [job.id]));
		const { rows } = await db.pool.query(`select job_id, delta, reason, memo from public.credit_ledger where team_id = $1 and reason = 'charge'`, [user.teamId]);
		expect(rows).toEqual([{ job_id: null, delta: -2, reason: 'charge', memo: 'Molecule properties: job' }]);
		expect(await account(user.teamId)).toEqual({ balance: 98, ledgerSum: 98 });
	});

	it('estimates every pricing kind, with the balance and a breakdown', async () => {
		const user = await createUser(db.pool);
		const estimate = (toolId: string, input: unknown, settings: unknown = {}) =>
			withActor(db.pool, asUser(user), async (c) => (await c.query('select public.estimate_job_cost($1, $2, $3) as e', [toolId, input, settings])).rows[0].e);
		const seqs = (lengths: number[]) => ({ sequences: lengths.map((n, i) => ({ id: `s${i}`, sequence: 'A'.repeat(n) })) });

		expect(await estimate('protein-properties', seqs([10, 20]))).toEqual({
			tool_id: 'protein-properties',
			team_id: user.teamId,
			credits: 0,
			balance: 100,
			sufficient: true,
			can_run: true,
			breakdown: { pricing: 'free', items: 2 }
		});
		expect(await estimate('flat-test', seqs([10, 20, 30]))).toMatchObject({ credits: 7, breakdown: { pricing: 'flat', credits_per_job: 7 } });
		expect(await estimate('pairwise-alignment', { query: { id: 'q', sequence: 'MKV' }, targets: [{}, {}, {}] })).toMatchObject({
			credits: 3,
			breakdown: { pricing: 'per_input', items: 3, unit: 'aligned pair', credits_per_unit: 1 }
		});
		expect(await estimate('structure-analysis', { structures: [{ name: 'a', format: 'pdb', content: '' }, { name: 'b', format: 'pdb', content: '' }] })).toMatchObject({
			credits: 4,
			breakdown: { pricing: 'per_structure', items: 2, credits_per_unit: 2 }
		});
		expect(await estimate('docking', { receptor: { name: 'r' }, ligands: [{}, {}, {}] }, { exhaustiveness: 16 })).toMatchObject({
			credits: 12,
			breakdown: { pricing: 'calculator', items: 3, description: '2 credits per ligand for each 8 units of exhaustiveness' }
		});
		expect(await estimate('structure-prediction', seqs([250, 40, 1001]))).toMatchObject({ credits: 5 + 5 + 11, sufficient: true });
		expect(await estimate('structure-prediction', seqs(Array.from({ length: 50 }, () => 1000)))).toMatchObject({ credits: 500, balance: 100, sufficient: false });
	});

	it('submits at the estimated price', async () => {
		const user = await createUser(db.pool);
		const job = await submit(user, { receptor: { name: 'r' }, ligands: [{}, {}] }, 'docking', { exhaustiveness: 24 });
		expect(job.credits_charged).toBe(12);
		expect(await account(user.teamId)).toEqual({ balance: 88, ledgerSum: 88 });
	});
});
