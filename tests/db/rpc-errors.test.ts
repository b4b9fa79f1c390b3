// Every class of bad input to every RPC gets a clear error and changes
// nothing: unknown tool, disabled tool, empty input, oversized input, wrong
// types, negative numbers, another team's job, and states that do not allow
// the action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createUser, driveJob, errorOf, moleculeInput, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
let user: TestUser;
let stranger: TestUser;
let jobs: Record<'completed' | 'failed' | 'processing' | 'foreign', string>;

beforeAll(async () => {
	db = await openTestDatabase(2);
	user = await createUser(db.pool, { email: 'user@example.test' });
	stranger = await createUser(db.pool, { email: 'stranger@example.test' });
	const submit = async (who: TestUser, status: string) => {
		const id = await withActor(db.pool, asUser(who), async (c) => (await c.query(`select id from public.submit_job('molecule-properties', 'mine', $1)`, [moleculeInput(1)])).rows[0].id);
		await driveJob(db.pool, id, status);
		return id;
	};
	jobs = {
		completed: await submit(user, 'completed'),
		failed: await submit(user, 'failed'),
		processing: await submit(user, 'processing'),
		foreign: await submit(stranger, 'completed')
	};
	// An operator can take a tool out of service: this database's copy of structure-prediction is.
	await db.pool.query(`update public.tools set enabled = false where id = 'structure-prediction'`);
});
afterAll(async () => {
	await db?.close();
});

/** Everything an RPC could change, as one comparable value. */
async function snapshot(): Promise<string> {
	const { rows } = await db.pool.query(`
		select md5(concat_ws('|',
		  (select string_agg(concat_ws(',', id, name, status, visibility, credits_charged), ';' order by id) from public.jobs),
		  (select string_agg(concat_ws(',', id, job_id, delta), ';' order by id) from public.credit_ledger),
		  (select string_agg(concat_ws(',', team_id, balance), ';' order by team_id) from public.credit_accounts),
		  (select string_agg(concat_ws(',', id, email, user_id), ';' order by id) from public.job_shares),
		  (select count(*) from public.job_events),
		  (select count(*) from public.job_files))) as h`);
	return rows[0].h;
}

const big = 'A'.repeat(1024 * 1024);
const docking = () => ({ receptor: { name: 'r' }, ligands: [{ smiles: 'CCO' }] });

