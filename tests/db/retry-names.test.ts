// Retrying: the new job is named after its run ("job (retry 2)", then 3, ...),
// and retry_job_preview tells the person beforehand what it will be called
// and cost, with the same checks as retry_job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anon, asUser, attempt, createUser, driveJob, moleculeInput, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
});
afterAll(async () => {
	await db?.close();
});

async function submit(user: TestUser, name: string, credits = 2): Promise<string> {
	return withActor(db.pool, asUser(user), async (c) => (await c.query(`select id from public.submit_job('molecule-properties', $1, $2)`, [name, moleculeInput(credits)])).rows[0].id);
}

async function retry(user: TestUser, jobId: string): Promise<{ id: string; name: string }> {
	const job = await withActor(db.pool, asUser(user), async (c) => (await c.query('select id, name from public.retry_job($1)', [jobId])).rows[0]);
	await driveJob(db.pool, job.id, 'failed');
	return job;
}

const preview = (user: TestUser, jobId: string) =>
	withActor(db.pool, asUser(user), async (c) => (await c.query('select public.retry_job_preview($1) as p', [jobId])).rows[0].p);

describe('retry names and price', () => {
	it('names each run of a retry family after its number, whichever run is retried', async () => {
		const user = await createUser(db.pool);
		const first = await submit(user, 'Kinase panel');
		await driveJob(db.pool, first, 'failed');
		const second = await retry(user, first);
		expect(second.name).toBe('Kinase panel (retry 2)');
		expect((await retry(user, second.id)).name).toBe('Kinase panel (retry 3)');
		// Retrying the first run again does not give a name already taken.
		expect((await retry(user, first)).name).toBe('Kinase panel (retry 4)');
	});

	it('counts on from a "(retry n)" name whose earlier runs are gone, and keeps names within 200 characters', async () => {
		const user = await createUser(db.pool);
		const renamed = await submit(user, 'Screen (retry 7)');
		await driveJob(db.pool, renamed, 'cancelled');
		expect((await retry(user, renamed)).name).toBe('Screen (retry 8)');
		const long = await submit(user, 'x'.repeat(200));
		await driveJob(db.pool, long, 'timeout');
		const name = (await retry(user, long)).name;
		expect(name).toBe(`${'x'.repeat(190)} (retry 2)`);
		expect(name).toHaveLength(200);
	});

	it('previews the name, the price and the balance; retrying charges exactly that', async () => {
		const user = await createUser(db.pool);
		const jobId = await submit(user, 'Panel', 7);
		await driveJob(db.pool, jobId, 'failed'); // refunded: 100
		expect(await preview(user, jobId)).toEqual({ job_id: jobId, name: 'Panel (retry 2)', credits: 7, balance: 100, sufficient: true });
		const job = await retry(user, jobId);
		expect(job.name).toBe('Panel (retry 2)');
		const { rows } = await db.pool.query('select balance from public.credit_accounts where team_id = $1', [user.teamId]);
		// The retry was charged 7 and, failed here, refunded.
		expect(rows[0].balance).toBe(100);
		const ledger = await db.pool.query(`select delta from public.credit_ledger where job_id = $1 and reason = 'charge'`, [job.id]);
		expect(ledger.rows).toEqual([{ delta: -7 }]);
	});

	it('says when the balance is short', async () => {
		const user = await createUser(db.pool);
		const jobId = await submit(user, 'Panel', 60);
		await driveJob(db.pool, jobId, 'queued');
		await driveJob(db.pool, jobId, 'processing');
		await db.pool.query(`update public.jobs set status = 'cancelled' where id = $1`, [jobId]); // ran: not refunded, 40 left
		expect(await preview(user, jobId)).toMatchObject({ credits: 60, balance: 40, sufficient: false });
	});

	it('refuses the preview as retry_job refuses: running jobs, viewers, other teams, anonymous visitors', async () => {
		const owner = await createUser(db.pool);
		const viewer = await createUser(db.pool);
		const outsider = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'viewer')`, [owner.teamId, viewer.id]);
		const running = await submit(owner, 'Running');
		await driveJob(db.pool, running, 'processing');
		await expect(preview(owner, running)).rejects.toThrow('only failed, timed-out or cancelled jobs can be retried; this one is processing');
		const failed = await submit(owner, 'Failed');
		await driveJob(db.pool, failed, 'failed');
		await expect(preview(viewer, failed)).rejects.toThrow('team viewers can only look: they cannot retry jobs');
		await expect(preview(outsider, failed)).rejects.toThrow(`job ${failed} not found`);
		await withActor(db.pool, anon, async (c) => {
			const { error } = await attempt(c, 'select public.retry_job_preview($1)', [failed]);
			expect(error?.message).toMatch(/permission denied for function retry_job_preview/);
		});
	});
});
