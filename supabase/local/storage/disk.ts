// Where objects' bytes live: files under the storage folder (STORAGE_DIR),
// named by a random version id, never by the object's key:
//   <dir>/objects/<first two hex digits>/<version>    the bytes of one version
//   <dir>/uploads/<random>                          an upload being received
//   <dir>/resumable/<upload id>(.json)              a resumable (TUS) upload
// An upload streams into uploads/ and is renamed into objects/ only once it
// is complete; the database row names the version to serve, so a reader
// never sees a file that is still being written, and a replaced version is
// deleted only after the row that named it is gone.
import { createHash, randomUUID } from 'node:crypto';
import { constants, type ReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { errors } from './errors.ts';

const VERSION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const READ_CHUNK = 256 * 1024;

export interface ReceivedFile {
	tempPath: string;
	size: number;
	/** Quoted hex MD5 of the bytes, as S3 and Storage write ETags. */
	eTag: string;
}

export class ObjectFiles {
	readonly dir: string;

	constructor(dir: string) {
		this.dir = path.resolve(dir);
	}

	async init(): Promise<void> {
		for (const sub of ['objects', 'uploads', 'resumable']) await mkdir(path.join(this.dir, sub), { recursive: true });
	}

	/** The file of one version; the version id is checked so nothing else can be named. */
	pathOf(version: string): string {
		if (!VERSION.test(version)) throw errors.internal(`not an object version: ${version}`);
		return path.join(this.dir, 'objects', version.slice(0, 2), version);
	}

	resumablePath(id: string): string {
		if (!/^[0-9a-f]{32}$/.test(id)) throw errors.internal('not a resumable upload id');
		return path.join(this.dir, 'resumable', id);
	}

	/**
	 * Streams `source` into a new temporary file, counting and hashing as it
	 * goes; over `limit` bytes it stops with 413 and leaves nothing behind.
	 */
	async receive(source: Readable, limit: number): Promise<ReceivedFile> {
		const tempPath = path.join(this.dir, 'uploads', randomUUID());
		// Opened (created) before a byte is read, so a failure can always remove it.
		const handle = await open(tempPath, 'wx');
		const target = handle.createWriteStream({ highWaterMark: READ_CHUNK });
		const hash = createHash('md5');
		let size = 0;
		try {
			// Plain events rather than pipeline(): one function call per chunk on the hot path.
			await new Promise<void>((resolve, reject) => {
				let failed = false;
				const fail = (error: Error) => {
					if (failed) return;
					failed = true;
					source.off('data', onData);
					reject(error);
				};
				const onData = (chunk: Buffer) => {
					size += chunk.length;
					if (size > limit) return fail(errors.entityTooLarge());
					hash.update(chunk);
					if (!target.write(chunk)) source.pause();
				};
				target.on('drain', () => source.resume());
				target.once('error', fail);
				target.once('finish', () => resolve());
				source.on('data', onData);
				source.once('end', () => failed || target.end());
				source.once('error', fail);
				source.once('close', () => source.readableEnded || fail(new Error('The upload ended early')));
			});
		} catch (error) {
			source.destroy();
			target.destroy();
			await rm(tempPath, { force: true });
			throw error;
		}
		if (!target.closed) await new Promise<void>((resolve) => target.once('close', () => resolve()));
		return { tempPath, size, eTag: `"${hash.digest('hex')}"` };
	}

	/** Makes a received file the bytes of `version` (an atomic rename). */
	async commit(tempPath: string, version: string): Promise<void> {
		const target = this.pathOf(version);
		await mkdir(path.dirname(target), { recursive: true });
		await rename(tempPath, target);
	}

	async discard(filePath: string): Promise<void> {
		await rm(filePath, { force: true });
	}

	async remove(version: string | null | undefined): Promise<void> {
		if (!version || !VERSION.test(version)) return;
		await rm(this.pathOf(version), { force: true });
	}

	/** A copy of a version's bytes as a new version (a reflink where the file system has them). */
	async copy(fromVersion: string, toVersion: string): Promise<void> {
		const target = this.pathOf(toVersion);
		await mkdir(path.dirname(target), { recursive: true });
		const temp = path.join(this.dir, 'uploads', randomUUID());
		try {
			await copyFile(this.pathOf(fromVersion), temp, constants.COPYFILE_FICLONE);
			await rename(temp, target);
		} catch (error) {
			await rm(temp, { force: true });
			throw error;
		}
	}

	/**
	 * Opens a version for reading (inclusive byte range); null when the file
	 * is gone (replaced between the row's lookup and the open).
	 */
	async open(version: string, start?: number, end?: number): Promise<ReadStream | null> {
		let handle;
		try {
			handle = await open(this.pathOf(version), 'r');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw error;
		}
		return handle.createReadStream({ start, end, highWaterMark: READ_CHUNK, autoClose: true });
	}

	async size(version: string): Promise<number | null> {
		try {
			return (await stat(this.pathOf(version))).size;
		} catch {
			return null;
		}
	}
}