type Case = [name: string, sql: string, params: () => unknown[], code: string, message: string | RegExp | (() => string)];
const cases: Case[] = [
	// submit_job
	['submit: unknown tool', `select public.submit_job('nope', 'x', $1)`, () => [moleculeInput()], '22023', 'unknown tool "nope"'],
	['submit: empty tool', `select public.submit_job('', 'x', $1)`, () => [moleculeInput()], '22023', 'tool_id is required'],
	['submit: disabled tool', `select public.submit_job('structure-prediction', 'x', $1)`, () => [{ sequences: [{ sequence: 'MKV' }] }], '22023', 'the tool "Structure prediction (ESMFold)" is not available (disabled)'],
	['submit: empty input', `select public.submit_job('molecule-properties', 'x', $1)`, () => [{ molecules: [] }], '22023', 'input is empty: add at least one molecule'],
	['submit: no items array', `select public.submit_job('molecule-properties', 'x', $1)`, () => [{}], '22023', 'input has no "molecules" array'],
	['submit: null input', `select public.submit_job('molecule-properties', 'x', null)`, () => [], '22023', 'input must be a JSON object with a "molecules" array, not nothing'],
	['submit: input is a string', `select public.submit_job('molecule-properties', 'x', $1)`, () => [JSON.stringify('CCO')], '22023', 'input must be a JSON object with a "molecules" array, not string'],
	['submit: items not an array', `select public.submit_job('molecule-properties', 'x', $1)`, () => [{ molecules: 'CCO' }], '22023', 'input.molecules must be an array, not string'],
	['submit: item not an object', `select public.submit_job('molecule-properties', 'x', $1)`, () => [{ molecules: [{ smiles: 'C' }, 42] }], '22023', 'input.molecules[1] must be an object, not number'],
	['submit: too many items', `select public.submit_job('molecule-properties', 'x', $1)`, () => [moleculeInput(5001)], '22023', 'input has 5001 molecules and Molecule properties accepts at most 5000 (max_items)'],
	[
		'submit: oversized input',
		`select public.submit_job('pairwise-alignment', 'x', $1)`,
		() => [{ query: { id: 'q', sequence: big }, targets: [1, 2, 3, 4, 5].map((i) => ({ id: `t${i}`, sequence: big })) }],
		'22023',
		/^input is too large: 6(\.\d+)? MiB of JSON, and Pairwise alignment accepts at most 5 MiB \(max_input_bytes 5242880\)$/
	],
	['submit: settings not an object', `select public.submit_job('molecule-properties', 'x', $1, '[1]')`, () => [moleculeInput()], '22023', 'settings must be a JSON object, not array'],
	['submit: name too long', `select public.submit_job('molecule-properties', $2, $1)`, () => [moleculeInput(), 'n'.repeat(201)], '22023', 'a job name has at most 200 characters; this one has 201'],
	['submit: negative exhaustiveness', `select public.submit_job('docking', 'x', $1, $2)`, () => [docking(), { exhaustiveness: -8 }], '22023', 'settings.exhaustiveness must be a whole number from 1 to 32, not -8'],
	['submit: exhaustiveness of the wrong type', `select public.submit_job('docking', 'x', $1, $2)`, () => [docking(), { exhaustiveness: '8' }], '22023', 'settings.exhaustiveness must be a number, not string'],
	['submit: another team', `select public.submit_job('molecule-properties', 'x', $1, '{}', $2)`, () => [moleculeInput(), stranger.teamId], '42501', 'you are not a member of this team, so you cannot run jobs in it'],
	['submit: team id of the wrong type', `select public.submit_job('molecule-properties', 'x', $1, '{}', 'team-1')`, () => [moleculeInput()], '22P02', 'invalid input syntax for type uuid: "team-1"'],
	['submit: short of credits', `select public.submit_job('molecule-properties', 'x', $1)`, () => [moleculeInput(101)], 'P0001', /^not enough credits: this job costs 101 and the team has \d+$/],
	// estimate_job_cost
	['estimate: unknown tool', `select public.estimate_job_cost('nope', $1)`, () => [moleculeInput()], '22023', 'unknown tool "nope"'],
	['estimate: empty input', `select public.estimate_job_cost('molecule-properties', $1)`, () => [{ molecules: [] }], '22023', 'input is empty: add at least one molecule'],
	['estimate: oversized input', `select public.estimate_job_cost('molecule-properties', $1)`, () => [{ molecules: Array.from({ length: 11 }, () => ({ smiles: big })) }], '22023', /^input is too large: 11(\.\d+)? MiB of JSON/],
	['estimate: negative exhaustiveness', `select public.estimate_job_cost('docking', $1, $2)`, () => [docking(), { exhaustiveness: -1 }], '22023', 'settings.exhaustiveness must be a whole number from 1 to 32, not -1'],
	['estimate: fractional exhaustiveness', `select public.estimate_job_cost('docking', $1, $2)`, () => [docking(), { exhaustiveness: 2.5 }], '22023', 'settings.exhaustiveness must be a whole number from 1 to 32, not 2.5'],
	['estimate: another team', `select public.estimate_job_cost('molecule-properties', $1, '{}', $2)`, () => [moleculeInput(), stranger.teamId], '42501', 'you are not a member of this team'],
	// cancel_job
	['cancel: another team\'s job', `select public.cancel_job($1)`, () => [jobs.foreign], '42704', () => `job ${jobs.foreign} not found`],
	['cancel: unknown job', `select public.cancel_job('00000000-0000-4000-8000-000000000000')`, () => [], '42704', 'job 00000000-0000-4000-8000-000000000000 not found'],
	['cancel: no job id', `select public.cancel_job(null)`, () => [], '22023', 'job_id is required'],
	['cancel: id of the wrong type', `select public.cancel_job('42')`, () => [], '22P02', 'invalid input syntax for type uuid: "42"'],
	['cancel: finished job', `select public.cancel_job($1)`, () => [jobs.completed], 'P0001', 'this job is already completed and cannot be cancelled'],
	// retry_job
	['retry: another team\'s job', `select public.retry_job($1)`, () => [jobs.foreign], '42704', () => `job ${jobs.foreign} not found`],
	['retry: completed job', `select public.retry_job($1)`, () => [jobs.completed], 'P0001', 'only failed, timed-out or cancelled jobs can be retried; this one is completed'],
	['retry: running job', `select public.retry_job($1)`, () => [jobs.processing], 'P0001', 'only failed, timed-out or cancelled jobs can be retried; this one is processing'],
	// duplicate_job
	['duplicate: another team\'s job', `select public.duplicate_job($1)`, () => [jobs.foreign], '42704', () => `job ${jobs.foreign} not found`],
	['duplicate: failed job', `select public.duplicate_job($1)`, () => [jobs.failed], 'P0001', 'only completed jobs can be duplicated; this one is failed'],
	['duplicate: settings not an object', `select public.duplicate_job($1, null, '"fast"')`, () => [jobs.completed], '22023', 'settings must be a JSON object, not string'],
	['duplicate: name too long', `select public.duplicate_job($1, $2)`, () => [jobs.completed, 'n'.repeat(300)], '22023', 'a job name has at most 200 characters; this one has 300'],
	// rename_job
	['rename: empty name', `select public.rename_job($1, '   ')`, () => [jobs.completed], '22023', 'a job name cannot be empty'],
	['rename: no name', `select public.rename_job($1, null)`, () => [jobs.completed], '22023', 'a job name cannot be empty'],
	['rename: name too long', `select public.rename_job($1, $2)`, () => [jobs.completed, 'n'.repeat(201)], '22023', 'a job name has at most 200 characters; this one has 201'],
	['rename: another team\'s job', `select public.rename_job($1, 'mine now')`, () => [jobs.foreign], '42704', () => `job ${jobs.foreign} not found`],
	// delete_job
	['delete: another team\'s job', `select public.delete_job($1)`, () => [jobs.foreign], '42704', () => `job ${jobs.foreign} not found`],
	['delete: no job id', `select public.delete_job(null)`, () => [], '22023', 'job_id is required'],
	// set_job_visibility
	['visibility: unknown value', `select public.set_job_visibility($1, 'secret')`, () => [jobs.completed], '22023', 'visibility must be one of private, authenticated, invited or public, not "secret"'],
	['visibility: no value', `select public.set_job_visibility($1, null)`, () => [jobs.completed], '22023', 'visibility must be one of private, authenticated, invited or public, not nothing'],
	['visibility: another team\'s job', `select public.set_job_visibility($1, 'public')`, () => [jobs.foreign], '42704', () => `job ${jobs.foreign} not found`],
	// share_job / unshare_job
	['share: not an email', `select public.share_job($1, 'colleague')`, () => [jobs.completed], '22023', 'not an email address: "colleague"'],
	['share: no email', `select public.share_job($1, null)`, () => [jobs.completed], '22023', 'not an email address: nothing'],
	['share: another team\'s job', `select public.share_job($1, 'me@example.test')`, () => [jobs.foreign], '42704', () => `job ${jobs.foreign} not found`],
	['unshare: another team\'s job', `select public.unshare_job($1, 'me@example.test')`, () => [jobs.foreign], '42704', () => `job ${jobs.foreign} not found`],
	// list_team_jobs
	['list: negative page size', `select * from public.list_team_jobs($1, page_size => -1)`, () => [user.teamId], '22023', 'page_size must be from 1 to 200, not -1'],
	['list: page too large', `select * from public.list_team_jobs($1, page_size => 5000)`, () => [user.teamId], '22023', 'page_size must be from 1 to 200, not 5000'],
	['list: negative offset', `select * from public.list_team_jobs($1, page_offset => -5)`, () => [user.teamId], '22023', 'page_offset must be 0 or more, not -5'],
	['list: half a cursor', `select * from public.list_team_jobs($1, before_created_at => now())`, () => [user.teamId], '22023', /^before_created_at and before_id go together/],
	['list: unknown status', `select * from public.list_team_jobs($1, statuses => '{done}')`, () => [user.teamId], '22P02', 'invalid input value for enum job_status: "done"'],
	['list: no team', `select * from public.list_team_jobs(null)`, () => [], '22023', 'team_id is required']
];

