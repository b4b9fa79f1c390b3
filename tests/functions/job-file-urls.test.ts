// The job-file-urls edge function on the local stack (real Deno, real
// Storage): what it signs, for how long, with the file's name for downloads,
// and every malformed request refused with a message. Who gets which file
// (the link-only rule) is attacked in tests/security/link-only.test.ts.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { serviceClient } from '../helpers/stack.ts';
import { adminForFile, callFunction, COLD_START_MS, createJob, person, type Person } from './support.ts';

const admin = adminForFile();
let owner: Person;
let fileId: string;
const NAME = 'poses (run 1).sdf';

const urls = (body: unknown, token = owner.token) => callFunction('job-file-urls', body, { token });

beforeAll(async () => {
	owner = await person(admin, 'files');
	const jobId = await createJob(admin, owner.teamId, owner);
	const path = `${owner.teamId}/${jobId}/output/poses_run_1_.sdf`;
	const { error } = await serviceClient().storage.from('job-files').upload(path, 'ethanol\n$$$$\n', { contentType: 'chemical/x-mdl-sdfile' });
	expect(error).toBeNull();
	const { rows } = await admin.query<{ id: string }>(
		`insert into public.job_files (job_id, kind, name, media_type, size_bytes, storage_path) values ($1, 'output', $2, 'chemical/x-mdl-sdfile', 13, $3) returning id`,
		[jobId, NAME, path]
	);
	fileId = rows[0].id;
	// Starts the function (the first start may download its npm packages).
	expect((await urls({ file_ids: [fileId] })).status).toBe(200);
}, COLD_START_MS);

describe('job-file-urls', () => {
	it('signs the file for a short while, and with download saves it under its own name', async () => {
		const before = Date.now();
		const answer = await urls({ file_ids: [fileId, fileId, randomUUID()], expires_in: 60 });
		expect(answer.status).toBe(200);
		expect(answer.body.files).toEqual([
			{ id: fileId, name: NAME, media_type: 'chemical/x-mdl-sdfile', size_bytes: 13, sha256: null, url: expect.stringContaining('/storage/v1/object/sign/job-files/'), expires_at: expect.any(String) }
		]);
		const expiresAt = Date.parse(answer.body.files[0].expires_at);
		expect(expiresAt - before).toBeGreaterThanOrEqual(59_000);
		expect(expiresAt - before).toBeLessThan(70_000);
		const plain = await fetch(answer.body.files[0].url);
		expect(plain.headers.get('content-disposition')).toBeNull();
		expect(await plain.text()).toBe('ethanol\n$$$$\n');

		const download = await urls({ file_ids: [fileId], download: true });
		const res = await fetch(download.body.files[0].url);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(NAME)}`);
		await res.body?.cancel();
		// A signed URL names its one object: another key with the same token is refused.
		const forged = download.body.files[0].url.replace('poses_run_1_.sdf', 'other.sdf');
		expect((await fetch(forged)).status).toBeGreaterThanOrEqual(400);
	});

	it.each([
		[{}, /file_ids is required/],
		[{ file_ids: [] }, /at least one file id/],
		[{ file_ids: ['not-a-uuid'] }, /file id/],
		[{ file_ids: Array.from({ length: 101 }, () => randomUUID()) }, /at most 100/],
		[{ file_ids: [randomUUID()], expires_in: 86_400 }, /at most 3600 seconds/],
		[{ file_ids: [randomUUID()], path: 'x/y' }, /file_ids, download and expires_in/]
	])('refuses %j with 400 and a message', async (body, message) => {
		const answer = await urls(body);
		expect(answer.status).toBe(400);
		expect(answer.body.error).toMatch(message);
	});
});
