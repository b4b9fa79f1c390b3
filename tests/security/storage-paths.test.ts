// Path traversal against the Storage service, from an attacker's own HTTP
// client (paths sent byte for byte, not tidied by fetch): "../", its
// percent-encoded and double-encoded forms, absolute paths, NUL bytes and
// backslashes, in every place a key or bucket name is taken (URL paths,
// move/copy bodies, TUS metadata, signed upload URLs). Each is refused, and
// nothing outside the storage folder is written or read.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceClient, stackInfo } from '../helpers/stack.ts';
import { bucketName, createBuckets, rawRequest, type RawResponse } from '../helpers/storage.ts';

const BUCKET = bucketName('paths');
const SECRET = 'top-secret-outside-storage';
let cleanup: () => Promise<void>;
let outside: string;
const service = () => stackInfo().serviceRoleKey;

beforeAll(async () => {
	cleanup = await createBuckets([{ id: BUCKET }]);
	// A file next to the storage folder that a traversal would reach.
	outside = path.join(path.dirname(stackInfo().storageDir), `outside-${BUCKET}`);
	mkdirSync(outside, { recursive: true });
	writeFileSync(path.join(outside, 'secret.txt'), SECRET);
});

afterAll(async () => {
	rmSync(outside, { recursive: true, force: true });
	await cleanup();
});

const auth = () => ({ Authorization: `Bearer ${service()}`, apikey: service() });

function expectRefused(res: RawResponse): void {
	expect(res.status, `${res.status} ${res.body.toString()}`).toBeGreaterThanOrEqual(400);
	expect(res.body.toString()).not.toContain(SECRET);
	expect(res.body.toString()).not.toContain('root:');
}

/** Everything under the storage folder must be the service's own layout. */
function storageTreeIsClean(): void {
	const dir = stackInfo().storageDir;
	expect(readdirSync(dir).sort()).toEqual(['objects', 'resumable', 'uploads']);
	for (const shard of readdirSync(path.join(dir, 'objects'))) {
		expect(shard).toMatch(/^[0-9a-f]{2}$/);
		for (const file of readdirSync(path.join(dir, 'objects', shard))) expect(file).toMatch(/^[0-9a-f-]{36}$/);
	}
}

// Keys an attacker might send in a URL, as raw path text after /object/<bucket>/.
const BAD_KEYS = [
	'../../outside/secret.txt',
	'a/../../../secret.txt',
	'..%2F..%2Foutside%2Fsecret.txt',
	'%2e%2e%2f%2e%2e%2fsecret.txt',
	'%2E%2E/%2E%2E/secret.txt',
	'..%252F..%252Fsecret.txt',
	'%252e%252e%252fsecret.txt',
	'%2Fetc%2Fpasswd',
	'/etc/passwd',
	'//etc/passwd',
	'a%00.txt',
	'a%00/../../secret.txt',
	'..%5C..%5Csecret.txt',
	'a%5Cb.txt',
	'.',
	'..',
	'%C0%AE%C0%AE%2Fsecret.txt',
	'%E2%80%AE.txt'
];

describe('keys in URLs', () => {
	for (const key of BAD_KEYS) {
		it(`refuses "${key}" for upload, download, info, signing and delete`, async () => {
			const p = `/storage/v1/object/${BUCKET}/${key}`;
			expectRefused(await rawRequest('POST', p, { headers: { ...auth(), 'Content-Type': 'text/plain' }, body: 'planted' }));
			expectRefused(await rawRequest('PUT', p, { headers: { ...auth(), 'Content-Type': 'text/plain' }, body: 'planted' }));
			expectRefused(await rawRequest('GET', p, { headers: auth() }));
			expectRefused(await rawRequest('GET', `/storage/v1/object/info/${BUCKET}/${key}`, { headers: auth() }));
			expectRefused(await rawRequest('GET', `/storage/v1/object/public/${BUCKET}/${key}`));
			expectRefused(await rawRequest('POST', `/storage/v1/object/sign/${BUCKET}/${key}`, { headers: { ...auth(), 'Content-Type': 'application/json' }, body: '{"expiresIn":60}' }));
			expectRefused(await rawRequest('POST', `/storage/v1/object/upload/sign/${BUCKET}/${key}`, { headers: { ...auth(), 'Content-Type': 'application/json' }, body: '{}' }));
			expectRefused(await rawRequest('DELETE', p, { headers: auth() }));
		});
	}

	it('refuses traversal in the bucket part', async () => {
		for (const bucket of ['..', '%2e%2e', '..%2F..', 'a%00b', 'a%5Cb']) {
			expectRefused(await rawRequest('POST', `/storage/v1/object/${bucket}/x.txt`, { headers: { ...auth(), 'Content-Type': 'text/plain' }, body: 'planted' }));
			expectRefused(await rawRequest('POST', '/storage/v1/bucket', { headers: { ...auth(), 'Content-Type': 'application/json' }, body: JSON.stringify({ name: decodeURIComponent(bucket.replace('%00', '')) + (bucket.includes('%00') ? '\u0000' : '') }) }));
		}
	});
});

describe('keys in bodies and metadata', () => {
	it('refuses them as move and copy destinations and sources', async () => {
		const files = serviceClient().storage.from(BUCKET);
		await files.upload('safe/source.txt', 'safe');
		for (const bad of ['../escape.txt', '../../outside/secret.txt', '/etc/passwd', 'a\u0000b', 'a\\..\\b', './x', 'a//b']) {
			expect((await files.move('safe/source.txt', bad)).error, bad).toMatchObject({ statusCode: '400' });
			expect((await files.copy('safe/source.txt', bad)).error, bad).toMatchObject({ statusCode: '400' });
			expect((await files.copy(bad, 'safe/copy.txt')).error, bad).toMatchObject({ statusCode: '400' });
		}
		expect(await (await files.download('safe/source.txt')).data!.text()).toBe('safe');
	});

	it('refuses them in resumable-upload metadata', async () => {
		for (const bad of ['../escape.bin', '/abs.bin', 'a\u0000b', 'a\\b']) {
			const meta = `bucketName ${Buffer.from(BUCKET).toString('base64')},objectName ${Buffer.from(bad).toString('base64')}`;
			const res = await rawRequest('POST', '/storage/v1/upload/resumable', { headers: { ...auth(), 'Tus-Resumable': '1.0.0', 'Upload-Length': '4', 'Upload-Metadata': meta } });
			expectRefused(res);
		}
		const res = await rawRequest('PATCH', '/storage/v1/upload/resumable/..%2F..%2Foutside', { headers: { ...auth(), 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, body: 'x' });
		expectRefused(res);
	});

	it('leaves nothing outside the storage folder and nothing odd inside it', async () => {
		expect(readdirSync(outside)).toEqual(['secret.txt']);
		expect(existsSync(path.join(path.dirname(stackInfo().storageDir), 'escape.txt'))).toBe(false);
		expect(existsSync(path.join(path.dirname(stackInfo().storageDir), 'escape.bin'))).toBe(false);
		storageTreeIsClean();
	});
});
