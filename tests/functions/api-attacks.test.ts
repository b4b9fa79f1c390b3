// The api function from the attacker's side: no token, a garbage or guessed
// token, an expired or revoked one (refused on the very next request), a
// read token trying to change things (the database's READ ONLY transaction
// refuses, and nothing changes), a token for team X reaching a job of team
// Y that its person may open, another person's job, a flood (429 with
// Retry-After), a batch over 1,000 jobs, and a batch the balance cannot
// cover (refused whole, nothing charged).
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiErrorSchema } from '../../src/lib/api/contract.ts';
import { driveJob } from '../helpers/db.ts';
import { api, grantCredits, makeToken, molecules, proteins } from './api-support.ts';
import { addMember, adminForFile, COLD_START_MS, createJob, createTeam, person, type Person } from './support.ts';

const admin = adminForFile();
let ada: Person;
let eve: Person;
let adaWrite: string;

beforeAll(async () => {
	ada = await person(admin, 'api-ada');
	eve = await person(admin, 'api-eve');
	adaWrite = (await makeToken(ada)).secret;
	expect((await api(adaWrite, 'GET', '/v1/token')).status).toBe(200);
}, COLD_START_MS);

function refusal(answer: { status: number; body: unknown }, status: number, code: string) {
	expect(answer.status, JSON.stringify(answer.body)).toBe(status);
	const { error } = apiErrorSchema.parse(answer.body);
	expect(error.code).toBe(code);
	return error;
}

async function teamState(teamId: string) {
	const { rows } = await admin.query(
		`select (select balance from public.credit_accounts where team_id = $1) as balance,
		   (select count(*)::int from public.credit_ledger where team_id = $1) as ledger,
		   (select count(*)::int from public.jobs where team_id = $1) as jobs`,
		[teamId]
	);
	return rows[0];
}

