// The Storage API with the real supabase-js against the local Storage
// service: every object operation the app relies on, with the shapes,
// headers and status codes hosted Supabase Storage answers with.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonClient, serviceClient } from '../helpers/stack.ts';
import { bucketName, createBuckets, rawRequest, storageUrl } from '../helpers/storage.ts';

const PRIVATE = bucketName('objects');
const PUBLIC = bucketName('objects-pub');
const storage = () => serviceClient().storage;
let cleanup: () => Promise<void>;

beforeAll(async () => {
	cleanup = await createBuckets([{ id: PRIVATE }, { id: PUBLIC, public: true }]);
});

afterAll(async () => {
	await cleanup();
});

const md5 = (data: Buffer | string) => `"${createHash('md5').update(data).digest('hex')}"`;

describe('upload', () => {
	it('stores a raw body with its content type and cache control, and refuses an existing key without x-upsert', async () => {
		const bucket = storage().from(PRIVATE);
		const { data, error } = await bucket.upload('docs/readme.txt', 'first version', { contentType: 'text/markdown', cacheControl: '120' });
		expect(error).toBeNull();
		expect(data).toMatchObject({ path: 'docs/readme.txt', fullPath: `${PRIVATE}/docs/readme.txt` });
		expect(data!.id).toMatch(/^[0-9a-f-]{36}$/);

		const again = await bucket.upload('docs/readme.txt', 'second version');
		expect(again.error).toMatchObject({ status: 400, statusCode: '409', message: 'The resource already exists' });

		const info = await bucket.info('docs/readme.txt');
		expect(info.data).toMatchObject({ name: 'docs/readme.txt', bucketId: PRIVATE, size: 13, contentType: 'text/markdown', cacheControl: 'max-age=120', etag: md5('first version') });
	});

	it('replaces with x-upsert and with update (PUT), and keeps user metadata', async () => {
		const bucket = storage().from(PRIVATE);
		await bucket.upload('docs/notes.txt', 'v1');
		expect((await bucket.upload('docs/notes.txt', 'v2 by upsert', { upsert: true, metadata: { step: 2 } })).error).toBeNull();
		expect(await (await bucket.download('docs/notes.txt')).data!.text()).toBe('v2 by upsert');
		expect((await bucket.update('docs/notes.txt', 'v3 by update')).error).toBeNull();
		expect(await (await bucket.download('docs/notes.txt')).data!.text()).toBe('v3 by update');
		// PUT creates what does not exist yet, as Storage's update does.
		expect((await bucket.update('docs/new-by-update.txt', 'created')).error).toBeNull();

		await bucket.upload('docs/meta.txt', 'with metadata', { metadata: { sample: 'S-17', replicate: 3 } });
		expect((await bucket.info('docs/meta.txt')).data!.metadata).toEqual({ sample: 'S-17', replicate: 3 });
	});

	it('takes a Blob as multipart form data (what browsers send) and a stream', async () => {
		const bucket = storage().from(PRIVATE);
		const bytes = Buffer.alloc(300_000, 7);
		bytes.write('ATOM      1  N   MET A   1', 0);
		const blob = new Blob([bytes], { type: 'chemical/x-pdb' });
		const { error } = await bucket.upload('structures/1abc.pdb', blob, { contentType: 'chemical/x-pdb', metadata: { source: 'blob' } });
		expect(error).toBeNull();
		const info = (await bucket.info('structures/1abc.pdb')).data!;
		expect(info).toMatchObject({ size: 300_000, contentType: 'chemical/x-pdb', cacheControl: 'max-age=3600', etag: md5(bytes), metadata: { source: 'blob' } });
		expect(Buffer.from(await (await bucket.download('structures/1abc.pdb')).data!.arrayBuffer()).equals(bytes)).toBe(true);

		const chunks = [Buffer.from('>seq1\n'), Buffer.from('MKTAYIAK\n')];
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				const next = chunks.shift();
				if (next) controller.enqueue(next);
				else controller.close();
			}
		});
		expect((await bucket.upload('seqs/streamed.fasta', stream, { contentType: 'text/x-fasta' })).error).toBeNull();
		expect(await (await bucket.download('seqs/streamed.fasta')).data!.text()).toBe('>seq1\nMKTAYIAK\n');
	});

	it('answers 404 NoSuchBucket for a bucket that does not exist', async () => {
		const { error } = await storage().from('no-such-bucket-here').upload('x.txt', 'x');
		expect(error).toMatchObject({ status: 400, statusCode: '404', message: 'Bucket not found' });
	});
});

