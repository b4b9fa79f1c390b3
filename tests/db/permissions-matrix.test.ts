// Who may do what to a job, cell by cell: every actor x every visibility x
// every operation, against DESIGN.md section 3 ("Visibility and permissions").
// Each cell runs in its own rolled-back transaction on a fresh job, acting as
// the actor the way the REST service does (role + request.jwt.claims).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs, actAsAdmin, anon, asUser, attempt, createUser, driveJob, moleculeInput, openTestDatabase, type Actor, type TestDatabase, type TestUser } from '../helpers/db.ts';

const actors = [
	'submitter',
	'teammate',
	'team viewer',
	'team admin',
	'other signed-in user',
	'invited user with account',
	'pending invitee before sign-up',
	'pending invitee after sign-up',
	'anonymous'
] as const;
const visibilities = ['private', 'authenticated', 'invited', 'public'] as const;
const operations = ['read job', 'read files', 'read events', 'rename', 'share', 'delete', 'cancel', 'retry', 'duplicate', 'submit to that team'] as const;
type ActorName = (typeof actors)[number];
type Visibility = (typeof visibilities)[number];
type Operation = (typeof operations)[number];

// DESIGN.md's table, written out independently of the SQL.
const teamMembers: ActorName[] = ['submitter', 'teammate', 'team viewer', 'team admin'];
function mayView(actor: ActorName, visibility: Visibility): boolean {
	if (teamMembers.includes(actor)) return true;
	switch (actor) {
		case 'other signed-in user':
			return visibility === 'authenticated' || visibility === 'public';
		case 'invited user with account':
		case 'pending invitee after sign-up':
			return visibility !== 'private';
		default:
			return visibility === 'public';
	}
}
function expected(actor: ActorName, visibility: Visibility, op: Operation): boolean {
	if (op.startsWith('read')) return mayView(actor, visibility);
	// Only team members act on a job, and viewers only look.
	const acts = actor === 'submitter' || actor === 'teammate' || actor === 'team admin';
	// Rename and delete: the submitter or a team owner/admin.
	if (op === 'rename' || op === 'delete') return actor === 'submitter' || actor === 'team admin';
	return acts;
}
// The status a job needs for the operation to make sense.
function statusFor(op: Operation): string {
	if (op === 'cancel') return 'processing';
	if (op === 'retry') return 'failed';
	return 'completed';
}

let db: TestDatabase;
let teamId: string;
let users: Record<'owner' | 'submitter' | 'teammate' | 'viewer' | 'admin' | 'other' | 'invited', TestUser>;
const pendingEmail = 'pending-invitee@example.test';

beforeAll(async () => {
	db = await openTestDatabase(2);
	const make = (name: string) => createUser(db.pool, { email: `${name}@example.test`, displayName: name });
	users = {
		owner: await make('owner'),
		submitter: await make('submitter'),
		teammate: await make('teammate'),
		viewer: await make('viewer'),
		admin: await make('admin'),
		other: await make('other'),
		invited: await make('invited')
	};
	const { rows } = await db.pool.query(`insert into public.teams (name, created_by) values ('Lab', $1) returning id`, [users.owner.id]);
	teamId = rows[0].id;
	await db.pool.query(
		`insert into public.team_members (team_id, user_id, role) values
		   ($1, $2, 'owner'), ($1, $3, 'member'), ($1, $4, 'member'), ($1, $5, 'viewer'), ($1, $6, 'admin')`,
		[teamId, users.owner.id, users.submitter.id, users.teammate.id, users.viewer.id, users.admin.id]
	);
	await db.pool.query(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, 1000, 'grant', 'test credits')`, [teamId]);
});

afterAll(async () => {
	await db?.close();
});

/** Sets up one cell's job as the superuser: files, events, shares to the invited user and the pending invitee. */
async function prepareJob(client: pg.PoolClient, visibility: Visibility, status: string): Promise<string> {
	const { rows } = await client.query(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input, settings, visibility)
		 values ($1, 'molecule-properties', $2, 'original', $3, '{}', $4) returning id`,
		[teamId, users.submitter.id, moleculeInput(2), visibility]
	);
	const jobId = rows[0].id;
	await driveJob(client, jobId, status);
	await client.query(`insert into public.job_files (job_id, kind, name, media_type, content) values ($1, 'output', 'result.csv', 'text/csv', 'a,b')`, [jobId]);
	await client.query(
		`insert into public.job_shares (job_id, email, user_id, invited_by, accepted_at) values
		   ($1, $2, $3, $4, now()), ($1, $5, null, $4, null)`,
		[jobId, users.invited.email, users.invited.id, users.submitter.id, pendingEmail]
	);
	return jobId;
}

async function actorFor(client: pg.PoolClient, actor: ActorName): Promise<Actor> {
	switch (actor) {
		case 'submitter':
			return asUser(users.submitter);
		case 'teammate':
			return asUser(users.teammate);
		case 'team viewer':
			return asUser(users.viewer);
		case 'team admin':
			return asUser(users.admin);
		case 'other signed-in user':
			return asUser(users.other);
		case 'invited user with account':
			return asUser(users.invited);
		case 'pending invitee before sign-up':
			// No account yet: all they have is the link.
			return anon;
		case 'pending invitee after sign-up': {
			// Signs up and confirms after the share was made; the share attaches by itself.
			const user = await createUser(client, { email: pendingEmail, displayName: 'pending' });
			return asUser(user);
		}
		case 'anonymous':
			return anon;
	}
}

