// The api edge function on the local stack (real Deno, real database, real
// Storage): every route of src/lib/api/contract.ts with a write token, each
// answer parsed with the contract's own response schema, and bad requests
// refused with what to fix. Attacks on tokens and teams are in
// api-attacks.test.ts.
import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	apiErrorSchema,
	apiRoutes,
	estimateResponseSchema,
	filesResponseSchema,
	jobResponseSchema,
	listJobsResponseSchema,
	submitResponseSchema,
	tokenInfoResponseSchema,
	toolsResponseSchema,
	uploadsResponseSchema,
	waitResponseSchema
} from '../../src/lib/api/contract.ts';
import { driveJob } from '../helpers/db.ts';
import { serviceClient } from '../helpers/stack.ts';
import { api, grantCredits, makeToken, molecules, proteins } from './api-support.ts';
import { adminForFile, COLD_START_MS, person, type Person } from './support.ts';

const admin = adminForFile();
let owner: Person;
let token: string;

beforeAll(async () => {
	owner = await person(admin, 'api');
	await grantCredits(admin, owner.teamId, 100);
	token = (await makeToken(owner, { name: 'lab laptop' })).secret;
	// Starts the function (the first start may download its npm packages).
	expect((await api(token, 'GET', '/v1/token')).status).toBe(200);
}, COLD_START_MS);

async function submit(body: unknown): Promise<any[]> {
	const answer = await api(token, 'POST', '/v1/jobs', body);
	expect(answer.status, JSON.stringify(answer.body)).toBe(201);
	return submitResponseSchema.parse(answer.body).jobs;
}

