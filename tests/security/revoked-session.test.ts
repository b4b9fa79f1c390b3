// An access token outlives its session: it stays signed and unexpired for up
// to an hour after the user signs out, is deleted, or has that session ended
// elsewhere. The attacker here holds such a token (copied from a shared
// machine, a log, a stolen cookie) and replays it against REST at once. The
// database refuses it (private.caller_session_is_live, called by every
// membership helper and by private.require_caller): no jobs, teams, members,
// credits, profile or RPC. A session that is still live keeps working.
import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenClient, userToken } from '../helpers/rest.ts';
import { adminPool, anonClient, serviceClient, uniqueEmail } from '../helpers/stack.ts';

const PASSWORD = 'correct-horse-battery-staple';
const moleculeJob = { tool_id: 'molecule-properties', name: 'Ethanol', input: { molecules: [{ id: 'm1', smiles: 'CCO' }] }, settings: {} };

let pool: pg.Pool;

beforeAll(() => {
	pool = adminPool();
});

afterAll(async () => {
	await pool?.end();
});

interface SignedIn {
	userId: string;
	email: string;
	teamId: string;
	client: SupabaseClient;
	token: string;
}

/** A confirmed user (created through the Auth admin API), signed in with a password on a client of their own. */
async function newUser(prefix: string): Promise<SignedIn> {
	const email = uniqueEmail(prefix);
	const created = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true, user_metadata: { display_name: prefix } });
	if (created.error) throw created.error;
	return { ...(await signIn(email)), userId: created.data.user.id, email };
}

