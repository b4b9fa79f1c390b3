// A streaming ZIP writer (PKWARE APPNOTE 6.3): each entry is deflated as its
// bytes arrive and handed on at once, so an archive of any size is built
// without holding it (only the central directory, ~100 bytes an entry, is
// kept until the end). Entries carry their CRC-32 and sizes in a data
// descriptor after the data (general purpose bit 3), names are UTF-8 (bit
// 11), and offsets past 4 GiB or more than 65,535 entries switch the
// central directory to ZIP64 records. One entry is limited to 4 GiB less one
// byte (its local header cannot know in advance that it needs ZIP64);
// Foldwork's job files are far smaller.
//
// Written here rather than taken from npm: it is ~200 lines over node:zlib
// (deflate and crc32), the archive route needs pull-driven streaming
// (ReadableStream.from an async generator) and a SHA-256 of each entry for
// the RO-Crate metadata as it streams, and tests read every archive back
// with independent readers (Python's zipfile, Info-ZIP's unzip).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { crc32, createDeflateRaw } from 'node:zlib';

export interface ZipEntryOptions {
	/** Last modified (default now); stored as a DOS date (2-second steps, 1980 to 2107). */
	modified?: Date;
}

/** What went into the archive for one entry. */
export interface ZipEntryWritten {
	name: string;
	size: number;
	compressedSize: number;
	crc32: number;
	/** Lowercase hex SHA-256 of the entry's bytes. */
	sha256: string;
}

interface CentralRecord {
	name: Buffer;
	crc32: number;
	size: number;
	compressedSize: number;
	offset: number;
	time: number;
	date: number;
}

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const FLAGS = 0x0008 | 0x0800;
const DEFLATE = 8;
/** Version made by: UNIX (3), spec 4.5 (ZIP64); so external attributes are read as UNIX modes. */
const MADE_BY = (3 << 8) | 45;
const FILE_MODE = 0o100644;

function dosDateTime(at: Date): { time: number; date: number } {
	const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
	return {
		time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
		date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate()
	};
}

/** An entry name must be relative, with / between parts, and no part "." or "..": no reader may write outside its folder. */
export function checkEntryName(name: string): void {
	const parts = name.split('/');
	if (!name || name.startsWith('/') || name.includes('\\') || /[\u0000-\u001f]/.test(name) || parts.some((p) => p === '' || p === '.' || p === '..')) {
		throw new Error(`not a safe archive entry name: ${JSON.stringify(name)}`);
	}
}

async function* chunksOf(data: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
	if (data instanceof Uint8Array) yield data;
	else yield* data;
}

export class ZipWriter {
	#offset = 0;
	#central: CentralRecord[] = [];
	#names = new Set<string>();
	#forceZip64: boolean;
	#level: number;

	/** forceZip64: write the ZIP64 end records even for a small archive (tests); level: deflate level (default 6). */
	constructor(options: { forceZip64?: boolean; level?: number } = {}) {
		this.#forceZip64 = options.forceZip64 ?? false;
		this.#level = options.level ?? 6;
	}

	/** Bytes handed out so far. */
	get bytesWritten(): number {
		return this.#offset;
	}

