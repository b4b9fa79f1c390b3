// Sharing by email: every share starts pending (an account or not, the
// sharer learns nothing) and attaches when its recipient claims it with
// proven credentials (public.claim_pending_access); confirming an address
// alone attaches nothing. Invitees see the job, its files and events and
// nothing else; deleting a job removes its files, shares and events but not
// its ledger rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anon, asUser, createUser, driveJob, errorOf, moleculeInput, openTestDatabase, withActor, type Actor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
let owner: TestUser;

beforeAll(async () => {
	db = await openTestDatabase(2);
	owner = await createUser(db.pool, { email: 'owner@example.test', displayName: 'Owner' });
});
afterAll(async () => {
	await db?.close();
});

async function completedJob(visibility = 'invited'): Promise<string> {
	const id = await withActor(db.pool, asUser(owner), async (c) => {
		const { rows } = await c.query(`select id from public.submit_job('molecule-properties', 'shared job', $1)`, [moleculeInput(2)]);
		await c.query('select public.set_job_visibility($1, $2)', [rows[0].id, visibility]);
		return rows[0].id as string;
	});
	await driveJob(db.pool, id, 'completed');
	await db.pool.query(`insert into public.job_files (job_id, kind, name, media_type, content) values ($1, 'output', 'result.csv', 'text/csv', 'x,y')`, [id]);
	return id;
}

async function share(jobId: string, email: string) {
	return withActor(db.pool, asUser(owner), async (c) => (await c.query('select * from public.share_job($1, $2)', [jobId, email])).rows[0]);
}

/** The recipient claims what was shared with their address (the web app does this once they are signed in). */
async function claim(user: TestUser) {
	return withActor(db.pool, asUser(user), async (c) => (await c.query('select public.claim_pending_access() as r')).rows[0].r);
}

/** Shares and claims at once: the share as the recipient ends up with it. */
async function shareAndClaim(jobId: string, user: TestUser) {
	await share(jobId, user.email);
	return claim(user);
}

/** What the actor can read of a job: [job rows, file rows, event rows]. */
async function sees(actor: Actor, jobId: string): Promise<[number, number, number]> {
	return withActor(
		db.pool,
		actor,
		async (c) => {
			const n = async (sql: string) => (await c.query(sql, [jobId])).rowCount ?? 0;
			return [
				await n('select 1 from public.jobs where id = $1'),
				await n('select 1 from public.job_files where job_id = $1'),
				await n('select 1 from public.job_events where job_id = $1')
			];
		},
		true
	);
}