describe('the api function', () => {
	it('says which token calls, and lists the tools', async () => {
		const me = tokenInfoResponseSchema.parse((await api(token, 'GET', '/v1/token')).body);
		expect(me.token).toMatchObject({ name: 'lab laptop', scope: 'write', team_id: owner.teamId, prefix: token.slice(0, 10) });
		const tools = toolsResponseSchema.parse((await api(token, 'GET', '/v1/tools')).body).tools;
		expect(tools.find((t) => t.id === 'molecule-properties')).toMatchObject({ items_field: 'molecules', pricing: { kind: 'per_input', credits: 1 } });
	});

	it('estimates as the database prices, without charging', async () => {
		const answer = await api(token, 'POST', '/v1/estimate', { tool: 'molecule-properties', input: molecules(3) });
		expect(answer.status).toBe(200);
		expect(estimateResponseSchema.parse(answer.body)).toMatchObject({ credits: 3, team_id: owner.teamId, sufficient: true, can_run: true });
		const refused = await api(token, 'POST', '/v1/estimate', { tool: 'no-such-tool', input: {} });
		expect(refused.status).toBe(422);
		expect(apiErrorSchema.parse(refused.body).error.message).toMatch(/no-such-tool/);
	});

	it('submits one job and a batch (one request, in order), then gets, lists and pages them', async () => {
		const [single] = await submit({ tool: 'protein-properties', input: proteins(1), name: 'single' });
		expect(single).toMatchObject({ name: 'single', status: 'pending', team_id: owner.teamId });
		const batch = await submit({ jobs: Array.from({ length: 5 }, (_, i) => ({ tool: 'protein-properties', input: proteins(1), name: `batch ${i}` })) });
		expect(batch.map((j) => j.name)).toEqual(['batch 0', 'batch 1', 'batch 2', 'batch 3', 'batch 4']);

		const got = jobResponseSchema.parse((await api(token, 'GET', `/v1/jobs/${single.id}`)).body).job;
		expect(got).toMatchObject({ id: single.id, input: proteins(1), status: 'pending' });

		const first = listJobsResponseSchema.parse((await api(token, 'GET', '/v1/jobs?limit=4&tool=protein-properties')).body);
		expect(first.jobs).toHaveLength(4);
		expect(first.next_cursor).toBeTruthy();
		const second = listJobsResponseSchema.parse((await api(token, 'GET', `/v1/jobs?limit=4&tool=protein-properties&cursor=${first.next_cursor}`)).body);
		const seen = [...first.jobs, ...second.jobs].map((j) => j.id);
		expect(new Set(seen).size).toBe(seen.length);
		expect(seen).toEqual(expect.arrayContaining([single.id, ...batch.map((j) => j.id)]));
		expect(second.next_cursor).toBeNull();

		const pending = listJobsResponseSchema.parse((await api(token, 'GET', '/v1/jobs?status=completed')).body);
		expect(pending.jobs.every((j) => j.status === 'completed')).toBe(true);
		expect((await api(token, 'GET', '/v1/jobs?status=done')).status).toBe(400);
		expect((await api(token, 'GET', '/v1/jobs?cursor=bogus')).body.error.message).toMatch(/next_cursor/);
	});

	it('waits for a change and answers as soon as one comes (long-poll over many jobs)', async () => {
		const jobs = await submit({ jobs: [{ tool: 'protein-properties', input: proteins(1) }, { tool: 'protein-properties', input: proteins(1) }] });
		const since = Object.fromEntries(jobs.map((j) => [j.id, j.updated_at]));
		// Nothing changed: the wait ends empty at its timeout.
		const quiet = waitResponseSchema.parse((await api(token, 'POST', '/v1/jobs/wait', { ids: jobs.map((j) => j.id), since, timeout_s: 1 })).body);
		expect(quiet.jobs).toEqual([]);

		const waiting = api(token, 'POST', '/v1/jobs/wait', { ids: [...jobs.map((j) => j.id), randomUUID()], since, timeout_s: 20 });
		const started = Date.now();
		await driveJob(admin, jobs[1].id, 'completed');
		const answer = await waiting;
		expect(answer.status).toBe(200);
		const woke = waitResponseSchema.parse(answer.body);
		expect(Date.now() - started).toBeLessThan(15_000);
		// An unknown id is reported missing at once (and so answers without waiting).
		expect(woke.missing).toHaveLength(1);

		const changed = waitResponseSchema.parse((await api(token, 'POST', '/v1/jobs/wait', { ids: jobs.map((j) => j.id), since, timeout_s: 20 })).body);
		expect(changed.jobs.map((j) => [j.id, j.status])).toEqual([[jobs[1].id, 'completed']]);
	});

	it('cancels (refunding a job that had not started), retries, and deletes', async () => {
		const [job] = await submit({ tool: 'molecule-properties', input: molecules(2) });
		const cancelled = await api(token, 'POST', `/v1/jobs/${job.id}/cancel`);
		expect(cancelled.status).toBe(200);
		expect(jobResponseSchema.parse(cancelled.body).job).toMatchObject({ status: 'cancelled', credits_charged: 2, credits_refunded: 2 });

		const retried = await api(token, 'POST', `/v1/jobs/${job.id}/retry`);
		expect(retried.status).toBe(201);
		const again = jobResponseSchema.parse(retried.body).job;
		expect(again).toMatchObject({ status: 'pending', retry_of: job.id });

		const deleted = await api(token, 'DELETE', `/v1/jobs/${again.id}`);
		expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
		expect(deleted.body).toEqual({ deleted: true, id: again.id });
		expect((await api(token, 'GET', `/v1/jobs/${again.id}`)).status).toBe(404);
		// Cancelling a finished job is a conflict with the database's reason.
		const twice = await api(token, 'POST', `/v1/jobs/${job.id}/cancel`);
		expect(twice.status).toBe(409);
		expect(twice.body.error.code).toBe('conflict');
	});

	it("lists a job's files with signed download URLs, and exports its results as CSV and JSON", async () => {
		const [job] = await submit({ tool: 'protein-properties', input: proteins(1), name: 'Kinase, panel' });
		const path = `${owner.teamId}/${job.id}/output/report.txt`;
		const { error } = await serviceClient().storage.from('job-files').upload(path, 'hello\n', { contentType: 'text/plain' });
		expect(error).toBeNull();
		await admin.query(
			`insert into public.job_files (job_id, kind, name, media_type, size_bytes, sha256, storage_path) values ($1, 'output', 'report.txt', 'text/plain', 6, $2, $3)`,
			[job.id, 'a'.repeat(64), path]
		);
		await driveJob(admin, job.id, 'processing');
		await admin.query(`update public.jobs set status = 'completed', progress = 100, result = $2 where id = $1`, [
			job.id,
			{ table: { columns: [{ key: 'id', label: 'ID' }, { key: 'mass', label: 'Mass', unit: 'Da' }], rows: [{ id: 'p1', mass: 2650.1 }, { id: '=cmd()', mass: 1 }] } }
		]);

		const files = filesResponseSchema.parse((await api(token, 'GET', `/v1/jobs/${job.id}/files`)).body).files;
		expect(files).toEqual([expect.objectContaining({ name: 'report.txt', kind: 'output', size_bytes: 6, sha256: 'a'.repeat(64) })]);
		const download = await fetch(files[0].url!);
		expect(download.status).toBe(200);
		expect(await download.text()).toBe('hello\n');

		const csv = await api(token, 'GET', `/v1/jobs/${job.id}/export?format=csv`);
		expect(csv.status).toBe(200);
		expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
		expect(csv.body).toContain('ID,Mass (Da)\r\np1,2650.1\r\n');
		// A cell a spreadsheet would run is escaped, as in the web app's export.
		expect(csv.body).not.toMatch(/\r\n=cmd/);
		const json = await api(token, 'GET', `/v1/jobs/${job.id}/export`);
		expect(json.body).toMatchObject({ job: { id: job.id, name: 'Kinase, panel', tool: 'protein-properties' }, results: { table: { rows: expect.any(Array) } } });
		expect((await api(token, 'GET', `/v1/jobs/${job.id}/export?format=xlsx`)).status).toBe(400);
	});

	it('gives signed upload URLs in the person\'s own folder, and a job submitted with the upload claims it', async () => {
		const answer = await api(token, 'POST', '/v1/uploads', { files: [{ name: 'big input.json' }] });
		expect(answer.status, JSON.stringify(answer.body)).toBe(200);
		const [upload] = uploadsResponseSchema.parse(answer.body).uploads;
		expect(upload.path).toMatch(new RegExp(`^${owner.teamId}/uploads/${owner.id}/[0-9a-f-]+/big_input.json$`));
		const text = '>p1\nMKTAYIAKQRQISFVKSHFSRQ\n';
		const put = await fetch(upload.url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: text });
		expect(put.status, await put.text()).toBe(200);
		const sha256 = createHash('sha256').update(text).digest('hex');
		const [job] = await submit({
			tool: 'protein-properties',
			input: { sequences: [{ id: 'p1', sequence: { $file: 'p1.fasta' } }] },
			files: [{ name: 'p1.fasta', path: upload.path, sha256 }]
		});
		const { rows } = await admin.query('select name, size_bytes, sha256 from public.job_files where job_id = $1', [job.id]);
		expect(rows).toEqual([{ name: 'p1.fasta', size_bytes: String(text.length), sha256 }]);
		// An upload is claimed once.
		const again = await api(token, 'POST', '/v1/jobs', { tool: 'protein-properties', input: { sequences: [{ id: 'p1', sequence: { $file: 'p1.fasta' } }] }, files: [{ name: 'p1.fasta', path: upload.path, sha256 }] });
		expect(again.status).toBe(422);
		expect(again.body.error.message).toMatch(/already submitted/);
	});

	it.each([
		['POST', '/v1/jobs', '{"tool": ', 400, /not valid JSON/],
		['POST', '/v1/jobs', { tool: 'protein-properties' }, 400, /input/],
		['POST', '/v1/jobs', { tool: 'protein-properties', input: proteins(1), colour: 'red' }, 400, /colour/],
		['POST', '/v1/jobs', { tool: 'protein-properties', input: { sequences: [] } }, 422, /./],
		['GET', '/v1/jobs/not-a-uuid', undefined, 400, /UUID/],
		['GET', `/v1/jobs/${randomUUID()}`, undefined, 404, /not found/],
		['GET', '/v2/nothing', undefined, 404, /no route/],
		['PUT', '/v1/jobs', {}, 405, /not allowed/]
	])('%s %s (%j) → %i with what to fix', async (method, path, body, status, message) => {
		const answer = await api(token, method, path, body);
		expect(answer.status, JSON.stringify(answer.body)).toBe(status);
		expect(apiErrorSchema.parse(answer.body).error.message).toMatch(message);
	});

	it('serves every route of the contract (a route added without a handler fails here)', async () => {
		for (const route of apiRoutes) {
			const path = route.path.replace('{id}', randomUUID());
			const answer = await api(token, route.method, path, route.method === 'POST' ? {} : undefined);
			expect(answer.status, `${route.method} ${route.path}: ${JSON.stringify(answer.body)}`).not.toBe(500);
			expect(answer.body?.error?.message ?? '', `${route.method} ${route.path}`).not.toMatch(/no route|not served/);
		}
	});
});
