// Shared by the jobs list tests (jobs-list, jobs-list-sort): a database of
// the file's own with one team (alice owns it, bob is a member) and an
// outsider, jobs submitted into that team, history rewritten with triggers
// off, and list_team_jobs called as a user with named arguments.
import type pg from 'pg';
import { asUser, createUser, driveJob, moleculeInput, openTestDatabase, proteinInput, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

export interface JobsTeam {
	db: TestDatabase;
	alice: TestUser;
	bob: TestUser;
	outsider: TestUser;
	teamId: string;
}

/** `aliceName` is alice's display name (the sort tests mix its case with Bob's). */
export async function openJobsTeam(aliceName: string): Promise<JobsTeam> {
	const db = await openTestDatabase(2);
	const alice = await createUser(db.pool, { displayName: aliceName });
	const bob = await createUser(db.pool, { displayName: 'Bob' });
	const outsider = await createUser(db.pool);
	await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [alice.teamId, bob.id]);
	return { db, alice, bob, outsider, teamId: alice.teamId };
}

/** Submits a job of `tool` (protein or molecule properties, `molecules` molecules) as `by` into the team, and drives it to `status`. */
export async function submitTeamJob(
	pool: pg.Pool,
	teamId: string,
	by: TestUser,
	job: { tool: string; name: string; status: string; molecules?: number }
): Promise<string> {
	const id = await withActor(pool, asUser(by), async (c) => {
		const input = job.tool === 'protein-properties' ? proteinInput(1) : moleculeInput(job.molecules ?? 1);
		return (await c.query('select id from public.submit_job($1, $2, $3, $4, $5)', [job.tool, job.name, input, {}, teamId])).rows[0].id as string;
	});
	await driveJob(pool, id, job.status);
	return id;
}

/** Runs `write` in one transaction with triggers off: rewriting history (creation and run times) that the rules would refuse. */
export async function rewriteHistory(pool: pg.Pool, write: (client: pg.PoolClient) => Promise<void>): Promise<void> {
	const client = await pool.connect();
	try {
		await client.query('begin');
		await client.query('set local session_replication_role = replica');
		await write(client);
		await client.query('commit');
	} finally {
		client.release();
	}
}

/** list_team_jobs as `user` for the team, with `args` as named arguments (rolled back). */
export async function listTeamJobs<Row>(team: JobsTeam, user: TestUser, args: Record<string, unknown> = {}): Promise<Row[]> {
	const names = Object.keys(args);
	const sql = `select * from public.list_team_jobs(team_id => $1${names.map((n, i) => `, ${n} => $${i + 2}`).join('')})`;
	return withActor(team.db.pool, asUser(user), async (c) => (await c.query(sql, [team.teamId, ...Object.values(args)])).rows, true);
}