describe('download', () => {
	it('serves the bytes with headers, honours Range, If-None-Match and ?download', async () => {
		const bucket = storage().from(PRIVATE);
		const text = '0123456789abcdefghij';
		await bucket.upload('ranges/data.txt', text, { contentType: 'text/plain', cacheControl: '60' });
		const headers = { apikey: serviceKey(), Authorization: `Bearer ${serviceKey()}` };
		const full = await fetch(storageUrl(`/object/${PRIVATE}/ranges/data.txt`), { headers });
		expect(full.status).toBe(200);
		expect(full.headers.get('content-type')).toBe('text/plain');
		expect(full.headers.get('content-length')).toBe('20');
		expect(full.headers.get('accept-ranges')).toBe('bytes');
		expect(full.headers.get('cache-control')).toBe('max-age=60');
		expect(full.headers.get('etag')).toBe(md5(text));
		expect(await full.text()).toBe(text);

		const part = await fetch(storageUrl(`/object/${PRIVATE}/ranges/data.txt`), { headers: { ...headers, Range: 'bytes=5-9' } });
		expect(part.status).toBe(206);
		expect(part.headers.get('content-range')).toBe('bytes 5-9/20');
		expect(await part.text()).toBe('56789');
		const tail = await fetch(storageUrl(`/object/${PRIVATE}/ranges/data.txt`), { headers: { ...headers, Range: 'bytes=-4' } });
		expect(await tail.text()).toBe('ghij');
		const open = await fetch(storageUrl(`/object/${PRIVATE}/ranges/data.txt`), { headers: { ...headers, Range: 'bytes=15-' } });
		expect([open.status, await open.text()]).toEqual([206, 'fghij']);
		const past = await fetch(storageUrl(`/object/${PRIVATE}/ranges/data.txt`), { headers: { ...headers, Range: 'bytes=20-30' } });
		expect(past.status).toBe(416);
		expect(await past.json()).toMatchObject({ statusCode: '416', error: 'invalid_range' });

		const cached = await fetch(storageUrl(`/object/${PRIVATE}/ranges/data.txt`), { headers: { ...headers, 'If-None-Match': md5(text) } });
		expect(cached.status).toBe(304);

		const attachment = await fetch(storageUrl(`/object/${PRIVATE}/ranges/data.txt?download=results%20table.txt`), { headers });
		expect(attachment.headers.get('content-disposition')).toBe("attachment; filename=results%20table.txt; filename*=UTF-8''results%20table.txt");
		const head = await fetch(storageUrl(`/object/${PRIVATE}/ranges/data.txt`), { method: 'HEAD', headers });
		expect([head.status, head.headers.get('content-length')]).toEqual([200, '20']);
	});

	it('serves public buckets by public URL to anyone, and never private ones', async () => {
		await storage().from(PUBLIC).upload('logo.svg', '<svg/>', { contentType: 'image/svg+xml' });
		await storage().from(PRIVATE).upload('secret.txt', 'private');
		const url = anonClient().storage.from(PUBLIC).getPublicUrl('logo.svg').data.publicUrl;
		const res = await fetch(url); // no API key, no token: as an <img> would
		expect([res.status, await res.text(), res.headers.get('content-type')]).toEqual([200, '<svg/>', 'image/svg+xml']);
		const withDownload = await fetch(anonClient().storage.from(PUBLIC).getPublicUrl('logo.svg', { download: true }).data.publicUrl);
		expect(withDownload.headers.get('content-disposition')).toBe('attachment;');

		const refused = await fetch(anonClient().storage.from(PRIVATE).getPublicUrl('secret.txt').data.publicUrl);
		expect(refused.status).toBe(400);
		expect(await refused.json()).toMatchObject({ statusCode: '404', error: 'Bucket not found' });
		// An anonymous client downloads from the public bucket through the authenticated route too.
		expect(await (await anonClient().storage.from(PUBLIC).download('logo.svg')).data!.text()).toBe('<svg/>');
	});

	it('answers NoSuchKey for a missing object, and exists() tells', async () => {
		const bucket = storage().from(PRIVATE);
		const missing = await bucket.download('nothing/here.txt');
		expect(missing.error).toMatchObject({ status: 400 });
		await bucket.upload('exists/yes.txt', 'y');
		expect((await bucket.exists('exists/yes.txt')).data).toBe(true);
		expect((await bucket.exists('exists/no.txt')).data).toBe(false);
		expect((await bucket.info('exists/no.txt')).error).toMatchObject({ statusCode: '404', message: 'Object not found' });
	});
});

