// Job files in the private job-files Storage bucket, end to end with a real
// worker process, the local Storage service and supabase-js as the members:
// a large input uploaded into the submitter's own folder, claimed by
// submit_job and streamed by the worker; every way of slipping someone
// else's bytes into a job (another member's or team's upload, a path
// elsewhere in the bucket, path tricks, an upload already claimed) and of
// changing an input after submission refused; deleting a job leaving no
// object behind (rows and bytes on disk counted); uploads never submitted
// expiring; the team's quota; and file bytes still kept in the database
// moved to Storage by the fleet (the bytea migration path).
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../supabase/local/jwt.ts';
import { waitFor } from '../helpers/wait.ts';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { asUser, createUser, startWorkerProcess, statusHistory, storageFor, submitJob, waitForStatus, type TestUser, type WorkerProcess } from '../helpers/worker-fleet.ts';
import type { StorageGateway } from '../helpers/storage-gateway.ts';

const suite = useWorkerDatabase();
let storage: StorageGateway;
let worker: WorkerProcess | null = null;

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

/** supabase-js on the Storage service of the test's database, signed in as `user` (or as the service role). */
function clientFor(user: TestUser | 'service'): SupabaseClient {
	const now = Math.floor(Date.now() / 1000);
	const token =
		user === 'service' ? storage.serviceRoleKey : signJwt({ sub: user.id, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 3600 }, storage.jwtSecret);
	return createClient(storage.url, storage.anonKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		global: { headers: { Authorization: `Bearer ${token}` } }
	});
}

/** test-digest's input with its one structure in the file `name`. */
const refersTo = (name: string) => ({ structures: [{ text: { $file: name } }] });

const bucket = (user: TestUser | 'service') => clientFor(user).storage.from('job-files');

/** Uploads `text` into the user's own upload folder; returns what submit_job's files takes. */
async function upload(user: TestUser, name: string, text: string | Buffer, teamId = user.teamId) {
	const path = `${teamId}/uploads/${user.id}/${randomUUID()}/${name}`;
	const { error } = await bucket(user).upload(path, text, { contentType: 'chemical/x-pdb' });
	expect(error).toBeNull();
	return { name, path, sha256: sha256(text) };
}

async function submitWithFiles(user: TestUser, files: object[], input: object = refersTo((files[0] as { name: string }).name)): Promise<string> {
	const rows = await asUser<{ id: string }>(suite.db, user, 'select id from public.submit_job($1, $2, $3, $4, $5, $6)', [
		'test-digest',
		'digest',
		input,
		{},
		user.teamId,
		JSON.stringify(files)
	]);
	return rows[0].id;
}

/** The error code and message submit_job answers with, or null when it took the job. */
async function submitRefusal(user: TestUser, files: object[], input?: object): Promise<{ code: string; message: string } | null> {
	try {
		await submitWithFiles(user, files, input);
		return null;
	} catch (error) {
		const e = error as { code: string; message: string };
		return { code: e.code, message: e.message };
	}
}

async function objectNames(prefix: string): Promise<string[]> {
	const { rows } = await suite.db.query<{ name: string }>(`select name from storage.objects where bucket_id = 'job-files' and name like $1 || '%' order by name`, [prefix]);
	return rows.map((r) => r.name);
}

/** Object files on the Storage service's disk. */
function filesOnDisk(): number {
	const dir = path.join(storage.dir, 'objects', 'objects');
	let count = 0;
	for (const sub of readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) count += readdirSync(path.join(dir, sub.name)).length;
	return count;
}

async function addMember(teamId: string, role: 'member' | 'viewer'): Promise<TestUser> {
	const mate = await createUser(suite.db);
	await suite.db.query('insert into public.team_members (team_id, user_id, role) values ($1, $2, $3)', [teamId, mate.id, role]);
	return { id: mate.id, teamId };
}

beforeAll(async () => {
	storage = await storageFor(suite.url);
});

afterAll(async () => {
	await worker?.stop();
});

