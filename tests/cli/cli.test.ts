// The foldwork CLI end to end: the built CLI in a child process against the
// local stack's api function (real Deno, real database, real Storage) and a
// real CPU worker. 100 records submitted in one request and waited for,
// downloaded, a failed job retried, tokens refused at once, and usage
// mistakes answered with exit code 2 and what to fix.
import { stat, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../functions/api-support.ts';
import { adminForFile, COLD_START_MS, person, type Person } from '../functions/support.ts';
import { buildCli, tempDir, fasta, runCli, useStackWorker } from './support.ts';

const admin = adminForFile();
const home = tempDir();
let owner: Person;
let token: string;
const env = () => ({ FOLDWORK_TOKEN: token });
useStackWorker();

beforeAll(async () => {
	await buildCli();
	owner = await person(admin, 'cli');
	token = (await makeToken(owner, { name: 'cli test' })).secret;
	// Starts the api function (its first start may download its npm packages).
	expect((await runCli(['tools', '--json'], env())).code).toBe(0);
}, COLD_START_MS);

describe('usage', { timeout: 90_000 }, () => {
	it('no command, an unknown one, missing arguments and bad options exit 2 saying what to give', async () => {
		expect((await runCli([])).code).toBe(2);
		const unknown = await runCli(['frobnicate'], env());
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('unknown command "frobnicate"');
		const missing = await runCli(['submit', 'protein-properties'], env());
		expect(missing.code).toBe(2);
		expect(missing.stderr).toContain('give a tool and at least one input file');
		const badOption = await runCli(['jobs', '--colour'], env());
		expect(badOption.code).toBe(2);
		expect(badOption.stderr).toContain("Unknown option '--colour'");
		const noFile = await runCli(['submit', 'protein-properties', '/nonexistent/x.fasta'], env());
		expect(noFile.code).toBe(2);
		expect(noFile.stderr).toContain('cannot read /nonexistent/x.fasta: no such file');
		const badSet = await runCli(['submit', 'protein-properties', '-', '--set', 'pH'], env(), fasta(1));
		expect(badSet.code).toBe(2);
		expect(badSet.stderr).toContain('--set takes key=value');
		const badTool = await runCli(['estimate', 'no-such-tool', '-'], env(), fasta(1));
		expect(badTool.code).toBe(2);
		expect(badTool.stderr).toContain('no tool "no-such-tool"; the tools are');
	});

	it('--json errors are JSON on stdout too', async () => {
		const answer = await runCli(['get', '--json'], env());
		expect(answer.code).toBe(2);
		expect(answer.json.error.code).toBe('usage');
	});
});

describe('login and tokens', { timeout: 90_000 }, () => {
	it('login checks the token, stores it readable by its owner only, and later commands use it', async () => {
		const login = await runCli(['login', '--token', token, '--json'], { XDG_CONFIG_HOME: home });
		expect(login.code, login.stderr).toBe(0);
		expect(login.json.token.scope).toBe('write');
		const file = path.join(home, 'foldwork', 'config.json');
		expect((await stat(file)).mode & 0o777).toBe(0o600);
		expect(JSON.parse(await readFile(file, 'utf8')).token).toBe(token);
		const tools = await runCli(['tools', '--json'], { XDG_CONFIG_HOME: home });
		expect(tools.code).toBe(0);
		expect(tools.json.tools.map((t: { id: string }) => t.id)).toContain('protein-properties');
	});

	it('no token, a malformed one or an unknown one: exit 3 (2 for a malformed one at login), nothing stored', async () => {
		const empty = tempDir();
		expect((await runCli(['jobs'], { XDG_CONFIG_HOME: empty })).code).toBe(3);
		expect((await runCli(['login', '--token', 'not-a-token'], { XDG_CONFIG_HOME: empty })).code).toBe(2);
		const unknown = `fwp_${'A'.repeat(43)}`;
		const refused = await runCli(['login', '--token', unknown], { XDG_CONFIG_HOME: empty });
		expect(refused.code).toBe(3);
		await expect(stat(path.join(empty, 'foldwork', 'config.json'))).rejects.toThrow();
	});

	it('a revoked token is refused at once (exit 3), a read-only one cannot submit (exit 1)', async () => {
		const revocable = await makeToken(owner, { name: 'to revoke' });
		expect((await runCli(['jobs', '--json'], { FOLDWORK_TOKEN: revocable.secret })).code).toBe(0);
		const { error } = await owner.db.rpc('revoke_api_token', { token_id: revocable.id });
		expect(error).toBeNull();
		const after = await runCli(['jobs', '--json'], { FOLDWORK_TOKEN: revocable.secret });
		expect(after.code).toBe(3);

		const reader = await makeToken(owner, { name: 'reader', scope: 'read' });
		const submit = await runCli(['submit', 'protein-properties', '-', '--json'], { FOLDWORK_TOKEN: reader.secret }, fasta(1));
		expect(submit.code).toBe(1);
		expect(submit.json.error.code).toBe('read_only_token');
	});
});

describe('jobs through the CLI', { timeout: 120_000 }, () => {
	let ids: string[] = [];

	it('submits 100 records as 100 jobs in ONE request and waits for all of them', async () => {
		const started = Date.now();
		const answer = await runCli(['submit', 'protein-properties', '-', '--per-record', '--wait', '--json', '--trace', '--set', 'pH=7.4'], env(), fasta(100));
		const seconds = (Date.now() - started) / 1000;
		expect(answer.code, answer.stderr.slice(-2000)).toBe(0);
		expect(answer.json.jobs).toHaveLength(100);
		expect(answer.json.jobs.every((job: { status: string }) => job.status === 'completed')).toBe(true);
		expect(answer.requests.filter((r) => r === 'POST /v1/jobs')).toHaveLength(1);
		// Waiting is one long-poll for all jobs at a time, at most two a second
		// (MIN_WAIT_INTERVAL_MS), not a request per job or per change.
		expect(answer.requests.filter((r) => r === 'POST /v1/jobs/wait').length).toBeLessThanOrEqual(Math.ceil(seconds * 2) + 1);
		expect(answer.requests.some((r) => r.startsWith('GET /v1/jobs/'))).toBe(false);
		ids = answer.json.jobs.map((job: { id: string }) => job.id);
		const one = await runCli(['get', ids[0], '--json'], env());
		expect(one.json.job.settings.pH).toBe(7.4);
		expect(one.json.job.name).toBe('p1');
	}, 240_000);

	it('downloads the jobs: each job\'s files, result.json and result.csv', async () => {
		const out = tempDir();
		const answer = await runCli(['download', ...ids.slice(0, 10), '-o', out, '--json'], env());
		expect(answer.code, answer.stderr).toBe(0);
		for (const id of ids.slice(0, 10)) {
			const entries = await readdir(path.join(out, id));
			expect(entries).toEqual(expect.arrayContaining(['result.json', 'result.csv']));
			const csv = await readFile(path.join(out, id, 'result.csv'), 'utf8');
			expect(csv).toContain('p');
			const json = JSON.parse(await readFile(path.join(out, id, 'result.json'), 'utf8'));
			expect(JSON.stringify(json)).toContain(id);
		}
	}, 120_000);

	it('a job that failed says why (exit 1), is listed by jobs --status failed, and retry runs it again as a new job', async () => {
		const failed = await runCli(['submit', 'protein-properties', '-', '--wait', '--json', '--name', 'bad batch'], env(), fasta(3, new Set([2])));
		expect(failed.code).toBe(1);
		const [job] = failed.json.jobs;
		expect(job.status).toBe('failed');
		expect(job.error_message).toMatch(/J/);

		const listed = await runCli(['jobs', '--status', 'failed', '--json'], env());
		expect(listed.code).toBe(0);
		expect(listed.json.jobs.map((j: { id: string }) => j.id)).toContain(job.id);

		const retried = await runCli(['retry', job.id, '--json'], env());
		expect(retried.code, retried.stderr).toBe(0);
		const newJob = retried.json.results[0].job;
		expect(newJob.id).not.toBe(job.id);
		expect(newJob.retry_of ?? job.id).toBe(job.id);
		// Retrying a job that has not ended is refused by the database: exit 1 with its reason.
		const again = await runCli(['retry', ids[0]], env());
		expect(again.code).toBe(1);
		expect(again.stderr).toContain(ids[0]);
	}, 120_000);

	it('delete removes a job; then get says it is not found (exit 1); a bad id is the API\'s 400', async () => {
		const deleted = await runCli(['delete', ids[99]], env());
		expect(deleted.code, deleted.stderr).toBe(0);
		const gone = await runCli(['get', ids[99], '--json'], env());
		expect(gone.code).toBe(1);
		expect(gone.json.error.code).toBe('not_found');
		const bad = await runCli(['get', 'not-a-uuid'], env());
		expect(bad.code).toBe(1);
	});

	it('one job of all records, from a file, and an estimate of it', async () => {
		const dir = tempDir();
		const file = path.join(dir, 'panel.fasta');
		await writeFile(file, fasta(5));
		const estimate = await runCli(['estimate', 'protein-properties', file, '--json'], env());
		expect(estimate.code, estimate.stderr).toBe(0);
		expect(estimate.json.credits).toBe(0);
		const answer = await runCli(['submit', 'protein-properties', file, '--json'], env());
		expect(answer.code).toBe(0);
		expect(answer.json.jobs).toHaveLength(1);
		expect(answer.json.jobs[0].name).toBe('panel.fasta');
		const waited = await runCli(['wait', answer.json.jobs[0].id, '--json'], env());
		expect(waited.code).toBe(0);
		const got = await runCli(['get', answer.json.jobs[0].id, '--json'], env());
		expect(got.json.job.input.sequences).toHaveLength(5);
	});
});
