// The Storage service's parsers on their own: multipart upload bodies split
// at every possible place, Range headers, object keys and sizes.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseBucketSizeLimit } from '../../supabase/local/storage/buckets.ts';
import { parseRange } from '../../supabase/local/storage/download.ts';
import { multipartBoundary, readMultipartFile } from '../../supabase/local/storage/multipart.ts';
import { checkKey, isValidBucketName } from '../../supabase/local/storage/names.ts';

/** A form as fetch would send it: its bytes and Content-Type. */
async function encodeForm(form: FormData): Promise<{ bytes: Buffer; contentType: string }> {
	const request = new Request('http://localhost/', { method: 'POST', body: form });
	return { bytes: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

/** A request body arriving in pieces of `size` bytes. */
function arriving(bytes: Buffer, size: number): IncomingMessage {
	const pieces: Buffer[] = [];
	for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
	return Readable.from(pieces, { objectMode: false }) as unknown as IncomingMessage;
}

async function drain(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

describe('multipart upload bodies', () => {
	it('reads the fields and the file whatever the pieces the body arrives in', async () => {
		// File bytes that look like the start of a delimiter, and CRLFs at the edges.
		const file = Buffer.concat([Buffer.from('\r\n--'), Buffer.alloc(5000, 0x41), Buffer.from('\r\n-\r\n--x\r\n')]);
		const form = new FormData();
		form.append('cacheControl', '120');
		form.append('metadata', JSON.stringify({ lab: 'é 7' }));
		form.append('', new Blob([file], { type: 'chemical/x-pdb' }), '1abc.pdb');
		const { bytes, contentType } = await encodeForm(form);
		const boundary = multipartBoundary(contentType)!;
		expect(boundary).toBeTruthy();
		for (const size of [1, 2, 3, 5, 7, 13, 64, 1000, bytes.length]) {
			const part = await readMultipartFile(arriving(bytes, size), boundary);
			expect(part.contentType).toBe('chemical/x-pdb');
			expect(Object.fromEntries(part.fields)).toEqual({ cacheControl: '120', metadata: '{"lab":"é 7"}' });
			expect((await drain(part.body)).equals(file), `pieces of ${size}`).toBe(true);
		}
	});

	it('refuses a form without a file, and fails the file stream of a body cut short', async () => {
		const form = new FormData();
		form.append('cacheControl', '120');
		const noFile = await encodeForm(form);
		await expect(readMultipartFile(arriving(noFile.bytes, 10), multipartBoundary(noFile.contentType)!)).rejects.toMatchObject({ body: { statusCode: '400' } });

		const withFile = new FormData();
		withFile.append('', new Blob([Buffer.alloc(10_000, 1)]), 'x.bin');
		const { bytes, contentType } = await encodeForm(withFile);
		const part = await readMultipartFile(arriving(bytes.subarray(0, 6000), 100), multipartBoundary(contentType)!);
		await expect(drain(part.body)).rejects.toMatchObject({ body: { message: 'The upload ended before the file did' } });
	});

	it('finds the boundary only in multipart/form-data content types', () => {
		expect(multipartBoundary('multipart/form-data; boundary=----abc')).toBe('----abc');
		expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
		expect(multipartBoundary('text/plain; boundary=x')).toBeNull();
		expect(multipartBoundary(undefined)).toBeNull();
	});
});

describe('Range headers', () => {
	it('reads single ranges, clamps the end, and refuses what cannot be satisfied', () => {
		expect(parseRange(undefined, 100)).toBeNull();
		expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
		expect(parseRange('bytes=90-200', 100)).toEqual({ start: 90, end: 99 });
		expect(parseRange('bytes=50-', 100)).toEqual({ start: 50, end: 99 });
		expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
		expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
		expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
		for (const bad of ['bytes=100-', 'bytes=5-4', 'bytes=-0', 'bytes=-', 'items=0-1', 'bytes=a-b']) {
			expect(() => parseRange(bad, 100), bad).toThrow('invalid range provided');
		}
		expect(() => parseRange('bytes=-1', 0)).toThrow('invalid range provided');
	});
});

describe('keys, bucket names and sizes', () => {
	it('accepts Storage keys and refuses traversal, odd characters and empty segments', () => {
		for (const good of ['a.txt', 'team/job/input/1abc.pdb', "it's (1) & $=@;:+,? -_!.*.txt", 'a..b/c..d']) expect(checkKey(good)).toBe(good);
		for (const bad of ['', '..', '.', '../a', 'a/../b', 'a/./b', '/abs', 'a//b', 'a/', 'a\\b', 'a\u0000b', 'a%2e', 'caf\u00e9', 'a#b', 'a\nb', 'x'.repeat(1025)]) {
			expect(() => checkKey(bad), JSON.stringify(bad)).toThrow(/Invalid key/);
		}
		expect([isValidBucketName('job-files'), isValidBucketName('..'), isValidBucketName('a/b'), isValidBucketName(' a'), isValidBucketName('x'.repeat(101))]).toEqual([true, false, false, false, false]);
	});

	it('reads bucket size limits as Storage does (1000-based units) within the global limit', () => {
		expect(parseBucketSizeLimit('2MB', 1e9)).toBe(2_000_000);
		expect(parseBucketSizeLimit('1.5kb', 1e9)).toBe(1500);
		expect(parseBucketSizeLimit(1024, 1e9)).toBe(1024);
		expect(parseBucketSizeLimit(null, 1e9)).toBeNull();
		expect(() => parseBucketSizeLimit('2GB', 1e9)).toThrow('The object exceeded the maximum allowed size');
		expect(() => parseBucketSizeLimit('two', 1e9)).toThrow(/Invalid file size limit/);
	});
});
