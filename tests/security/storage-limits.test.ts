// Limits and races against the Storage service: a bucket's size and media
// type limits and the global size limit hold however the bytes arrive (a
// declared length, a chunked stream that lies by omission, a form, a
// resumable upload) and leave nothing behind; concurrent uploads of one
// path: without upsert exactly one wins, with upsert every reader gets one
// whole version, never a half-written one; signed-URL tokens work only for
// what they were issued for.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, statSync, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../supabase/local/jwt.ts';
import { adminPool, anonClient, serviceClient, stackInfo } from '../helpers/stack.ts';
import { bucketName, createBuckets, storageUrl } from '../helpers/storage.ts';
import { waitFor } from '../helpers/wait.ts';

const SMALL = bucketName('limit-small');
const TYPED = bucketName('limit-typed');
const RACE = bucketName('race');
let cleanup: () => Promise<void>;
let admin: pg.Pool;
const files = (bucket: string) => serviceClient().storage.from(bucket);
const serviceHeaders = () => ({ apikey: stackInfo().serviceRoleKey, Authorization: `Bearer ${stackInfo().serviceRoleKey}` });

beforeAll(async () => {
	admin = adminPool();
	cleanup = await createBuckets([
		{ id: SMALL, fileSizeLimit: 1024 },
		{ id: TYPED, allowedMimeTypes: ['image/png', 'text/*'] },
		{ id: RACE }
	]);
});

afterAll(async () => {
	await cleanup();
	await admin.end();
});

async function rows(bucket: string): Promise<string[]> {
	const { rows: r } = await admin.query('select name from storage.objects where bucket_id = $1 order by name', [bucket]);
	return r.map((x) => x.name);
}

/** Version files on disk that no row names (and that stay unnamed: an upload in flight elsewhere gets its row within moments). */
async function expectNoOrphans(before: Set<string>): Promise<void> {
	const objects = path.join(stackInfo().storageDir, 'objects');
	await waitFor('every new version file to belong to a row', async () => {
		const now = readdirSync(objects).flatMap((shard) => readdirSync(path.join(objects, shard)));
		const fresh = now.filter((f) => !before.has(f));
		if (fresh.length === 0) return true;
		const { rows: named } = await admin.query('select version from storage.objects where version = any($1::text[])', [fresh]);
		const known = new Set(named.map((r) => r.version));
		return fresh.every((f) => known.has(f) || !existsSync(path.join(objects, f.slice(0, 2), f)));
	}, 5000);
}

function versionFiles(): Set<string> {
	const objects = path.join(stackInfo().storageDir, 'objects');
	return new Set(readdirSync(objects).flatMap((shard) => readdirSync(path.join(objects, shard))));
}