describe('who may call', () => {
	it.each([
		['no Authorization header', null],
		['a token that is not a Foldwork token', 'not-a-token'],
		["a user's JWT", 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
		['a well-formed guessed token', `fwp_${randomBytes(32).toString('base64url')}`]
	])('refuses %s with 401', async (_, token) => {
		const error = refusal(await api(token, 'GET', '/v1/jobs'), 401, 'not_authenticated');
		expect(error.message).toMatch(/Bearer fwp_/);
	});

	it('refuses an expired token', async () => {
		const { id, secret } = await makeToken(ada);
		await admin.query(`update private.api_tokens set expires_at = now() - interval '1 second' where id = $1`, [id]);
		expect(refusal(await api(secret, 'GET', '/v1/jobs'), 401, 'token_expired').message).toMatch(/expired on/);
	});

	it('refuses a revoked token on the very next request', async () => {
		const { id, secret } = await makeToken(ada);
		expect((await api(secret, 'GET', '/v1/jobs')).status).toBe(200);
		const { error } = await ada.db.rpc('revoke_api_token', { token_id: id });
		expect(error).toBeNull();
		refusal(await api(secret, 'GET', '/v1/jobs'), 401, 'token_revoked');
		refusal(await api(secret, 'POST', '/v1/jobs', { tool: 'protein-properties', input: proteins(1) }), 401, 'token_revoked');
	});

	it('refuses the token of a person who left its team', async () => {
		const lab = await createTeam(admin, ada, 'Left lab');
		const bob = await person(admin, 'api-bob');
		await addMember(admin, lab, bob, 'member');
		const { secret } = await makeToken(bob, { teamId: lab });
		expect((await api(secret, 'GET', '/v1/jobs')).status).toBe(200);
		await admin.query('delete from public.team_members where team_id = $1 and user_id = $2', [lab, bob.id]);
		refusal(await api(secret, 'GET', '/v1/jobs'), 403, 'forbidden');
	});
});

describe('a read token', () => {
	let readToken: string;
	let jobId: string;

	beforeAll(async () => {
		await grantCredits(admin, ada.teamId, 20);
		readToken = (await makeToken(ada, { scope: 'read' })).secret;
		jobId = (await api(adaWrite, 'POST', '/v1/jobs', { tool: 'molecule-properties', input: molecules(1) })).body.jobs[0].id;
	});

	it('reads and estimates', async () => {
		expect((await api(readToken, 'GET', `/v1/jobs/${jobId}`)).status).toBe(200);
		expect((await api(readToken, 'GET', '/v1/jobs')).status).toBe(200);
		expect((await api(readToken, 'POST', '/v1/estimate', { tool: 'molecule-properties', input: molecules(2) })).body.credits).toBe(2);
	});

	it('cannot submit, cancel, retry, delete or upload, and the database is what refuses: nothing changes', async () => {
		const before = await teamState(ada.teamId);
		for (const [method, path, body] of [
			['POST', '/v1/jobs', { tool: 'molecule-properties', input: molecules(1) }],
			['POST', '/v1/jobs', { jobs: [{ tool: 'molecule-properties', input: molecules(1) }] }],
			['POST', `/v1/jobs/${jobId}/cancel`, undefined],
			['DELETE', `/v1/jobs/${jobId}`, undefined],
			['POST', '/v1/uploads', { files: [{ name: 'x.pdb' }] }]
		] as const) {
			expect(refusal(await api(readToken, method, path, body), 403, 'read_only_token').message, `${method} ${path}`).toMatch(/read-only/);
		}
		await driveJob(admin, jobId, 'failed');
		refusal(await api(readToken, 'POST', `/v1/jobs/${jobId}/retry`), 403, 'read_only_token');
		const after = await teamState(ada.teamId);
		// The failure refunded the job (a ledger row); nothing the read token asked for happened.
		expect({ ...after, ledger: after.ledger - 1, balance: after.balance - 1 }).toEqual(before);
		const { rows } = await admin.query('select status from public.jobs where id = $1', [jobId]);
		expect(rows[0].status).toBe('failed');
	});
});

describe("the token's team bounds every call", () => {
	let yJob: string;
	let xToken: string;

	beforeAll(async () => {
		// Ada belongs to team Y too; her token is for her own team X.
		const owner = await person(admin, 'api-y-owner');
		const y = await createTeam(admin, owner, 'Team Y');
		await addMember(admin, y, ada, 'admin');
		yJob = await createJob(admin, y, owner, 'Y secret');
		xToken = (await makeToken(ada, { teamId: ada.teamId })).secret;
		// Ada herself may open it (as the web app shows it).
		const { data } = await ada.db.rpc('get_job', { job_id: yJob });
		expect(data?.job?.id).toBe(yJob);
	});

	it("answers team Y's job as not found through the team X token, for every route", async () => {
		for (const [method, path] of [
			['GET', `/v1/jobs/${yJob}`],
			['GET', `/v1/jobs/${yJob}/files`],
			['GET', `/v1/jobs/${yJob}/export`],
			['POST', `/v1/jobs/${yJob}/cancel`],
			['POST', `/v1/jobs/${yJob}/retry`],
			['DELETE', `/v1/jobs/${yJob}`]
		] as const) {
			refusal(await api(xToken, method, path), 404, 'not_found');
		}
		const wait = await api(xToken, 'POST', '/v1/jobs/wait', { ids: [yJob], timeout_s: 0 });
		expect(wait.body).toEqual({ jobs: [], missing: [yJob] });
		const listed = await api(xToken, 'GET', '/v1/jobs?limit=200');
		expect(listed.body.jobs.map((j: { id: string }) => j.id)).not.toContain(yJob);
		const { rows } = await admin.query('select status from public.jobs where id = $1', [yJob]);
		expect(rows[0].status).toBe('pending');
	});

	it("answers another person's job (another team) as not found, even when it is public", async () => {
		const evesJob = await createJob(admin, eve.teamId, eve, 'Eve public');
		await admin.query(`update public.jobs set visibility = 'public' where id = $1`, [evesJob]);
		refusal(await api(adaWrite, 'GET', `/v1/jobs/${evesJob}`), 404, 'not_found');
		refusal(await api(adaWrite, 'DELETE', `/v1/jobs/${evesJob}`), 404, 'not_found');
		refusal(await api(adaWrite, 'GET', `/v1/jobs/${randomUUID()}`), 404, 'not_found');
	});
});

describe('floods and batches', () => {
	it('answers a flood through one token with 429 and Retry-After, and other tokens go on', async () => {
		const flood = await makeToken(eve, { scope: 'read' });
		await admin.query('update private.api_tokens set rate_burst = 5, bucket_tokens = 5, rate_per_second = 0.2 where id = $1', [flood.id]);
		const answers = await Promise.all(Array.from({ length: 8 }, () => api(flood.secret, 'GET', '/v1/tools')));
		expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
		const limited = answers.filter((a) => a.status === 429);
		expect(limited).toHaveLength(3);
		for (const answer of limited) {
			const seconds = Number(answer.headers.get('retry-after'));
			expect(seconds).toBeGreaterThanOrEqual(1);
			expect(seconds).toBeLessThanOrEqual(5);
			expect(refusal(answer, 429, 'rate_limited').retry_after_s).toBe(seconds);
		}
		const other = (await makeToken(eve, { scope: 'read' })).secret;
		expect((await api(other, 'GET', '/v1/tools')).status).toBe(200);
	});

	it('refuses a batch of 1,001 jobs with a clear message, creating nothing', async () => {
		const before = await teamState(ada.teamId);
		const jobs = Array.from({ length: 1001 }, () => ({ tool: 'protein-properties', input: proteins(1) }));
		const error = refusal(await api(adaWrite, 'POST', '/v1/jobs', { jobs }), 400, 'invalid_request');
		expect(error.message).toMatch(/jobs: at most 1000 jobs per request/);
		expect(await teamState(ada.teamId)).toEqual(before);
	});

	it('refuses whole a batch the balance cannot cover, naming the job, and charges nothing', async () => {
		const poor = await person(admin, 'api-poor');
		const { secret } = await makeToken(poor);
		await grantCredits(admin, poor.teamId, 5);
		const before = await teamState(poor.teamId);
		// Every job costs 2: all but the last fit, the last does not, and none is created.
		const fit = Math.floor(before.balance / 2);
		const jobs = Array.from({ length: fit + 1 }, () => ({ tool: 'molecule-properties', input: molecules(2) }));
		const error = refusal(await api(secret, 'POST', '/v1/jobs', { jobs }), 409, 'insufficient_credits');
		expect(error.message).toMatch(new RegExp(`^jobs\\[${fit}\\]: not enough credits`));
		expect(await teamState(poor.teamId)).toEqual(before);
		// Two fit, and are charged once each.
		expect((await api(secret, 'POST', '/v1/jobs', { jobs: jobs.slice(0, 2) })).body.credits_charged).toBe(4);
		expect((await teamState(poor.teamId)).balance).toBe(before.balance - 4);
	});
});
