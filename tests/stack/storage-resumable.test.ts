// Resumable uploads (TUS at /storage/v1/upload/resumable) with tus-js-client,
// the client Supabase's docs use: a whole upload, one interrupted and
// resumed from where the server got to, a connection cut in the middle of
// a PATCH (what reached the server counts), and the protocol's refusals.
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, serviceClient, stackInfo } from '../helpers/stack.ts';
import { bucketName, createBuckets, ownFolderPolicies, testUser, type TestUser } from '../helpers/storage.ts';
import { waitFor } from '../helpers/wait.ts';
import type pg from 'pg';

const BUCKET = bucketName('tus');
const endpoint = () => `${stackInfo().apiUrl}/storage/v1/upload/resumable`;
let cleanup: () => Promise<void>;
let dropPolicies: () => Promise<void>;
let admin: pg.Pool;
let alice: TestUser;

beforeAll(async () => {
	admin = adminPool();
	cleanup = await createBuckets([{ id: BUCKET }]);
	dropPolicies = await ownFolderPolicies(admin, BUCKET);
	alice = testUser();
});

afterAll(async () => {
	await dropPolicies();
	await cleanup();
	await admin.end();
});

function metadata(objectName: string, extra: Record<string, string> = {}): Record<string, string> {
	return { bucketName: BUCKET, objectName, contentType: 'application/octet-stream', cacheControl: '3600', ...extra };
}

function upload(data: Buffer, options: Partial<tus.UploadOptions> & { token?: string }): tus.Upload {
	return new tus.Upload(data, {
		endpoint: endpoint(),
		headers: { authorization: `Bearer ${options.token ?? alice.token}`, apikey: stackInfo().anonKey, ...options.headers },
		chunkSize: 1024 * 1024,
		retryDelays: [],
		removeFingerprintOnSuccess: true,
		...options
	});
}

function run(u: tus.Upload): Promise<void> {
	return new Promise((resolve, reject) => {
		const original = u.options;
		u.options = { ...original, onSuccess: (p) => { original.onSuccess?.(p); resolve(); }, onError: reject };
		u.start();
	});
}

async function download(path: string): Promise<Buffer> {
	const { data, error } = await alice.client.storage.from(BUCKET).download(path);
	if (error) throw error;
	return Buffer.from(await data!.arrayBuffer());
}