describe('job inputs uploaded to Storage', () => {
	it('refuses every upload path and submission but the submitter\'s own, unclaimed upload in the job\'s team', async () => {
		const user = await createUser(suite.db);
		const mate = await addMember(user.teamId, 'member');
		const viewer = await addMember(user.teamId, 'viewer');
		const outsider = await createUser(suite.db);
		const pdb = 'ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  0.00           N\n';

		// Uploads: into a teammate's folder, another team's, a viewer's own, outside any uploads folder.
		const refusedUploads: Array<[TestUser, string]> = [
			[user, `${user.teamId}/uploads/${mate.id}/${randomUUID()}/a.pdb`],
			[outsider, `${user.teamId}/uploads/${outsider.id}/${randomUUID()}/a.pdb`],
			[viewer, `${user.teamId}/uploads/${viewer.id}/${randomUUID()}/a.pdb`],
			[user, `${user.teamId}/${randomUUID()}/input/a.pdb`],
			[user, `${user.teamId}/uploads/${user.id}/a.pdb`],
			[user, `${user.teamId}/uploads/${user.id}/x/y/a.pdb`]
		];
		for (const [who, key] of refusedUploads) expect((await bucket(who).upload(key, pdb)).error, key).not.toBeNull();
		expect(await objectNames(`${user.teamId}/`)).toEqual([]);

		// Submissions naming bytes that are not the caller's own upload in this team.
		const mine = await upload(user, 'a.pdb', pdb);
		const matesUpload = await upload(mate, 'a.pdb', pdb);
		const outsidersUpload = await upload(outsider, 'a.pdb', pdb);
		const forged = [
			{ ...matesUpload },
			{ ...outsidersUpload },
			{ ...mine, path: `${outsider.teamId}/uploads/${user.id}/${randomUUID()}/a.pdb` },
			{ ...mine, path: `${user.teamId}/uploads/${user.id}/../../${mate.id}/x/a.pdb` },
			{ ...mine, path: `${user.teamId}/uploads/${user.id}/%2e%2e/a.pdb` },
			{ ...mine, path: `/${mine.path}` }
		];
		for (const file of forged) expect((await submitRefusal(user, [file]))?.code, file.path).toBe('42501');
		// Missing uploads, bad names, and input and files that do not match.
		expect(await submitRefusal(user, [{ ...mine, path: mine.path.replace(/[^/]+$/, 'missing.pdb') }])).toMatchObject({ code: '22023' });
		for (const name of ['..', 'a/b.pdb', 'a\\b.pdb', 'nul\u0000.pdb']) {
			expect(await submitRefusal(user, [{ ...mine, name }], refersTo(name)), name).toMatchObject({ code: expect.stringMatching(/^(22023|22P05)$/) });
		}
		expect(await submitRefusal(user, [{ ...mine, sha256: 'not a checksum' }])).toMatchObject({ code: '22023' });
		expect(await submitRefusal(user, [mine], refersTo('other.pdb'))).toMatchObject({ code: '22023' });
		expect(await submitRefusal(user, [mine], { structures: [{ text: 'no reference' }] })).toMatchObject({ code: '22023' });
		expect(await submitRefusal(outsider, [mine])).toMatchObject({ code: '42501' });
		expect(await suite.db.query('select 1 from public.job_files').then((r) => r.rowCount)).toBe(0);

		// The upload itself is taken once, and from then on nobody can change or remove it (no worker runs yet to move it).
		const jobId = await submitWithFiles(user, [mine]);
		expect(await submitRefusal(user, [mine])).toMatchObject({ code: '22023', message: expect.stringContaining('already submitted') });
		expect((await bucket(user).upload(mine.path, 'changed', { upsert: true })).error).not.toBeNull();
		expect((await bucket(user).update(mine.path, 'changed')).error).not.toBeNull();
		expect((await bucket(user).remove([mine.path])).data ?? []).toEqual([]);
		expect((await bucket(user).move(mine.path, `${user.teamId}/uploads/${user.id}/${randomUUID()}/moved.pdb`)).error).not.toBeNull();
		const { data } = await bucket('service').download(mine.path);
		expect(await data!.text()).toBe(pdb);
		const { rows } = await suite.db.query('select name, kind, size_bytes::int, sha256, storage_path from public.job_files where job_id = $1', [jobId]);
		expect(rows).toEqual([{ name: 'a.pdb', kind: 'input', size_bytes: Buffer.byteLength(pdb), sha256: sha256(pdb), storage_path: mine.path }]);
	});

	it('records the move of a claimed upload once, whichever worker records it first (the janitor and the run racing)', async () => {
		const user = await createUser(suite.db);
		const file = await upload(user, 'race.pdb', 'ATOM\n');
		const jobId = await submitWithFiles(user, [file]);
		const settled = (to: string) => suite.db.query<{ n: number }>('select worker.worker_input_settled($1, $2) as n', [file.path, to]).then((r) => r.rows[0].n);
		const destination = `${user.teamId}/${jobId}/input/race.pdb`;
		expect(await settled(destination)).toBe(1);
		expect(await settled(destination)).toBe(0);
		// A destination that is not the job's own input folder is still refused.
		await expect(settled(`${user.teamId}/${randomUUID()}/input/race.pdb`)).rejects.toMatchObject({ code: '22023' });
	});

	it('streams a large input to the tool, after moving it into the job\'s own folder, and stores the output with its SHA-256', async () => {
		worker = await startWorkerProcess(suite.url, { env: { FOLDWORK_STORAGE_SWEEP_MS: '500' } });
		const user = await createUser(suite.db);
		const line = 'ATOM      1  CA  GLY A   1      10.000  10.000  10.000  1.00 20.00           C\n';
		const big = line.repeat(Math.ceil((8 * 1024 * 1024) / line.length));
		const file = await upload(user, 'large structure.pdb', big);
		const jobId = await submitWithFiles(user, [file]);
		expect((await waitForStatus(suite.db, jobId, ['completed', 'failed'], 60_000)).status).toBe('completed');

		const { rows } = await suite.db.query('select kind, name, size_bytes::int, sha256, storage_path, content from public.job_files where job_id = $1 order by kind', [jobId]);
		const digest = `${Buffer.byteLength(big)} ${sha256(big)}\n`;
		expect(rows).toEqual([
			{ kind: 'input', name: 'large structure.pdb', size_bytes: Buffer.byteLength(big), sha256: sha256(big), storage_path: expect.stringMatching(new RegExp(`^${user.teamId}/${jobId}/input/large_structure-[0-9a-f]{8}\\.pdb$`)), content: null },
			{ kind: 'output', name: 'digest.txt', size_bytes: digest.length, sha256: sha256(digest), storage_path: `${user.teamId}/${jobId}/output/digest.txt`, content: null }
		]);
		expect(await objectNames(`${user.teamId}/uploads/`)).toEqual([]);
		expect(await (await bucket(user).download(rows[1].storage_path)).data!.text()).toBe(digest);
		// Submitted inputs are the fleet's: the submitter cannot overwrite or remove them.
		expect((await bucket(user).upload(rows[0].storage_path, 'changed', { upsert: true })).error).not.toBeNull();
		expect((await bucket(user).remove([rows[0].storage_path, rows[1].storage_path])).data ?? []).toEqual([]);
		expect(await objectNames(`${user.teamId}/${jobId}/`)).toHaveLength(2);
	}, 90_000);
	it('sends a job back to the queue when its input files cannot be read for a reason of the fleet\'s, never blaming the input or keeping the slot', async () => {
		const user = await createUser(suite.db);
		const file = await upload(user, 'later.pdb', 'ATOM\n');
		// The database refuses the worker's read of the job's file rows (as a failed migration or a
		// fault of the fleet's would), on every attempt.
		await suite.db.query('alter function worker.worker_job_input_files(uuid) rename to worker_job_input_files_away');
		let job;
		try {
			const jobId = await submitWithFiles(user, [file]);
			job = await waitForStatus(suite.db, jobId, ['completed', 'failed'], 30_000);
			expect(await statusHistory(suite.db, jobId)).toEqual(['pending', 'queued', 'processing', 'retry', 'processing', 'retry', 'processing', 'failed']);
		} finally {
			await suite.db.query('alter function worker.worker_job_input_files_away(uuid) rename to worker_job_input_files');
		}
		expect(job.status).toBe('failed');
		const { rows: credits } = await suite.db.query('select credits_charged, credits_refunded from public.jobs where id = $1', [job.id]);
		expect(credits[0].credits_charged).toBeGreaterThan(0);
		expect(credits[0].credits_refunded).toBe(credits[0].credits_charged);
		expect(job.error_code).not.toBe('invalid_input');
		expect(job.error_message).toMatch(/reading the input files failed/);
		// The worker kept no slot for it: the next job with a file runs.
		const next = await submitWithFiles(user, [await upload(user, 'next.pdb', 'ATOM\n')]);
		expect((await waitForStatus(suite.db, next, ['completed', 'failed'], 30_000)).status).toBe('completed');
	}, 90_000);
});