	/**
	 * Yields the entry's bytes as the archive holds them (header, deflated
	 * data, descriptor), pulling `data` only as fast as they are taken;
	 * returns what was written (`const w = yield* zip.entry(…)`).
	 */
	async *entry(name: string, data: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: ZipEntryOptions = {}): AsyncGenerator<Uint8Array, ZipEntryWritten> {
		checkEntryName(name);
		if (this.#names.has(name)) throw new Error(`the archive already has an entry named ${JSON.stringify(name)}`);
		this.#names.add(name);
		const nameBytes = Buffer.from(name, 'utf8');
		if (nameBytes.length > MAX16) throw new Error('an archive entry name is limited to 65,535 bytes');
		const { time, date } = dosDateTime(options.modified ?? new Date());
		const offset = this.#offset;

		const header = Buffer.alloc(30);
		header.writeUInt32LE(0x04034b50, 0);
		header.writeUInt16LE(20, 4);
		header.writeUInt16LE(FLAGS, 6);
		header.writeUInt16LE(DEFLATE, 8);
		header.writeUInt16LE(time, 10);
		header.writeUInt16LE(date, 12);
		// CRC-32 and sizes (14..25) are 0 here: they follow the data, in the descriptor.
		header.writeUInt16LE(nameBytes.length, 26);
		header.writeUInt16LE(0, 28);
		yield this.#count(Buffer.concat([header, nameBytes]));

		let crc = 0;
		let size = 0;
		let compressedSize = 0;
		const hash = createHash('sha256');
		const deflate = createDeflateRaw({ level: this.#level });
		const feeding = (async () => {
			try {
				for await (const chunk of chunksOf(data)) {
					crc = crc32(chunk, crc);
					hash.update(chunk);
					size += chunk.length;
					if (size > MAX32 - 1) throw new Error(`${name}: an archive entry is limited to 4 GiB`);
					if (!deflate.write(chunk)) await once(deflate, 'drain');
				}
				deflate.end();
			} catch (error) {
				deflate.destroy(error as Error);
			}
		})();
		for await (const out of deflate as AsyncIterable<Buffer>) {
			compressedSize += out.length;
			yield this.#count(out);
		}
		await feeding;
		if (compressedSize > MAX32 - 1) throw new Error(`${name}: an archive entry is limited to 4 GiB`);

		const descriptor = Buffer.alloc(16);
		descriptor.writeUInt32LE(0x08074b50, 0);
		descriptor.writeUInt32LE(crc, 4);
		descriptor.writeUInt32LE(compressedSize, 8);
		descriptor.writeUInt32LE(size, 12);
		yield this.#count(descriptor);

		this.#central.push({ name: nameBytes, crc32: crc, size, compressedSize, offset, time, date });
		return { name, size, compressedSize, crc32: crc, sha256: hash.digest('hex') };
	}

	/** The central directory and end records; the archive is complete after them. */
	*finish(): Generator<Uint8Array> {
		const start = this.#offset;
		for (const record of this.#central) yield this.#count(this.#centralHeader(record));
		const size = this.#offset - start;
		const entries = this.#central.length;
		const zip64 = this.#forceZip64 || entries > MAX16 - 1 || start > MAX32 - 1 || size > MAX32 - 1;
		if (zip64) {
			const end64At = this.#offset;
			const end64 = Buffer.alloc(56);
			end64.writeUInt32LE(0x06064b50, 0);
			end64.writeBigUInt64LE(44n, 4);
			end64.writeUInt16LE(MADE_BY, 12);
			end64.writeUInt16LE(45, 14);
			end64.writeUInt32LE(0, 16);
			end64.writeUInt32LE(0, 20);
			end64.writeBigUInt64LE(BigInt(entries), 24);
			end64.writeBigUInt64LE(BigInt(entries), 32);
			end64.writeBigUInt64LE(BigInt(size), 40);
			end64.writeBigUInt64LE(BigInt(start), 48);
			yield this.#count(end64);
			const locator = Buffer.alloc(20);
			locator.writeUInt32LE(0x07064b50, 0);
			locator.writeUInt32LE(0, 4);
			locator.writeBigUInt64LE(BigInt(end64At), 8);
			locator.writeUInt32LE(1, 16);
			yield this.#count(locator);
		}
		const end = Buffer.alloc(22);
		end.writeUInt32LE(0x06054b50, 0);
		end.writeUInt16LE(zip64 ? MAX16 : entries, 8);
		end.writeUInt16LE(zip64 ? MAX16 : entries, 10);
		end.writeUInt32LE(zip64 ? MAX32 : size, 12);
		end.writeUInt32LE(zip64 ? MAX32 : start, 16);
		yield this.#count(end);
	}

	#centralHeader(r: CentralRecord): Buffer {
		const offset64 = this.#forceZip64 || r.offset > MAX32 - 1;
		const extra = offset64 ? Buffer.alloc(12) : Buffer.alloc(0);
		if (offset64) {
			extra.writeUInt16LE(0x0001, 0);
			extra.writeUInt16LE(8, 2);
			extra.writeBigUInt64LE(BigInt(r.offset), 4);
		}
		const h = Buffer.alloc(46);
		h.writeUInt32LE(0x02014b50, 0);
		h.writeUInt16LE(MADE_BY, 4);
		h.writeUInt16LE(offset64 ? 45 : 20, 6);
		h.writeUInt16LE(FLAGS, 8);
		h.writeUInt16LE(DEFLATE, 10);
		h.writeUInt16LE(r.time, 12);
		h.writeUInt16LE(r.date, 14);
		h.writeUInt32LE(r.crc32, 16);
		h.writeUInt32LE(r.compressedSize, 20);
		h.writeUInt32LE(r.size, 24);
		h.writeUInt16LE(r.name.length, 28);
		h.writeUInt16LE(extra.length, 30);
		h.writeUInt16LE(0, 32);
		h.writeUInt16LE(0, 34);
		h.writeUInt16LE(0, 36);
		h.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
		h.writeUInt32LE(offset64 ? MAX32 : r.offset, 42);
		return Buffer.concat([h, r.name, extra]);
	}

	#count(chunk: Buffer): Uint8Array {
		this.#offset += chunk.length;
		return chunk;
	}
}