describe('resumable uploads', () => {
	it('uploads a file in chunks and makes it an object like any upload', async () => {
		const data = randomBytes(3 * 1024 * 1024 + 123);
		const path = `${alice.id}/whole.bin`;
		await run(upload(data, { metadata: metadata(path, { contentType: 'chemical/x-pdb', metadata: JSON.stringify({ stage: 'input' }) }) }));
		expect((await download(path)).equals(data)).toBe(true);
		const info = (await alice.client.storage.from(BUCKET).info(path)).data!;
		expect(info).toMatchObject({ size: data.length, contentType: 'chemical/x-pdb', cacheControl: 'max-age=3600', metadata: { stage: 'input' } });
		expect(info.etag).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
	});

	it('resumes an interrupted upload from the offset the server has', async () => {
		const data = randomBytes(5 * 1024 * 1024);
		const path = `${alice.id}/interrupted.bin`;
		let url = '';
		const first = upload(data, { metadata: metadata(path) });
		await new Promise<void>((resolve, reject) => {
			first.options.onError = reject;
			first.options.onChunkComplete = (_size, accepted) => {
				if (accepted >= 2 * 1024 * 1024) {
					url = first.url!;
					void first.abort().then(resolve, reject);
				}
			};
			first.start();
		});
		expect((await alice.client.storage.from(BUCKET).exists(path)).data).toBe(false);

		const offsets: number[] = [];
		const second = upload(data, { uploadUrl: url, metadata: metadata(path), onChunkComplete: (_s, accepted) => offsets.push(accepted) });
		await run(second);
		// The second client asked the server (HEAD) and sent only what was missing.
		expect(offsets[0]).toBeGreaterThan(2 * 1024 * 1024);
		expect(offsets.at(-1)).toBe(data.length);
		expect((await download(path)).equals(data)).toBe(true);
	});

	it('keeps the bytes of a PATCH whose connection broke, and takes the rest from there', async () => {
		const data = randomBytes(2 * 1024 * 1024);
		const path = `${alice.id}/cut.bin`;
		const created = await fetch(endpoint(), {
			method: 'POST',
			headers: tusHeaders({ 'Upload-Length': String(data.length), 'Upload-Metadata': encodeMetadata(metadata(path)) })
		});
		expect(created.status).toBe(201);
		const location = created.headers.get('location')!;
		expect(location).toMatch(new RegExp(`^${endpoint()}/[0-9a-f]{32}$`));

		// Send the first megabyte of a PATCH that announces two, wait until the
		// server has it on disk, then cut the connection.
		const part = join(stackInfo().storageDir, 'resumable', location.split('/').at(-1)!);
		await new Promise<void>((resolve, reject) => {
			const url = new URL(location);
			const req = http.request({
				host: url.hostname, port: url.port, path: url.pathname, method: 'PATCH',
				headers: { ...tusHeaders({ 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }), 'Content-Length': String(data.length) }
			});
			req.on('error', () => {});
			req.write(data.subarray(0, 1024 * 1024));
			waitFor('the first megabyte on disk', () => statSync(part).size === 1024 * 1024).then(() => {
				req.destroy();
				resolve();
			}, reject);
		});
		// Resuming asks where the upload stands: exactly what reached the disk.
		const head = await fetch(location, { method: 'HEAD', headers: tusHeaders() });
		const offset = Number(head.headers.get('upload-offset'));
		expect(offset).toBe(1024 * 1024);
		const rest = await fetch(location, {
			method: 'PATCH',
			headers: tusHeaders({ 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' }),
			body: data.subarray(offset)
		});
		expect(rest.status).toBe(204);
		expect(rest.headers.get('upload-offset')).toBe(String(data.length));
		expect((await download(path)).equals(data)).toBe(true);
	});

	it('refuses a wrong offset, a wrong content type, too many bytes, and someone else continuing the upload', async () => {
		const path = `${alice.id}/strict.bin`;
		const created = await fetch(endpoint(), { method: 'POST', headers: tusHeaders({ 'Upload-Length': '10', 'Upload-Metadata': encodeMetadata(metadata(path)) }) });
		const location = created.headers.get('location')!;
		const patch = (headers: Record<string, string>, body: string, token?: string) =>
			fetch(location, { method: 'PATCH', headers: tusHeaders({ 'Content-Type': 'application/offset+octet-stream', ...headers }, token), body });
		expect(await statusAndCode(await patch({ 'Upload-Offset': '3' }, 'abc'))).toEqual([400, '409']);
		expect(await statusAndCode(await patch({ 'Upload-Offset': '0', 'Content-Type': 'text/plain' }, 'abc'))).toEqual([400, '415']);
		expect(await statusAndCode(await patch({ 'Upload-Offset': '0' }, 'abcdefghijkl'))).toEqual([400, '413']);
		const bob = testUser();
		expect(await statusAndCode(await patch({ 'Upload-Offset': '0' }, 'abc', bob.token))).toEqual([400, '404']);
		expect((await fetch(location, { method: 'HEAD', headers: tusHeaders({}, bob.token) })).status).toBe(400);
		// An upload made with the service key (a token without sub) is not the anon key's to continue either.
		const made = await fetch(endpoint(), {
			method: 'POST',
			headers: tusHeaders({ 'Upload-Length': '3', 'Upload-Metadata': encodeMetadata(metadata(`${alice.id}/by-service.bin`)) }, stackInfo().serviceRoleKey)
		});
		const byAnon = await fetch(made.headers.get('location')!, {
			method: 'PATCH',
			headers: tusHeaders({ 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, stackInfo().anonKey),
			body: 'abc'
		});
		expect(await statusAndCode(byAnon)).toEqual([400, '404']);
		// Terminated: gone for good.
		expect((await fetch(location, { method: 'DELETE', headers: tusHeaders() })).status).toBe(204);
		expect((await fetch(location, { method: 'HEAD', headers: tusHeaders() })).status).toBe(404);
	});

	it('checks RLS and limits when the upload is created', async () => {
		const bob = testUser();
		const intoAlice = await fetch(endpoint(), {
			method: 'POST',
			headers: tusHeaders({ 'Upload-Length': '10', 'Upload-Metadata': encodeMetadata(metadata(`${alice.id}/by-bob.bin`)) }, bob.token)
		});
		expect(await statusAndCode(intoAlice)).toEqual([400, '403']);
		const tooBig = await fetch(endpoint(), {
			method: 'POST',
			headers: tusHeaders({ 'Upload-Length': String(51 * 1024 * 1024), 'Upload-Metadata': encodeMetadata(metadata(`${alice.id}/huge.bin`)) })
		});
		expect(await statusAndCode(tooBig)).toEqual([400, '413']);
	});

	it('accepts a signed upload token (x-signature at /upload/resumable/sign)', async () => {
		const path = `${alice.id}/signed.bin`;
		const { data: signed } = await alice.client.storage.from(BUCKET).createSignedUploadUrl(path);
		const data = randomBytes(100_000);
		await run(
			new tus.Upload(data, {
				endpoint: `${endpoint()}/sign`,
				headers: { 'x-signature': signed!.token },
				metadata: metadata(path),
				retryDelays: [],
				chunkSize: 40_000
			})
		);
		expect((await download(path)).equals(data)).toBe(true);
		expect((await serviceClient().storage.from(BUCKET).info(path)).data).toMatchObject({ size: 100_000 });
	});
});

function tusHeaders(extra: Record<string, string> = {}, token = alice.token): Record<string, string> {
	return { 'Tus-Resumable': '1.0.0', apikey: stackInfo().anonKey, Authorization: `Bearer ${token}`, ...extra };
}

function encodeMetadata(meta: Record<string, string>): string {
	return Object.entries(meta).map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(',');
}

async function statusAndCode(res: Response): Promise<[number, string]> {
	return [res.status, ((await res.json()) as { statusCode: string }).statusCode];
}