describe('sharing', () => {
	it('keeps a share to an unknown email pending; confirming the address attaches nothing, claiming with proven credentials does', async () => {
		const jobId = await completedJob();
		const pending = await share(jobId, '  New.Person@Example.TEST ');
		expect(pending).toMatchObject({ email: 'new.person@example.test', user_id: null, accepted_at: null, invited_by: owner.id });

		// Signs up; the address is not confirmed yet: nothing to claim with.
		const invitee = await createUser(db.pool, { email: 'new.person@example.test', confirmed: false });
		expect(await sees(asUser(invitee), jobId)).toEqual([0, 0, 0]);
		expect(await withActor(db.pool, asUser(invitee), (c) => c.query('select public.claim_pending_access()')).then(() => null, errorOf)).toEqual({
			code: '42501',
			message: 'confirm your email address before you open what was shared with you'
		});

		// Confirms the address (an account without a password: nobody held other credentials).
		await db.pool.query('update auth.users set email_confirmed_at = now() where id = $1', [invitee.id]);
		expect((await db.pool.query('select user_id from public.job_shares where id = $1', [pending.id])).rows[0].user_id).toBeNull();
		expect(await sees(asUser(invitee), jobId)).toEqual([0, 0, 0]);

		expect(await claim(invitee)).toEqual({
			attached: [{ job_id: jobId, tool_id: 'molecule-properties', name: 'shared job' }],
			pending_invites: []
		});
		const { rows } = await db.pool.query('select user_id, accepted_at from public.job_shares where id = $1', [pending.id]);
		expect(rows[0].user_id).toBe(invitee.id);
		expect(rows[0].accepted_at).toBeInstanceOf(Date);
		expect(await sees(asUser(invitee), jobId)).toEqual([1, 1, 4]);
		// Claiming again attaches nothing more.
		expect(await claim(invitee)).toEqual({ attached: [], pending_invites: [] });
	});

	it('keeps a share to a confirmed account pending until it claims it, and attaches shares to a changed address once claimed', async () => {
		const jobId = await completedJob();
		const known = await createUser(db.pool, { email: 'known@example.test' });
		// The same answer as for an unknown address: no account is revealed.
		expect(await share(jobId, 'KNOWN@example.test')).toMatchObject({ email: 'known@example.test', user_id: null, accepted_at: null });
		expect(await sees(asUser(known), jobId)).toEqual([0, 0, 0]);
		await claim(known);
		expect(await sees(asUser(known), jobId)).toEqual([1, 1, 4]);

		const mover = await createUser(db.pool, { email: 'old-address@example.test' });
		await share(jobId, 'new-address@example.test');
		expect(await sees(asUser(mover), jobId)).toEqual([0, 0, 0]);
		await db.pool.query(`update auth.users set email = 'new-address@example.test' where id = $1`, [mover.id]);
		expect(await sees(asUser(mover), jobId)).toEqual([0, 0, 0]);
		await claim({ ...mover, email: 'new-address@example.test' });
		expect(await sees(asUser(mover), jobId)).toEqual([1, 1, 4]);
	});

	it('shows an invitee the job, its files and events, and nothing else', async () => {
		const jobId = await completedJob();
		const invitee = await createUser(db.pool, { email: 'reader@example.test' });
		await shareAndClaim(jobId, invitee);
		const seen = await withActor(
			db.pool,
			asUser(invitee),
			async (c) => {
				const count = async (sql: string, params: unknown[] = []) => (await c.query(sql, params)).rowCount;
				return {
					job: await count('select input, settings, result from public.jobs where id = $1', [jobId]),
					otherTeamJobs: await count('select 1 from public.jobs where team_id = $1 and id <> $2', [owner.teamId, jobId]),
					shares: await count('select 1 from public.job_shares where job_id = $1', [jobId]),
					team: await count('select 1 from public.teams where id = $1', [owner.teamId]),
					members: await count('select 1 from public.team_members where team_id = $1', [owner.teamId]),
					submitterProfile: await count('select 1 from public.profiles where id = $1', [owner.id]),
					credits: await count('select 1 from public.credit_accounts where team_id = $1', [owner.teamId]),
					ledger: await count('select 1 from public.credit_ledger where team_id = $1', [owner.teamId]),
					list: await count('select 1 from public.list_team_jobs($1)', [owner.teamId])
				};
			},
			true
		);
		expect(seen).toEqual({ job: 1, otherTeamJobs: 0, shares: 0, team: 0, members: 0, submitterProfile: 0, credits: 0, ledger: 0, list: 1 });
	});

	it('stops showing a job once it is unshared or made private', async () => {
		const jobId = await completedJob();
		const invitee = await createUser(db.pool);
		await shareAndClaim(jobId, invitee);
		expect(await sees(asUser(invitee), jobId)).toEqual([1, 1, 4]);
		await withActor(db.pool, asUser(owner), (c) => c.query('select public.set_job_visibility($1, $2)', [jobId, 'private']));
		expect(await sees(asUser(invitee), jobId)).toEqual([0, 0, 0]);
		await withActor(db.pool, asUser(owner), (c) => c.query('select public.set_job_visibility($1, $2)', [jobId, 'invited']));
		expect(await sees(asUser(invitee), jobId)).toEqual([1, 1, 4]);
		const removed = await withActor(db.pool, asUser(owner), async (c) => (await c.query('select public.unshare_job($1, $2) as ok', [jobId, invitee.email])).rows[0].ok);
		expect(removed).toBe(true);
		expect(await sees(asUser(invitee), jobId)).toEqual([0, 0, 0]);
		expect(await sees(anon, jobId)).toEqual([0, 0, 0]);
	});

	it('deletes a job with its inputs, results, files, shares and events, and keeps its ledger rows', async () => {
		const jobId = await completedJob();
		await share(jobId, 'someone@example.test');
		const retried = await withActor(db.pool, asUser(owner), async (c) => {
			const copy = (await c.query('select id from public.duplicate_job($1)', [jobId])).rows[0].id;
			await c.query('select public.delete_job($1)', [jobId]);
			return copy;
		});
		const { rows } = await db.pool.query(
			`select (select count(*) from public.jobs where id = $1)::int as jobs,
			        (select count(*) from public.job_files where job_id = $1)::int as files,
			        (select count(*) from public.job_shares where job_id = $1)::int as shares,
			        (select count(*) from public.job_events where job_id = $1)::int as events,
			        (select count(*) from public.credit_ledger where job_id = $1)::int as ledger_with_job,
			        (select duplicated_from from public.jobs where id = $2) as copy_of`,
			[jobId, retried]
		);
		expect(rows[0]).toEqual({ jobs: 0, files: 0, shares: 0, events: 0, ledger_with_job: 0, copy_of: null });
		const { rows: ledger } = await db.pool.query(
			`select count(*)::int as n from public.credit_ledger where team_id = $1 and job_id is null and reason = 'charge'`,
			[owner.teamId]
		);
		expect(ledger[0].n).toBeGreaterThanOrEqual(1);
	});
});