describe('RPC input errors', () => {
	it.each(cases)('%s', async (_name, sql, params, code, message) => {
		const before = await snapshot();
		const error = await withActor(db.pool, asUser(user), (c) => c.query(sql, params())).then(
			() => null,
			(e) => errorOf(e)
		);
		const expectedMessage = typeof message === 'function' ? message() : message;
		expect(error?.code).toBe(code);
		if (expectedMessage instanceof RegExp) expect(error?.message).toMatch(expectedMessage);
		else expect(error?.message).toBe(expectedMessage);
		expect(await snapshot()).toBe(before);
	});

	it('refuses every RPC to anonymous callers', async () => {
		for (const sql of [
			`select public.submit_job('molecule-properties', 'x', '{"molecules":[{}]}')`,
			`select public.estimate_job_cost('molecule-properties', '{"molecules":[{}]}')`,
			`select public.cancel_job('${jobs.processing}')`,
			`select public.delete_job('${jobs.completed}')`,
			`select * from public.list_team_jobs('${user.teamId}')`
		]) {
			const error = await withActor(db.pool, { kind: 'anon' }, (c) => c.query(sql)).then(() => null, errorOf);
			expect(error?.code, sql).toBe('42501');
			expect(error?.message, sql).toMatch(/^permission denied for function/);
		}
	});
});