interface Outcome {
	allowed: boolean;
	/** Why, when refused: an error code + message, or "no rows". */
	detail: string;
}

async function perform(client: pg.PoolClient, op: Operation, jobId: string, actor: Actor): Promise<Outcome> {
	const rpc = async (sql: string, params: unknown[], verify: string, verifyParams: unknown[] = [jobId]): Promise<Outcome> => {
		const { error } = await attempt(client, sql, params);
		await actAsAdmin(client);
		const { rows } = await client.query(verify, verifyParams);
		const changed = rows[0].ok as boolean;
		await actAs(client, actor);
		if (error) {
			expect(changed, `${op} was refused but changed the job`).toBe(false);
			expect(['42501', '42704'], `${op}: ${error.message}`).toContain(error.code);
			return { allowed: false, detail: `${error.code} ${error.message}` };
		}
		expect(changed, `${op} succeeded without effect`).toBe(true);
		return { allowed: true, detail: 'ok' };
	};
	switch (op) {
		case 'read job': {
			const { rows, error } = await attempt(client, 'select id, input, settings, result from public.jobs where id = $1', [jobId]);
			expect(error).toBeNull();
			return { allowed: rows.length === 1, detail: rows.length ? 'ok' : 'no rows' };
		}
		case 'read files': {
			const { rows, error } = await attempt(client, `select convert_from(content, 'utf8') as text from public.job_files where job_id = $1`, [jobId]);
			expect(error).toBeNull();
			if (rows.length) expect(rows[0].text).toBe('a,b');
			return { allowed: rows.length === 1, detail: rows.length ? 'ok' : 'no rows' };
		}
		case 'read events': {
			const { rows, error } = await attempt(client, 'select to_status from public.job_events where job_id = $1 order by id', [jobId]);
			expect(error).toBeNull();
			if (rows.length) expect(rows.map((r) => r.to_status)).toEqual(['pending', 'queued', 'processing', 'completed']);
			return { allowed: rows.length > 0, detail: rows.length ? 'ok' : 'no rows' };
		}
		case 'rename':
			return rpc(`select public.rename_job($1, 'renamed')`, [jobId], `select name = 'renamed' as ok from public.jobs where id = $1`);
		case 'share':
			return rpc(`select public.share_job($1, 'colleague@example.test')`, [jobId], `select exists (select from public.job_shares where job_id = $1 and email = 'colleague@example.test') as ok`);
		case 'delete':
			return rpc(`select public.delete_job($1)`, [jobId], `select not exists (select from public.jobs where id = $1) as ok`);
		case 'cancel':
			return rpc(`select public.cancel_job($1)`, [jobId], `select status = 'cancelled' as ok from public.jobs where id = $1`);
		case 'retry':
			return rpc(`select public.retry_job($1)`, [jobId], `select exists (select from public.jobs where retry_of = $1) as ok`);
		case 'duplicate':
			return rpc(`select public.duplicate_job($1)`, [jobId], `select exists (select from public.jobs where duplicated_from = $1) as ok`);
		case 'submit to that team':
			return rpc(
				`select public.submit_job('molecule-properties', 'new', $1, '{}', $2)`,
				[moleculeInput(1), teamId],
				`select exists (select from public.jobs where team_id = $1 and name = 'new') as ok`,
				[teamId]
			);
	}
}

describe('permission matrix', () => {
	it('allows and refuses exactly what DESIGN.md says, for every actor, visibility and operation', { timeout: 180_000 }, async () => {
		const mismatches: string[] = [];
		let asserted = 0;
		const client = await db.pool.connect();
		try {
			for (const actorName of actors) {
				for (const visibility of visibilities) {
					for (const op of operations) {
						await client.query('begin');
						try {
							const jobId = await prepareJob(client, visibility, statusFor(op));
							const actor = await actorFor(client, actorName);
							await actAs(client, actor);
							const outcome = await perform(client, op, jobId, actor);
							const want = expected(actorName, visibility, op);
							asserted++;
							if (outcome.allowed !== want) {
								mismatches.push(`${actorName} / ${visibility} / ${op}: expected ${want ? 'allowed' : 'refused'}, got ${outcome.detail}`);
							}
						} finally {
							await client.query('rollback');
						}
					}
				}
			}
		} finally {
			client.release();
		}
		const size = actors.length * visibilities.length * operations.length;
		console.log(`permission matrix: ${actors.length} actors x ${visibilities.length} visibilities x ${operations.length} operations = ${size} cells, ${asserted} asserted`);
		expect(mismatches).toEqual([]);
		expect(asserted).toBe(size);
	});

	it('tells outsiders who cannot see a job only that it was not found', async () => {
		const client = await db.pool.connect();
		try {
			await client.query('begin');
			const jobId = await prepareJob(client, 'private', 'completed');
			await actAs(client, asUser(users.other));
			const { error } = await attempt(client, `select public.rename_job($1, 'x')`, [jobId]);
			expect(error).toEqual({ code: '42704', message: `job ${jobId} not found` });
			await actAsAdmin(client);
			await client.query(`update public.jobs set visibility = 'authenticated' where id = $1`, [jobId]);
			await actAs(client, asUser(users.other));
			const visible = await attempt(client, `select public.rename_job($1, 'x')`, [jobId]);
			expect(visible.error).toEqual({ code: '42501', message: "only members of the job's team can rename it; you can view it" });
		} finally {
			await client.query('rollback');
			client.release();
		}
	});
});