describe('list', () => {
	it('lists the direct children of a prefix: folders and files, sorted, paged and searched', async () => {
		const bucket = storage().from(PRIVATE);
		for (const name of ['lib/b.txt', 'lib/a.txt', 'lib/C.txt', 'lib/sub/deep.txt', 'lib/sub2/x/y.txt', 'library.txt']) {
			await bucket.upload(name, name);
		}
		const names = async (prefix: string, options = {}) => (await bucket.list(prefix, options)).data!.map((f) => f.name);
		expect(await names('lib')).toEqual(['C.txt', 'a.txt', 'b.txt', 'sub', 'sub2']);
		expect(await names('lib/')).toEqual(['C.txt', 'a.txt', 'b.txt', 'sub', 'sub2']);
		expect(await names('lib', { limit: 2, offset: 1 })).toEqual(['a.txt', 'b.txt']);
		expect(await names('lib', { sortBy: { column: 'name', order: 'desc' } })).toEqual(['sub2', 'sub', 'b.txt', 'a.txt', 'C.txt']);
		expect(await names('lib', { search: 'SUB' })).toEqual(['sub', 'sub2']);
		expect(await names('LIB')).toEqual(['C.txt', 'a.txt', 'b.txt', 'sub', 'sub2']);
		expect(await names('lib/sub2')).toEqual(['x']);

		const listed = (await bucket.list('lib')).data!;
		const folder = listed.find((f) => f.name === 'sub')!;
		expect(folder).toEqual({ name: 'sub', id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null });
		const file = listed.find((f) => f.name === 'a.txt')!;
		expect(file.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(file.metadata).toMatchObject({ size: 9, mimetype: 'text/plain;charset=UTF-8' });

		// Sorted by a timestamp, folders come first; files by that column.
		await bucket.update('lib/a.txt', 'touched last');
		const byUpdate = await names('lib', { sortBy: { column: 'updated_at', order: 'desc' } });
		expect(byUpdate.slice(0, 2).sort()).toEqual(['sub', 'sub2']);
		expect(byUpdate[2]).toBe('a.txt');
	});

	it('treats LIKE wildcards in the prefix and search as plain characters', async () => {
		const bucket = storage().from(PRIVATE);
		await bucket.upload('pct_dir/one.txt', '1');
		await bucket.upload('pctXdir/two.txt', '2');
		expect((await bucket.list('pct_dir')).data!.map((f) => f.name)).toEqual(['one.txt']);
		expect((await bucket.list('', { search: 'pct_' })).data!.map((f) => f.name)).toEqual(['pct_dir']);
	});
});

describe('move, copy, remove', () => {
	it('moves an object (the old key is gone, the bytes and id follow) and refuses an occupied destination', async () => {
		const bucket = storage().from(PRIVATE);
		const { data } = await bucket.upload('move/from.txt', 'moving bytes');
		const moved = await bucket.move('move/from.txt', 'move/to.txt');
		expect(moved.data).toMatchObject({ message: 'Successfully moved' });
		expect((await bucket.exists('move/from.txt')).data).toBe(false);
		expect((await bucket.info('move/to.txt')).data!.id).toBe(data!.id);
		expect(await (await bucket.download('move/to.txt')).data!.text()).toBe('moving bytes');

		await bucket.upload('move/occupied.txt', 'here first');
		expect((await bucket.move('move/to.txt', 'move/occupied.txt')).error).toMatchObject({ statusCode: '409' });
		expect((await bucket.move('move/absent.txt', 'move/x.txt')).error).toMatchObject({ statusCode: '404' });
		// Across buckets.
		expect((await bucket.move('move/to.txt', 'moved-in.txt', { destinationBucket: PUBLIC })).error).toBeNull();
		expect(await (await storage().from(PUBLIC).download('moved-in.txt')).data!.text()).toBe('moving bytes');
	});

	it('copies an object to a new one that lives on after the original is removed', async () => {
		const bucket = storage().from(PRIVATE);
		await bucket.upload('copy/src.txt', 'original', { contentType: 'text/csv', metadata: { kind: 'table' } });
		const copied = await bucket.copy('copy/src.txt', 'copy/dst.txt');
		expect(copied.data).toEqual({ path: `${PRIVATE}/copy/dst.txt` });
		expect((await bucket.copy('copy/src.txt', 'copy/dst.txt')).error).toMatchObject({ statusCode: '409' });
		await bucket.remove(['copy/src.txt']);
		const info = (await bucket.info('copy/dst.txt')).data!;
		expect(info).toMatchObject({ contentType: 'text/csv', metadata: { kind: 'table' }, etag: md5('original') });
		expect(await (await bucket.download('copy/dst.txt')).data!.text()).toBe('original');
	});

	it('removes several objects at once and answers with what it removed', async () => {
		const bucket = storage().from(PRIVATE);
		await bucket.upload('rm/a.txt', 'a');
		await bucket.upload('rm/b.txt', 'b');
		const { data, error } = await bucket.remove(['rm/a.txt', 'rm/b.txt', 'rm/never-existed.txt']);
		expect(error).toBeNull();
		expect(data!.map((f) => f.name).sort()).toEqual(['rm/a.txt', 'rm/b.txt']);
		expect((await bucket.list('rm')).data).toEqual([]);
		expect((await bucket.download('rm/a.txt')).error).not.toBeNull();
	});
});

describe('signed URLs', () => {
	it('createSignedUrl gives a URL anyone can read until it expires, with the download option', async () => {
		const bucket = storage().from(PRIVATE);
		await bucket.upload('signed/report.csv', 'a,b\n1,2\n', { contentType: 'text/csv' });
		const { data } = await bucket.createSignedUrl('signed/report.csv', 60);
		const res = await fetch(data!.signedUrl); // no API key, no token
		expect([res.status, await res.text()]).toEqual([200, 'a,b\n1,2\n']);
		const ranged = await fetch(data!.signedUrl, { headers: { Range: 'bytes=0-2' } });
		expect([ranged.status, await ranged.text()]).toEqual([206, 'a,b']);

		const named = await bucket.createSignedUrl('signed/report.csv', 60, { download: 'report.csv' });
		expect((await fetch(named.data!.signedUrl)).headers.get('content-disposition')).toContain('attachment; filename=report.csv');
		const plain = await bucket.createSignedUrl('signed/report.csv', 60, { download: true });
		expect((await fetch(plain.data!.signedUrl)).headers.get('content-disposition')).toBe('attachment;');

		const expired = await bucket.createSignedUrl('signed/report.csv', 1);
		const token = new URL(expired.data!.signedUrl).searchParams.get('token')!;
		const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp as number;
		expect(exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(1);
		// Wait (on the clock, not a sleep) until the token's second has passed.
		await new Promise<void>((resolve) => {
			const tick = () => (Date.now() / 1000 >= exp + 0.05 ? resolve() : setTimeout(tick, 50));
			tick();
		});
		const late = await fetch(expired.data!.signedUrl);
		expect(late.status).toBe(400);
		expect(await late.json()).toMatchObject({ statusCode: '400', message: 'The provided token has expired.' });
	});

	it('createSignedUrls signs what exists and says which do not', async () => {
		const bucket = storage().from(PRIVATE);
		await bucket.upload('many/1.txt', 'one');
		await bucket.upload('many/2.txt', 'two');
		const { data } = await bucket.createSignedUrls(['many/1.txt', 'many/missing.txt', 'many/2.txt'], 60);
		expect(data!.map((d) => [d.path, d.error])).toEqual([
			['many/1.txt', null],
			['many/missing.txt', 'Either the object does not exist or you do not have access to it'],
			['many/2.txt', null]
		]);
		expect(await (await fetch(data![2].signedUrl!)).text()).toBe('two');
		expect(data![1].signedUrl).toBeNull();
	});

	it('createSignedUploadUrl lets whoever holds it upload once, and the object is then like any other', async () => {
		const bucket = storage().from(PRIVATE);
		const { data } = await bucket.createSignedUploadUrl('signed-up/input.fasta');
		const anonBucket = anonClient().storage.from(PRIVATE);
		const up = await anonBucket.uploadToSignedUrl('signed-up/input.fasta', data!.token, '>x\nMK\n', { contentType: 'text/x-fasta' });
		expect(up.error).toBeNull();
		expect(up.data).toMatchObject({ path: 'signed-up/input.fasta', fullPath: `${PRIVATE}/signed-up/input.fasta` });
		expect((await bucket.info('signed-up/input.fasta')).data).toMatchObject({ contentType: 'text/x-fasta', size: 6 });
		// Without upsert in the token, a second upload is refused.
		expect((await anonBucket.uploadToSignedUrl('signed-up/input.fasta', data!.token, 'again')).error).toMatchObject({ statusCode: '409' });
		const upsert = await bucket.createSignedUploadUrl('signed-up/input.fasta', { upsert: true });
		expect((await anonBucket.uploadToSignedUrl('signed-up/input.fasta', upsert.data!.token, 'replaced')).error).toBeNull();
		expect(await (await bucket.download('signed-up/input.fasta')).data!.text()).toBe('replaced');
		// The token names one object: it cannot upload anywhere else.
		expect((await anonBucket.uploadToSignedUrl('signed-up/other.fasta', data!.token, 'x')).error).toMatchObject({ statusCode: '400' });
	});
});

describe('errors', () => {
	it('answers Storage error bodies with HTTP 400 for logical 4xx', async () => {
		const res = await rawRequest('GET', `/storage/v1/object/info/${PRIVATE}/nope.txt`, { headers: { Authorization: `Bearer ${serviceKey()}` } });
		expect(res.status).toBe(400);
		expect(JSON.parse(res.body.toString())).toEqual({ statusCode: '404', code: 'NoSuchKey', error: 'not_found', message: 'Object not found' });
		const bad = await rawRequest('POST', `/storage/v1/object/list/${PRIVATE}`, { headers: { Authorization: 'Bearer not-a-jwt', 'Content-Type': 'application/json' }, body: '{}' });
		expect(bad.status).toBe(400);
		expect(JSON.parse(bad.body.toString())).toMatchObject({ statusCode: '403', error: 'Unauthorized', message: 'jwt malformed' });
		// Reading a private bucket with a bad token is reading it anonymously: the bucket is not there.
		const anonymous = await rawRequest('GET', `/storage/v1/object/info/${PRIVATE}/x.txt`, { headers: { Authorization: 'Bearer not-a-jwt' } });
		expect(JSON.parse(anonymous.body.toString())).toMatchObject({ statusCode: '404', error: 'Bucket not found' });
	});
});

function serviceKey(): string {
	return (serviceClient() as unknown as { supabaseKey: string }).supabaseKey;
}
