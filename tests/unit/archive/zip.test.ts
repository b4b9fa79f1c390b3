// The streaming ZIP writer (src/lib/archive/zip.server.ts), read back by
// independent readers: Python's zipfile (CRC-32 of every entry checked) and
// Info-ZIP's unzip -t. Entries stream through deflate as they arrive, names
// stay UTF-8, the ZIP64 end records are readable, and names that could
// write outside the reader's folder are refused.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipWriter } from '#lib/archive/zip.server.ts';
import { readZipWithPython, testZipWithUnzip } from '../../helpers/unzip.ts';

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'foldwork-zip-'));
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function* slowly(bytes: Uint8Array, piece: number): AsyncGenerator<Uint8Array> {
	for (let i = 0; i < bytes.length; i += piece) yield bytes.subarray(i, i + piece);
}

async function writeArchive(file: string, entries: Array<[string, Uint8Array | AsyncIterable<Uint8Array>]>, options: { forceZip64?: boolean } = {}) {
	const zip = new ZipWriter(options);
	const written: Array<{ name: string; size: number; sha256: string }> = [];
	async function* bytes() {
		for (const [name, data] of entries) written.push(yield* zip.entry(name, data, { modified: new Date('2026-12-07T12:00:00Z') }));
		yield* zip.finish();
	}
	await pipeline(Readable.from(bytes()), createWriteStream(file));
	return { written, total: zip.bytesWritten };
}

describe('ZipWriter', () => {
	it('writes entries that Python and unzip read back byte for byte', async () => {
		const binary = randomBytes(3 * 1024 * 1024 + 17);
		const text = new TextEncoder().encode('>seq1\nMKTAYIAKQR\n'.repeat(20_000));
		const file = join(dir, 'plain.zip');
		const { written } = await writeArchive(file, [
			['jobs/a/outputs/random.bin', slowly(binary, 65_536)],
			['jobs/a/inputs/sequences.fasta', text],
			['jobs/a/empty.txt', new Uint8Array()],
			['jobs/b/Ünïcode näme – α.txt', new TextEncoder().encode('ok')]
		]);
		const entries = await readZipWithPython(file);
		expect(entries.map((e) => e.name)).toEqual(['jobs/a/outputs/random.bin', 'jobs/a/inputs/sequences.fasta', 'jobs/a/empty.txt', 'jobs/b/Ünïcode näme – α.txt']);
		expect(entries[0]).toMatchObject({ size: binary.length, sha256: sha256(binary) });
		expect(entries[1]).toMatchObject({ size: text.length, sha256: sha256(text) });
		expect(entries[2]).toMatchObject({ size: 0, sha256: sha256(new Uint8Array()) });
		expect(entries[3].text).toBe('ok');
		// What the writer reports for each entry is what the reader finds.
		expect(written.map((w) => [w.name, w.size, w.sha256])).toEqual(entries.map((e) => [e.name, e.size, e.sha256]));
		expect(await testZipWithUnzip(file)).toMatch(/No errors detected/);
	});

	it('writes ZIP64 end records that both readers follow', async () => {
		const file = join(dir, 'zip64.zip');
		await writeArchive(file, [['a.txt', new TextEncoder().encode('first')], ['b/c.txt', new TextEncoder().encode('second')]], { forceZip64: true });
		const entries = await readZipWithPython(file);
		expect(entries.map((e) => [e.name, e.text])).toEqual([['a.txt', 'first'], ['b/c.txt', 'second']]);
		expect(await testZipWithUnzip(file)).toMatch(/No errors detected/);
	});

	it('refuses names that would write outside the folder, and a name used twice', async () => {
		for (const name of ['../evil', '/etc/passwd', 'a/../../b', 'a\\b', '', 'a//b', 'a/./b', 'line\nbreak']) {
			const zip = new ZipWriter();
			await expect(zip.entry(name, new Uint8Array()).next()).rejects.toThrow(/not a safe archive entry name/);
		}
		const zip = new ZipWriter();
		for await (const _ of zip.entry('same.txt', new Uint8Array([1]))) void _;
		await expect(zip.entry('same.txt', new Uint8Array()).next()).rejects.toThrow(/already has an entry/);
	});

	it('stops with the source error, not a hang, when an entry\'s bytes fail half-way', async () => {
		async function* failing() {
			yield new Uint8Array(1000);
			throw new Error('storage went away');
		}
		const zip = new ZipWriter();
		const drain = async () => {
			for await (const _ of zip.entry('broken.bin', failing())) void _;
		};
		await expect(drain()).rejects.toThrow(/storage went away/);
	});
});