describe('deleting jobs and teams', () => {
	it('removes every object of a deleted job through the Storage API, rows and bytes on disk, and keeps other jobs\' files', async () => {
		const user = await createUser(suite.db);
		const diskBefore = filesOnDisk();
		const kept = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0 }] });
		const doomed = await submitWithFiles(user, [await upload(user, 'in.pdb', 'ATOM\n')]);
		for (const id of [kept, doomed]) expect((await waitForStatus(suite.db, id, ['completed', 'failed'], 30_000)).status).toBe('completed');
		expect(await objectNames(`${user.teamId}/${doomed}/`)).toHaveLength(2);
		expect(await objectNames(`${user.teamId}/${kept}/`)).toHaveLength(1);
		// And an object no row names, as a worker that died between its upload and recording it leaves behind.
		expect((await bucket('service').upload(`${user.teamId}/${doomed}/output/stray.txt`, 'half-written')).error).toBeNull();
		expect(filesOnDisk()).toBe(diskBefore + 4);

		await asUser(suite.db, user, 'select public.delete_job($1)', [doomed]);
		await waitFor('the deleted job\'s objects to be removed', async () => (await objectNames(`${user.teamId}/${doomed}/`)).length === 0, 15_000);
		await waitFor('their bytes to leave the disk', async () => filesOnDisk() === diskBefore + 1, 15_000);
		expect(await objectNames(`${user.teamId}/`)).toEqual([`${user.teamId}/${kept}/output/steps.txt`]);
		await waitFor('the clean-up queue to empty', async () => (await suite.db.query('select 1 from private.storage_cleanup')).rowCount === 0, 15_000);
	}, 60_000);

	it('keeps an input a retry still uses until no job names it', async () => {
		const user = await createUser(suite.db);
		const first = await submitWithFiles(user, [await upload(user, 'in.pdb', 'ATOM 1\n')]);
		expect((await waitForStatus(suite.db, first, ['completed', 'failed'], 30_000)).status).toBe('completed');
		const [{ id: copy }] = await asUser<{ id: string }>(suite.db, user, 'select id from public.duplicate_job($1, $2, $3)', [first, 'copy', {}]);
		expect((await waitForStatus(suite.db, copy, ['completed', 'failed'], 30_000)).status).toBe('completed');
		await asUser(suite.db, user, 'select public.delete_job($1)', [first]);
		await waitFor('the first job\'s output to be removed', async () => (await objectNames(`${user.teamId}/${first}/output/`)).length === 0, 15_000);
		// The copy reads the same input object: it stays.
		const [input] = (await suite.db.query(`select storage_path from public.job_files where job_id = $1 and kind = 'input'`, [copy])).rows;
		expect(await objectNames(input.storage_path)).toEqual([input.storage_path]);
		await asUser(suite.db, user, 'select public.delete_job($1)', [copy]);
		await waitFor('every object of both jobs to be removed', async () => (await objectNames(`${user.teamId}/`)).length === 0, 15_000);
	}, 60_000);

	it('removes uploads never submitted once they expire, and no others', async () => {
		const user = await createUser(suite.db);
		const old = await upload(user, 'old.pdb', 'ATOM\n');
		const fresh = await upload(user, 'fresh.pdb', 'ATOM\n');
		await suite.db.query('update private.storage_settings set upload_ttl_seconds = 60');
		await suite.db.query(`update storage.objects set created_at = now() - interval '2 minutes' where name = $1`, [old.path]);
		await waitFor('the expired upload to be removed', async () => (await objectNames(old.path)).length === 0, 15_000);
		expect(await objectNames(`${user.teamId}/uploads/`)).toEqual([fresh.path]);
	}, 30_000);
});