describe('size limits', () => {
	it('takes exactly the limit and refuses one byte more, declared or not', async () => {
		expect((await files(SMALL).upload('exact.bin', Buffer.alloc(1024))).error).toBeNull();
		const declared = await files(SMALL).upload('over.bin', Buffer.alloc(1025));
		expect(declared.error).toMatchObject({ status: 400, statusCode: '413', message: 'The object exceeded the maximum allowed size' });
		const form = await files(SMALL).upload('over-form.bin', new Blob([Buffer.alloc(4096)]));
		expect(form.error).toMatchObject({ statusCode: '413' });
		// A chunked body has no Content-Length: the limit is enforced while it streams.
		let sent = 0;
		const endless = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (sent >= 64 * 1024) return controller.close();
				sent += 512;
				controller.enqueue(new Uint8Array(512));
			}
		});
		const streamed = await files(SMALL).upload('over-stream.bin', endless);
		expect(streamed.error).toMatchObject({ statusCode: '413' });
		expect(await rows(SMALL)).toEqual(['exact.bin']);
	});

	it('applies the global [storage] file_size_limit to buckets without their own, and to resumable uploads', async () => {
		const global = 50 * 1024 * 1024;
		// Declared too large: answered before the body is read (then the connection closes).
		const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
			const url = new URL(stackInfo().apiUrl);
			const req = http.request(
				{
					host: url.hostname, port: url.port, method: 'POST', path: `/storage/v1/object/${RACE}/too-big.bin`,
					headers: { ...serviceHeaders(), 'Content-Type': 'application/octet-stream', 'Content-Length': String(global + 1) }
				},
				(res) => {
					let body = '';
					res.on('data', (c: Buffer) => (body += c.toString()));
					res.on('end', () => resolve({ status: res.statusCode!, body }));
				}
			);
			req.on('error', reject);
			req.write(Buffer.alloc(64 * 1024));
		});
		expect([answer.status, JSON.parse(answer.body).statusCode]).toEqual([400, '413']);
		const tus = await fetch(storageUrl('/upload/resumable'), {
			method: 'POST',
			headers: {
				...serviceHeaders(),
				'Tus-Resumable': '1.0.0',
				'Upload-Length': String(global + 1),
				'Upload-Metadata': `bucketName ${Buffer.from(RACE).toString('base64')},objectName ${Buffer.from('huge.bin').toString('base64')}`
			}
		});
		expect((await tus.json()).statusCode).toBe('413');
		expect(await rows(RACE)).not.toContain('too-big.bin');
	});

	it('leaves no temporary file behind from refused uploads', async () => {
		const uploads = path.join(stackInfo().storageDir, 'uploads');
		await waitFor("temporary files of refused uploads to be removed", () =>
			readdirSync(uploads).every((f) => {
				try {
					return statSync(path.join(uploads, f)).size > 1024 * 1024; // others' large uploads in flight are not ours
				} catch {
					return true;
				}
			})
		);
	});
});

describe('media types', () => {
	it('takes listed types (type/* included) and refuses others, as sent raw or in a form', async () => {
		expect((await files(TYPED).upload('a.png', 'png', { contentType: 'image/png' })).error).toBeNull();
		expect((await files(TYPED).upload('a.csv', 'a,b', { contentType: 'text/csv' })).error).toBeNull();
		expect((await files(TYPED).upload('a.txt', 'x', { contentType: 'text/plain; charset=utf-8' })).error).toBeNull();
		const pdf = await files(TYPED).upload('a.pdf', '%PDF', { contentType: 'application/pdf' });
		expect(pdf.error).toMatchObject({ statusCode: '415', message: 'mime type application/pdf is not supported' });
		const form = await files(TYPED).upload('b.html', new Blob(['<b>'], { type: 'application/x-evil' }), { contentType: 'application/x-evil' });
		expect(form.error).toMatchObject({ statusCode: '415' });
		expect(await rows(TYPED)).toEqual(['a.csv', 'a.png', 'a.txt']);
	});
});

