// Who may do what to a job, cell by cell: every actor x every visibility x
// every operation, against DESIGN.md section 3 ("Visibility and permissions")
// and its link-only rule: outside the owning team a job is opened by its id
// (get_job, job_file_locations, its private Realtime topic) and never listed
// (REST selects, list RPCs, job_files and job_events rows, its files in
// Storage by path, postgres_changes, the team's Realtime topic `team:<id>`),
// except by invitees in "Shared with me".
// Its files in Storage: read by path (what a Storage download, info or
// list runs as the caller) by those who may list the job; a signed URL
// (issued by the job-file-urls function after job_file_locations) by those
// who may open it; written or deleted by no client at all. Each cell runs in its own rolled-back
// transaction on a fresh job, acting as the actor the way the REST service
// does (role + request.jwt.claims), and the Realtime checks the way the
// Realtime server runs them (the realtime.messages probe of a channel join,
// and realtime.local_visible_to for postgres_changes).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs, actAsAdmin, anon, asUser, attempt, createUser, driveJob, moleculeInput, openTestDatabase, type Actor, type TestDatabase, type TestUser } from '../helpers/db.ts';

const actors = [
	'team owner',
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
const operations = [
	'open by id (get_job)',
	'open a file by id (job_file_locations)',
	'read job row',
	'read files',
	'storage: read a file by path',
	'storage: list the job\'s folder',
	'storage: signed URL for a file',
	'storage: write into the job\'s folder',
	'storage: overwrite an input',
	'storage: delete a file',
	'read events',
	'list: select jobs by visibility',
	'list: list_team_jobs',
	'list: list_shared_jobs',
	'realtime by id: join job topic',
	'realtime by id: be counted as a viewer',
	'realtime by id: join team viewers topic',
	'realtime by id: show name to team mates',
	'realtime by id: broadcast on job topic',
	'realtime by table: postgres_changes on jobs',
	'realtime by team: join team topic',
	'realtime by team: receive a team job change',
	'rename',
	'share',
	'delete',
	'cancel',
	'retry',
	'duplicate',
	'submit to that team'
] as const;
type ActorName = (typeof actors)[number];
type Visibility = (typeof visibilities)[number];
type Operation = (typeof operations)[number];

// DESIGN.md's table, written out independently of the SQL.
const teamMembers: ActorName[] = ['team owner', 'submitter', 'teammate', 'team viewer', 'team admin'];
const invitees: ActorName[] = ['invited user with account', 'pending invitee after sign-up'];
/** Opening the job by its link. */
function mayOpen(actor: ActorName, visibility: Visibility): boolean {
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
/** Finding the job without its id: the team's lists, and invitees' "Shared with me". */
function mayList(actor: ActorName, visibility: Visibility): boolean {
	return teamMembers.includes(actor) || (invitees.includes(actor) && visibility === 'invited');
}
function expected(actor: ActorName, visibility: Visibility, op: Operation): boolean {
	switch (op) {
		case 'open by id (get_job)':
		case 'open a file by id (job_file_locations)':
		case 'storage: signed URL for a file':
		case 'realtime by id: join job topic':
		case 'realtime by id: be counted as a viewer':
			return mayOpen(actor, visibility);
		case 'read job row':
		case 'read files':
		case 'storage: read a file by path':
		case 'storage: list the job\'s folder':
		case 'read events':
		case 'list: select jobs by visibility':
		case 'list: list_team_jobs':
		case 'realtime by table: postgres_changes on jobs':
			return mayList(actor, visibility);
		case 'list: list_shared_jobs':
			// Jobs of one's own teams are in the team's list, not here.
			return invitees.includes(actor) && visibility === 'invited';
		case 'realtime by id: join team viewers topic':
		case 'realtime by id: show name to team mates':
		// The team's topic is for its members (any role): an invitee of one job or a visitor with its link is not one.
		case 'realtime by team: join team topic':
		case 'realtime by team: receive a team job change':
			return teamMembers.includes(actor);
		case 'realtime by id: broadcast on job topic':
			// Only the database feeds a job's topic.
			return false;
		case 'storage: write into the job\'s folder':
		case 'storage: overwrite an input':
		case 'storage: delete a file':
			// Only the worker fleet (service role) writes a job's files.
			return false;
		case 'rename':
		case 'delete':
			// The submitter or a team owner/admin.
			return actor === 'submitter' || actor === 'team admin' || actor === 'team owner';
		default:
			// Only team members act on a job, and viewers only look.
			return actor === 'submitter' || actor === 'teammate' || actor === 'team admin' || actor === 'team owner';
	}
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
	// Its output and its input in Storage (rows as Storage records them; the bytes are not needed here).
	for (const [kind, name] of [['output', 'result.csv'], ['input', 'query.fasta']]) {
		const path = `${teamId}/${jobId}/${kind}/${name}`;
		await client.query(`insert into storage.objects (bucket_id, name, metadata) values ('job-files', $1, '{"size": 3, "mimetype": "text/csv"}')`, [path]);
		await client.query(`insert into public.job_files (job_id, kind, name, media_type, size_bytes, storage_path) values ($1, $2, $3, 'text/csv', 3, $4)`, [jobId, kind, name, path]);
	}
	await client.query(
		`insert into public.job_shares (job_id, email, user_id, invited_by, accepted_at) values
		   ($1, $2, $3, $4, now()), ($1, $5, null, $4, null)`,
		[jobId, users.invited.email, users.invited.id, users.submitter.id, pendingEmail]
	);
	return jobId;
}

async function actorFor(client: pg.PoolClient, actor: ActorName): Promise<Actor> {
	switch (actor) {
		case 'team owner':
			return asUser(users.owner);
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
			// Signs up after the share was made, then claims it (public.claim_pending_access, once the
			// account's credentials are proven; that step is tested with the sharing RPCs): the share is attached.
			const user = await createUser(client, { email: pendingEmail, displayName: 'pending' });
			await client.query('update public.job_shares set user_id = $1, accepted_at = now() where email = $2 and user_id is null', [user.id, pendingEmail]);
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

async function perform(client: pg.PoolClient, op: Operation, jobId: string, actor: Actor, actorName: ActorName, visibility: Visibility): Promise<Outcome> {
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
	/** Whether a query as the actor returns the job (an error must be a refusal: 42501). */
	const finds = async (sql: string, params: unknown[], column = 'id'): Promise<Outcome> => {
		const { rows, error } = await attempt(client, sql, params);
		if (error) {
			expect(error.code, `${op}: ${error.message}`).toBe('42501');
			return { allowed: false, detail: `${error.code} ${error.message}` };
		}
		const found = rows.some((r) => r[column] === jobId);
		return { allowed: found, detail: found ? 'ok' : 'no rows' };
	};
	switch (op) {
		case 'open by id (get_job)': {
			const { rows, error } = await attempt(client, 'select public.get_job($1) as view', [jobId]);
			expect(error).toBeNull();
			const view = rows[0].view;
			if (!view) return { allowed: false, detail: 'null' };
			const team = teamMembers.includes(actorName);
			// People outside the team never see who submitted it.
			expect(view).toMatchObject({ access: team ? 'team' : 'link', job: { id: jobId, submitted_by: team ? users.submitter.id : null } });
			expect(view.submitter_name).toBe(team ? 'submitter' : null);
			expect(view.files).toHaveLength(2);
			return { allowed: true, detail: 'ok' };
		}
		case 'open a file by id (job_file_locations)':
		case 'storage: signed URL for a file': {
			// The issuer signs exactly the paths this check returns to the caller.
			await actAsAdmin(client);
			const fileId = (await client.query(`select id from public.job_files where job_id = $1 and kind = 'output'`, [jobId])).rows[0].id;
			await actAs(client, actor);
			const { rows, error } = await attempt(client, `select storage_path from public.job_file_locations(array[$1]::uuid[])`, [fileId]);
			expect(error).toBeNull();
			if (rows.length) expect(rows[0].storage_path).toBe(`${teamId}/${jobId}/output/result.csv`);
			return { allowed: rows.length === 1, detail: rows.length ? 'ok' : 'no rows' };
		}
		case 'storage: read a file by path': {
			const { rows, error } = await attempt(client, `select name from storage.objects where bucket_id = 'job-files' and name = $1`, [`${teamId}/${jobId}/output/result.csv`]);
			expect(error).toBeNull();
			return { allowed: rows.length === 1, detail: rows.length ? 'ok' : 'no rows' };
		}
		case 'storage: list the job\'s folder': {
			const { rows, error } = await attempt(client, `select name from storage.objects where bucket_id = 'job-files' and name like $1 || '%'`, [`${teamId}/${jobId}/`]);
			expect(error).toBeNull();
			if (rows.length) expect(rows).toHaveLength(2);
			return { allowed: rows.length > 0, detail: rows.length ? 'ok' : 'no rows' };
		}
		case 'storage: write into the job\'s folder':
			return storageWrite(client, 'insert into storage.objects (bucket_id, name, metadata) values (\'job-files\', $1, \'{"contentLength": 1}\')', [`${teamId}/${jobId}/output/planted.csv`]);
		case 'storage: overwrite an input':
			return storageWrite(client, `update storage.objects set metadata = '{"size": 1}' where bucket_id = 'job-files' and name = $1`, [`${teamId}/${jobId}/input/query.fasta`]);
		case 'storage: delete a file':
			await client.query(`select set_config('storage.allow_delete_query', 'true', true)`);
			return storageWrite(client, `delete from storage.objects where bucket_id = 'job-files' and name = $1`, [`${teamId}/${jobId}/output/result.csv`]);
		case 'read job row': {
			const { rows, error } = await attempt(client, 'select id, input, settings, result from public.jobs where id = $1', [jobId]);
			expect(error).toBeNull();
			return { allowed: rows.length === 1, detail: rows.length ? 'ok' : 'no rows' };
		}
		case 'read files': {
			const { rows, error } = await attempt(client, `select name, size_bytes from public.job_files where job_id = $1 order by name`, [jobId]);
			expect(error).toBeNull();
			if (rows.length) expect(rows.map((r) => r.name)).toEqual(['query.fasta', 'result.csv']);
			return { allowed: rows.length > 0, detail: rows.length ? 'ok' : 'no rows' };
		}
		case 'read events': {
			const { rows, error } = await attempt(client, 'select to_status from public.job_events where job_id = $1 order by id', [jobId]);
			expect(error).toBeNull();
			if (rows.length) expect(rows.map((r) => r.to_status)).toEqual(['pending', 'queued', 'processing', 'completed']);
			return { allowed: rows.length > 0, detail: rows.length ? 'ok' : 'no rows' };
		}
		case 'list: select jobs by visibility':
			// GET /rest/v1/jobs?visibility=eq.<visibility>
			return finds('select id from public.jobs where visibility = $1', [visibility]);
		case 'list: list_team_jobs':
			return finds('select id from public.list_team_jobs($1)', [teamId]);
		case 'list: list_shared_jobs':
			return finds('select id from public.list_shared_jobs()', []);
		case 'realtime by id: join job topic':
			return realtimeRead(client, actor, `job:${jobId}`, ['broadcast', 'presence']);
		case 'realtime by id: join team viewers topic':
			return realtimeRead(client, actor, `job:${jobId}:team`, ['presence']);
		case 'realtime by id: be counted as a viewer':
			return realtimeWrite(client, `job:${jobId}`, 'presence');
		case 'realtime by id: show name to team mates':
			return realtimeWrite(client, `job:${jobId}:team`, 'presence');
		case 'realtime by id: broadcast on job topic':
			return realtimeWrite(client, `job:${jobId}`, 'broadcast');
		case 'realtime by table: postgres_changes on jobs': {
			await actAsAdmin(client);
			const [role, claims] = actor.kind === 'user' ? ['authenticated', { sub: actor.id, role: 'authenticated', email: actor.email, aud: 'authenticated' }] : ['anon', { role: 'anon' }];
			const { rows } = await client.query(
				`select visible, error from realtime.local_visible_to('public.jobs'::regclass, '{id}', array[$1::text], array[$2::text], array[$3::text], null)`,
				[jobId, role, JSON.stringify(claims)]
			);
			await actAs(client, actor);
			expect(rows[0].error).toBeNull();
			return { allowed: rows[0].visible === true, detail: rows[0].visible ? 'ok' : 'not visible' };
		}
		case 'realtime by team: join team topic':
			return realtimeRead(client, actor, `team:${teamId}`, ['broadcast']);
		case 'realtime by team: receive a team job change': {
			// The job changes (as a worker's progress would): its team's topic gets the change; can the actor read it there?
			await actAsAdmin(client);
			await client.query(`update public.jobs set name = 'changed on the team topic' where id = $1`, [jobId]);
			const { rows: sent } = await client.query(
				`select id from realtime.messages where topic = $1 and event = 'job_updated' and payload -> 'job' ->> 'id' = $2::text and payload -> 'job' ->> 'name' = 'changed on the team topic'`,
				[`team:${teamId}`, jobId]
			);
			expect(sent).toHaveLength(1);
			await actAs(client, actor);
			await client.query(`select set_config('realtime.topic', $1, true)`, [`team:${teamId}`]);
			const { rows, error } = await attempt(client, 'select id from realtime.messages where id = $1', [sent[0].id]);
			expect(error).toBeNull();
			return { allowed: rows.length === 1, detail: rows.length ? 'ok' : 'not readable' };
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

/**
 * A channel join's read check, as the Realtime server runs it: probe messages
 * inserted by the server, then selected as the user with realtime.topic set.
 * The join is allowed when any of the extensions is readable.
 */
async function realtimeRead(client: pg.PoolClient, actor: Actor, topic: string, extensions: string[]): Promise<Outcome> {
	await actAsAdmin(client);
	const { rows: probes } = await client.query(
		'insert into realtime.messages (topic, extension) select $1, unnest($2::text[]) returning id',
		[topic, extensions]
	);
	await actAs(client, actor);
	await client.query(`select set_config('realtime.topic', $1, true)`, [topic]);
	const { rows, error } = await attempt(client, 'select id from realtime.messages where id = any ($1)', [probes.map((p) => p.id)]);
	expect(error).toBeNull();
	return { allowed: rows.length > 0, detail: rows.length ? 'ok' : 'Unauthorized' };
}

/** A write to storage.objects as Storage makes it for the caller: refused (42501) or touching no row means no write. */
async function storageWrite(client: pg.PoolClient, sql: string, params: unknown[]): Promise<Outcome> {
	const { rows, error } = await attempt(client, `with w as (${sql} returning 1) select count(*)::int as n from w`, params);
	if (error) {
		expect(error.code, error.message).toBe('42501');
		return { allowed: false, detail: `${error.code} ${error.message}` };
	}
	return { allowed: rows[0].n > 0, detail: rows[0].n > 0 ? 'ok' : 'no rows' };
}

/** A send or track's write check: an insert as the user; a policy refusal means no write. */
async function realtimeWrite(client: pg.PoolClient, topic: string, extension: string): Promise<Outcome> {
	await client.query(`select set_config('realtime.topic', $1, true)`, [topic]);
	const { error } = await attempt(client, 'insert into realtime.messages (topic, extension) values ($1, $2)', [topic, extension]);
	if (error) expect(error.code, error.message).toBe('42501');
	return { allowed: error === null, detail: error ? `${error.code} ${error.message}` : 'ok' };
}

describe('permission matrix', () => {
	it('allows and refuses exactly what DESIGN.md says, for every actor, visibility and operation', { timeout: 300_000 }, async () => {
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
							const outcome = await perform(client, op, jobId, actor, actorName, visibility);
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

	it('puts nothing on a job\'s topic that people outside the team may not see', async () => {
		const client = await db.pool.connect();
		try {
			await client.query('begin');
			const { rows } = await client.query(
				`insert into public.jobs (team_id, tool_id, submitted_by, name, input, settings, visibility, retry_of)
				 values ($1, 'molecule-properties', $2, 'watched', $3, '{}', 'public', null) returning id`,
				[teamId, users.submitter.id, moleculeInput(1)]
			);
			const jobId = rows[0].id;
			// A worker on a named host runs it; its file arrives; a team mate cancels it (timeline: "Cancelled by teammate").
			await client.query(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
			await client.query(`select set_config('foldwork.status_message', 'Started on gpu-node-9.lab.internal', true)`);
			await client.query(`update public.jobs set status = 'processing', heartbeat_at = now() where id = $1`, [jobId]);
			await client.query(`select set_config('foldwork.status_message', '', true)`);
			await client.query(`update public.jobs set progress = 40, progress_message = 'Layer 2' where id = $1`, [jobId]);
			await client.query(
				`insert into public.job_files (job_id, kind, name, media_type, size_bytes, storage_path) values ($1, 'output', 'secret.csv', 'text/csv', 16, $2)`,
				[jobId, `${teamId}/${jobId}/output/secret.csv`]
			);
			await actAs(client, asUser(users.teammate));
			await client.query('select public.cancel_job($1)', [jobId]);
			await actAsAdmin(client);
			const { rows: messages } = await client.query(
				`select event, payload::text as payload, private from realtime.messages where topic = $1 order by inserted_at, event`,
				[`job:${jobId}`]
			);
			expect(new Set(messages.map((m) => m.event))).toEqual(new Set(['job_updated', 'event_added', 'file_added']));
			expect(messages.every((m) => m.private)).toBe(true);
			const everything = messages.map((m) => m.payload).join('\n');
			for (const secret of [users.submitter.id, users.teammate.id, 'teammate', 'gpu-node-9', 'top secret', '"input"', '"result"', 'heartbeat', 'worker_id']) {
				expect(everything, secret).not.toContain(secret);
			}
			expect(everything).toContain('"to_status": "processing"');
			expect(everything).toContain('"to_status": "cancelled"');
		} finally {
			await client.query('rollback');
			client.release();
		}
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