describe('the team\'s storage quota', () => {
	it('counts objects and uploads, refuses uploads past the quota, and shows the use to members only', async () => {
		const user = await createUser(suite.db);
		const outsider = await createUser(suite.db);
		await upload(user, 'a.pdb', 'x'.repeat(1000));
		const use = async (who: TestUser) => (await asUser<{ use: Record<string, number> }>(suite.db, who, 'select public.team_storage_use($1) as use', [user.teamId]))[0].use;
		expect(await use(user)).toMatchObject({ used_bytes: 1000, upload_bytes: 1000, job_file_bytes: 0, objects: 1 });
		await expect(use(outsider)).rejects.toMatchObject({ code: '42501' });
		await suite.db.query(`insert into private.team_storage_quotas (team_id, quota_bytes, reason) values ($1, 1500, 'test')`, [user.teamId]);
		const over = await bucket(user).upload(`${user.teamId}/uploads/${user.id}/${randomUUID()}/b.pdb`, 'x'.repeat(1000));
		expect(over.error).not.toBeNull();
		expect((await bucket(user).upload(`${user.teamId}/uploads/${user.id}/${randomUUID()}/c.pdb`, 'x'.repeat(400))).error).toBeNull();
		expect(await use(user)).toMatchObject({ used_bytes: 1400, quota_bytes: 1500 });
	});

	it('holds against uploads that declare no length, and against many at once', async () => {
		const user = await createUser(suite.db);
		await suite.db.query(`insert into private.team_storage_quotas (team_id, quota_bytes, reason) values ($1, 1500, 'test')`, [user.teamId]);
		const key = () => `${user.teamId}/uploads/${user.id}/${randomUUID()}/a.pdb`;
		/** A chunked body: no Content-Length, so the upload policy sees nothing of its size. */
		const undeclared = (bytes: number) => {
			let sent = 0;
			return new ReadableStream<Uint8Array>({
				pull(controller) {
					if (sent >= bytes) return controller.close();
					sent += 100;
					controller.enqueue(new Uint8Array(100).fill(120));
				}
			});
		};
		expect((await bucket(user).upload(key(), undeclared(1000))).error).toBeNull();
		// 1,000 used of 1,500: another 1,000 of undeclared length is past the quota.
		const over = await bucket(user).upload(key(), undeclared(1000));
		expect(over.error).toMatchObject({ statusCode: '403', message: expect.stringContaining('storage quota') });
		// Ten uploads of 400 at once, each of which fits alone: one fits.
		const burst = await Promise.all(Array.from({ length: 10 }, () => bucket(user).upload(key(), 'x'.repeat(400))));
		expect(burst.filter((r) => r.error === null)).toHaveLength(1);
		const use = (await asUser<{ use: Record<string, number> }>(suite.db, user, 'select public.team_storage_use($1) as use', [user.teamId]))[0].use;
		expect(use).toMatchObject({ used_bytes: 1400, objects: 2 });

		// Two uploads recorded at the same moment (Storage writes each row once its bytes are in):
		// the second waits for the first and sees it, so 100 left fits one of two 100-byte uploads.
		const first = await suite.db.connect();
		const second = await suite.db.connect();
		const record = (client: typeof first) =>
			client.query(`insert into storage.objects (bucket_id, name, metadata) values ('job-files', $1, '{"size": 100, "mimetype": "chemical/x-pdb"}')`, [key()]);
		try {
			await first.query('begin');
			await record(first);
			const secondPid = (await second.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
			let settled = false;
			const secondWrite = record(second).then(
				() => ((settled = true), null),
				(error: { message: string }) => ((settled = true), error)
			);
			await waitFor('the second upload to wait for the first, or to be written', async () =>
				settled || (await suite.db.query(`select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [secondPid])).rowCount === 1
			);
			await first.query('commit');
			expect((await secondWrite)?.message).toMatch(/does not fit the team's storage quota/);
		} finally {
			first.release();
			second.release();
		}
	});
});

describe('file bytes still kept in the database (the bytea migration path)', () => {
	it('moves each to Storage at its job\'s folder, with its SHA-256, and empties the row', async () => {
		const user = await createUser(suite.db);
		const jobId = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0 }] });
		expect((await waitForStatus(suite.db, jobId, ['completed', 'failed'], 30_000)).status).toBe('completed');
		const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
		// As rows were written before the move to Storage (what a migrated database holds).
		const { rows: legacy } = await suite.db.query<{ id: string }>(
			`insert into public.job_files (job_id, kind, name, media_type, content) values
			   ($1, 'output', 'old result.csv', 'text/csv', convert_to('a,b', 'utf8')),
			   ($1, 'output', 'poses.bin', 'application/octet-stream', $2)
			 returning id`,
			[jobId, binary]
		);
		expect(await suite.db.query('select size_bytes::int from public.job_files where id = any($1) order by size_bytes', [legacy.map((r) => r.id)]).then((r) => r.rows)).toEqual([
			{ size_bytes: 3 },
			{ size_bytes: 70_000 }
		]);
		await suite.db.query(`notify foldwork_storage`);
		await waitFor('the rows\' bytes to move to Storage', async () => (await suite.db.query('select 1 from public.job_files where content is not null')).rowCount === 0, 30_000);
		const { rows } = await suite.db.query('select name, size_bytes::int, sha256, storage_path from public.job_files where id = any($1) order by name', [legacy.map((r) => r.id)]);
		expect(rows).toEqual([
			{ name: 'old result.csv', size_bytes: 3, sha256: sha256('a,b'), storage_path: expect.stringMatching(new RegExp(`^${user.teamId}/${jobId}/output/old_result-[0-9a-f]{8}\\.csv$`)) },
			{ name: 'poses.bin', size_bytes: 70_000, sha256: sha256(binary), storage_path: `${user.teamId}/${jobId}/output/poses.bin` }
		]);
		expect(await (await bucket(user).download(rows[0].storage_path)).data!.text()).toBe('a,b');
		expect(Buffer.from(await (await bucket(user).download(rows[1].storage_path)).data!.arrayBuffer()).equals(binary)).toBe(true);
	}, 60_000);
});