describe('concurrent uploads of one path', () => {
	it('without upsert, exactly one of many wins and its bytes are what is stored', async () => {
		const before = versionFiles();
		const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(200_000, i + 1));
		const results = await Promise.all(bodies.map((b) => files(RACE).upload('contested.bin', b)));
		const winners = results.map((r, i) => (r.error ? -1 : i)).filter((i) => i >= 0);
		expect(winners).toHaveLength(1);
		for (const r of results.filter((x) => x.error)) expect(r.error).toMatchObject({ statusCode: '409' });
		const stored = Buffer.from(await (await files(RACE).download('contested.bin')).data!.arrayBuffer());
		expect(stored.equals(bodies[winners[0]])).toBe(true);
		await expectNoOrphans(before);
	});

	it('with upsert, every upload succeeds, every read is one whole version, and replaced versions are removed', async () => {
		const before = versionFiles();
		const bodies = Array.from({ length: 8 }, (_, i) => randomBytes(300_000));
		const digests = new Set(bodies.map((b) => createHash('sha256').update(b).digest('hex')));
		await files(RACE).upload('hot.bin', bodies[0], { upsert: true });
		let reading = true;
		const reads: string[] = [];
		const reader = (async () => {
			while (reading) {
				const { data } = await files(RACE).download('hot.bin');
				reads.push(createHash('sha256').update(Buffer.from(await data!.arrayBuffer())).digest('hex'));
			}
		})();
		const results = await Promise.all(bodies.map((b) => files(RACE).upload('hot.bin', b, { upsert: true })));
		reading = false;
		await reader;
		expect(results.every((r) => r.error === null)).toBe(true);
		expect(reads.length).toBeGreaterThan(0);
		for (const digest of reads) expect(digests.has(digest)).toBe(true);
		await expectNoOrphans(before);
		const { rows: live } = await admin.query("select version from storage.objects where bucket_id = $1 and name = 'hot.bin'", [RACE]);
		const known = versionFiles();
		expect(known.has(live[0].version)).toBe(true);
	});

	it('never serves an upload that is still arriving: readers see the old version, or nothing for a new key', async () => {
		await files(RACE).upload('slow.txt', 'old version', { upsert: true });
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const FIRST = 777_777;
		let step = 0;
		const slow = new ReadableStream<Uint8Array>({
			async pull(controller) {
				if (step === 0) controller.enqueue(new Uint8Array(FIRST).fill(65));
				else if (step === 1) {
					await gate;
					controller.enqueue(new Uint8Array(10).fill(66));
				} else controller.close();
				step++;
			}
		});
		const fresh = new ReadableStream<Uint8Array>({
			async pull(controller) {
				if (step < 2) {
					await gate;
				}
				controller.close();
			}
		});
		const replacing = files(RACE).upload('slow.txt', slow, { upsert: true, contentType: 'text/plain' });
		const creating = files(RACE).upload('brand-new.txt', fresh);
		const uploads = path.join(stackInfo().storageDir, 'uploads');
		await waitFor('the first part of the slow upload on disk', () => readdirSync(uploads).some((f) => {
			try {
				return statSync(path.join(uploads, f)).size === FIRST;
			} catch {
				return false;
			}
		}));
		expect(await (await files(RACE).download('slow.txt')).data!.text()).toBe('old version');
		expect((await files(RACE).download('brand-new.txt')).error).not.toBeNull();
		expect((await files(RACE).list('', { search: 'brand-new' })).data).toEqual([]);
		release();
		expect((await replacing).error).toBeNull();
		expect((await creating).error).toBeNull();
		const now = Buffer.from(await (await files(RACE).download('slow.txt')).data!.arrayBuffer());
		expect(now.length).toBe(FIRST + 10);
	});
});

describe('signed URL tokens', () => {
	it('work only for the object, the scope and the time they were issued for', async () => {
		await files(RACE).upload('signed/a.txt', 'A');
		await files(RACE).upload('signed/b.txt', 'B');
		const { data } = await files(RACE).createSignedUrl('signed/a.txt', 60);
		const token = new URL(data!.signedUrl).searchParams.get('token')!;
		const get = (p: string, t: string) => fetch(storageUrl(`/object/sign/${RACE}/${p}?token=${t}`));
		expect(await (await get('signed/a.txt', token)).text()).toBe('A');
		// Another object with the same token: refused.
		expect((await (await get('signed/b.txt', token)).json()).statusCode).toBe('400');
		// A forged token (wrong secret), a user's access token, an upload token: refused.
		const forged = signJwt({ url: `${RACE}/signed/b.txt`, scope: 'download', exp: Math.floor(Date.now() / 1000) + 60 }, 'not-the-project-secret-not-the-project-secret');
		expect((await get('signed/b.txt', forged)).status).toBe(400);
		expect((await get('signed/b.txt', stackInfo().serviceRoleKey)).status).toBe(400);
		const upload = await files(RACE).createSignedUploadUrl('signed/c.txt');
		expect((await get('signed/c.txt', upload.data!.token)).status).toBe(400);
		// A download token cannot upload.
		expect((await anonClient().storage.from(RACE).uploadToSignedUrl('signed/a.txt', token, 'overwrite')).error).toMatchObject({ statusCode: '400' });
		expect(await (await files(RACE).download('signed/a.txt')).data!.text()).toBe('A');
		// Expired a minute ago.
		const old = signJwt({ url: `${RACE}/signed/a.txt`, scope: 'download', iat: 1, exp: Math.floor(Date.now() / 1000) - 60 }, stackInfo().jwtSecret);
		expect((await (await get('signed/a.txt', old)).json()).message).toBe('The provided token has expired.');
	});
});