async function signIn(email: string): Promise<Omit<SignedIn, 'userId' | 'email'>> {
	const client = anonClient();
	const { data, error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
	if (error) throw error;
	const team = await client.from('teams').select('id').eq('personal', true).single();
	if (team.error) throw team.error;
	return { client, token: data.session.access_token, teamId: team.data.id };
}

/** What a bearer token gets from REST: each read's rows (or error), each RPC's outcome. */
async function whatTheTokenGets(token: string, who: SignedIn, jobId: string) {
	const api = tokenClient(token);
	const rows = async (table: string, filter?: [string, string]) => {
		const query = api.from(table).select('*');
		const { data, error } = filter ? await query.eq(filter[0], filter[1]) : await query;
		return error ? `error ${error.code}` : data.length;
	};
	const reads = {
		jobs: await rows('jobs', ['team_id', who.teamId]),
		ownJob: await rows('jobs', ['id', jobId]),
		jobEvents: await rows('job_events', ['job_id', jobId]),
		teams: await rows('teams'),
		members: await rows('team_members'),
		credits: await rows('credit_accounts'),
		ledger: await rows('credit_ledger'),
		profiles: await rows('profiles')
	};
	const opened = await api.rpc('get_job', { job_id: jobId, with_content: false });
	const list = await api.rpc('list_team_jobs', { team_id: who.teamId });
	const estimate = await api.rpc('estimate_job_cost', { tool_id: moleculeJob.tool_id, input: moleculeJob.input, team_id: who.teamId });
	const submit = await api.rpc('submit_job', { ...moleculeJob, team_id: who.teamId });
	const rename = await api.rpc('rename_job', { job_id: jobId, name: 'Renamed by a replayed token' });
	const profile = await api.from('profiles').update({ display_name: 'Renamed by a replayed token' }).eq('id', who.userId).select('id');
	return {
		...reads,
		getJob: opened.error ? `error ${opened.error.code}` : (opened.data?.access ?? null),
		listTeamJobs: list.error ? `error ${list.error.code}` : list.data.length,
		estimateJobCost: estimate.error ? `error ${estimate.status} ${estimate.error.code}` : 'ok',
		submitJob: submit.error ? `error ${submit.status} ${submit.error.code}` : 'ok',
		renameJob: rename.error ? `error ${rename.status} ${rename.error.code}` : 'ok',
		updateProfile: profile.error ? `error ${profile.error.code}` : profile.data.length
	};
}

/** What a live session of a user with one job in their personal team gets. */
const LIVE = {
	jobs: 1,
	ownJob: 1,
	jobEvents: 1,
	teams: 1,
	members: 1,
	credits: 1,
	ledger: 2,
	profiles: 1,
	getJob: 'team',
	listTeamJobs: 1,
	submitJob: 'ok',
	estimateJobCost: 'ok',
	renameJob: 'ok',
	updateProfile: 1
};
/** What the token of an ended session gets: nothing, and every RPC answers 401. */
const ENDED = {
	jobs: 0,
	ownJob: 0,
	jobEvents: 0,
	teams: 0,
	members: 0,
	credits: 0,
	ledger: 0,
	profiles: 0,
	getJob: null,
	listTeamJobs: 0,
	submitJob: 'error 401 PT401',
	estimateJobCost: 'error 401 PT401',
	renameJob: 'error 401 PT401',
	updateProfile: 0
};

/** A user with one job; returns the job's id. */
async function withOneJob(who: SignedIn): Promise<string> {
	const { data, error } = await who.client.rpc('submit_job', { ...moleculeJob, team_id: who.teamId });
	if (error) throw error;
	return data.id;
}

/** The rows the replayed token tried to change, as they are in the database. */
async function unchanged(who: SignedIn, jobId: string) {
	const { rows } = await pool.query(
		`select (select count(*)::int from public.jobs where team_id = $1) as jobs,
		   (select name from public.jobs where id = $2) as job_name,
		   (select display_name from public.profiles where id = $3) as display_name`,
		[who.teamId, jobId, who.userId]
	);
	return rows[0];
}

describe('a token whose session ended gets nothing from REST', () => {
	it('after signing out', async () => {
		const who = await newUser('signout');
		const jobId = await withOneJob(who);
		// The token works while the session lives (the submit and rename it makes are undone below).
		expect(await whatTheTokenGets(who.token, who, jobId)).toEqual(LIVE);
		await pool.query(`delete from public.jobs where team_id = $1 and id <> $2`, [who.teamId, jobId]);
		await pool.query(`update public.jobs set name = 'Ethanol' where id = $1`, [jobId]);
		await pool.query(`update public.profiles set display_name = 'signout' where id = $1`, [who.userId]);

		const { error } = await who.client.auth.signOut();
		expect(error).toBeNull();
		// At once: no waiting for the token to expire.
		expect(await whatTheTokenGets(who.token, who, jobId)).toEqual(ENDED);
		expect(await unchanged(who, jobId)).toEqual({ jobs: 1, job_name: 'Ethanol', display_name: 'signout' });
	});

	it('after the user is deleted with the admin API', async () => {
		const who = await newUser('deleted');
		const jobId = await withOneJob(who);
		expect((await tokenClient(who.token).from('jobs').select('id').eq('id', jobId)).data).toHaveLength(1);

		const { error } = await serviceClient().auth.admin.deleteUser(who.userId);
		expect(error).toBeNull();
		const api = tokenClient(who.token);
		// The job stays with the (now ownerless) team; the token sees none of it.
		expect((await pool.query('select 1 from public.jobs where id = $1', [jobId])).rows).toHaveLength(1);
		expect((await api.from('jobs').select('id')).data).toEqual([]);
		expect((await api.from('teams').select('id')).data).toEqual([]);
		expect((await api.rpc('get_job', { job_id: jobId })).data).toBeNull();
		const submit = await api.rpc('submit_job', { ...moleculeJob, team_id: who.teamId });
		expect(submit.status).toBe(401);
		expect(submit.error).toMatchObject({ code: 'PT401', message: 'this session has ended (signed out, or ended from another device): sign in again' });
	});

	it("cannot open another team's logged-in-users job by its link after signing out", async () => {
		const owner = await newUser('link-owner');
		const jobId = await withOneJob(owner);
		await pool.query(`update public.jobs set visibility = 'authenticated' where id = $1`, [jobId]);
		const visitor = await newUser('link-visitor');
		const open = (token: string) => tokenClient(token).rpc('get_job', { job_id: jobId, with_content: false });
		expect((await open(visitor.token)).data?.access).toBe('link');
		expect((await visitor.client.auth.signOut()).error).toBeNull();
		expect((await open(visitor.token)).data).toBeNull();
	});

	it('when one of two sessions ends, the other keeps working', async () => {
		const who = await newUser('two-sessions');
		const jobId = await withOneJob(who);
		const second = await signIn(who.email);
		expect(second.token).not.toBe(who.token);

		const { error } = await who.client.auth.signOut({ scope: 'local' });
		expect(error).toBeNull();
		expect(await whatTheTokenGets(who.token, who, jobId)).toEqual(ENDED);
		expect(await whatTheTokenGets(second.token, who, jobId)).toEqual(LIVE);
	});

	it('also when the session row is deleted by another part of the platform (e.g. revoking other sessions)', async () => {
		const who = await newUser('revoked');
		const jobId = await withOneJob(who);
		const second = await signIn(who.email);
		const sessionOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).session_id as string;
		await pool.query('delete from auth.sessions where id = $1', [sessionOf(who.token)]);
		expect(await whatTheTokenGets(who.token, who, jobId)).toEqual(ENDED);
		expect((await tokenClient(second.token).from('jobs').select('id').eq('id', jobId)).data).toHaveLength(1);
	});

	it('looks the session up once per request, not once per row (a list of 50 jobs and more)', async () => {
		const who = await newUser('lister');
		await pool.query(
			`insert into public.jobs (team_id, tool_id, submitted_by, name, input)
			 select $1, 'molecule-properties', $2, 'Job ' || g, '{"molecules": [{"id": "m", "smiles": "C"}]}' from generate_series(1, 60) g`,
			[who.teamId, who.userId]
		);
		const claims = JSON.parse(Buffer.from(who.token.split('.')[1], 'base64url').toString());
		const client = await pool.connect();
		try {
			// As the REST service runs a request: one transaction, the token's role and claims.
			await client.query('begin');
			await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
			expect((await client.query('select * from public.list_team_jobs($1)', [who.teamId])).rows).toHaveLength(50);
			expect((await client.query('select j.id, e.id from public.jobs j join public.job_events e on e.job_id = j.id where j.team_id = $1', [who.teamId])).rows).toHaveLength(60);
			await client.query('reset role');
			const { rows } = await client.query(
				`select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) as scans from pg_stat_xact_all_tables where relid = 'auth.sessions'::regclass`
			);
			expect(Number(rows[0].scans)).toBe(1);
		} finally {
			await client.query('rollback');
			client.release();
		}
	});

	it('leaves tokens without a session_id as they were: the anon and service_role keys, and tokens a backend mints itself', async () => {
		const who = await newUser('keys');
		const jobId = await withOneJob(who);
		const shared = await who.client.rpc('set_job_visibility', { job_id: jobId, visibility: 'public' });
		expect(shared.error).toBeNull();
		await who.client.auth.signOut();
		expect((await anonClient().from('tools').select('id')).data?.length).toBeGreaterThan(0);
		expect((await anonClient().rpc('get_job', { job_id: jobId, with_content: false })).data).toMatchObject({ access: 'link' });
		expect((await serviceClient().from('jobs').select('id').eq('id', jobId)).data).toHaveLength(1);
		expect((await serviceClient().from('team_members').select('user_id').eq('team_id', who.teamId)).data).toEqual([{ user_id: who.userId }]);
		// Signed with the project's secret, with no session behind it: the database cannot check one, so it trusts the signature as before.
		const minted = tokenClient(userToken(who.userId, { email: who.email }));
		expect((await minted.from('jobs').select('id').eq('team_id', who.teamId)).data).toEqual([{ id: jobId }]);
		expect((await minted.rpc('get_job', { job_id: jobId, with_content: false })).data).toMatchObject({ access: 'team' });
		expect((await minted.rpc('estimate_job_cost', { tool_id: moleculeJob.tool_id, input: moleculeJob.input, team_id: who.teamId })).error).toBeNull();
	});
});
