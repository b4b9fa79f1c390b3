// Resumable uploads: the TUS 1.0.0 protocol at /upload/resumable, as
// Supabase Storage serves it (and tus-js-client or Uppy speak it), for
// files too large to send in one request. POST creates an upload
// (Upload-Length, Upload-Metadata with bucketName, objectName, contentType,
// cacheControl, metadata; x-upsert), after the same permission probe as an
// upload; PATCH appends at Upload-Offset; HEAD says how far it got; DELETE
// abandons it. Whatever reached the disk before a connection broke counts,
// so a client resumes from there. When the last byte arrives the file
// becomes the object exactly as a plain upload does. Later requests must
// come from the same user (or the same signed-upload token, at
// /upload/resumable/sign with x-signature). Unfinished uploads expire after
// a day.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { ApiRequest } from '../gateway.ts';
import { sendEmpty } from '../http.ts';
import { callerOf, factsOf, header, type StorageContext } from './context.ts';
import { errors, StorageError } from './errors.ts';
import { checkBucketName, checkKey } from './names.ts';
import { checkMimeType, findBucket, newMetadata, probeWrite, recordVersion, sizeLimitOf } from './objects.ts';
import { cacheControlFrom } from './upload.ts';
import { verifyUpload } from './signed.ts';

const TUS_VERSION = '1.0.0';
const EXPIRY_MS = 24 * 60 * 60 * 1000;
const TUS_HEADERS = {
	'Tus-Resumable': TUS_VERSION,
	'Access-Control-Expose-Headers': 'Location, Upload-Offset, Upload-Length, Upload-Expires, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size'
};

interface UploadInfo {
	bucket: string;
	key: string;
	length: number;
	contentType: string;
	cacheControl: string;
	userMetadata: Record<string, unknown> | null;
	upsert: boolean;
	/** The sub of the user who created it (null for a signed upload or a token without sub). */
	owner: string | null;
	/** The creator's role: with `owner`, who may continue it. */
	role: string | null;
	/** How later requests must authenticate: the creator's sub, or the signed-upload token's object. */
	via: 'user' | 'signature';
	createdAt: number;
}

/**
 * Uploads being appended to right now. A client that resumes (HEAD or
 * PATCH) while an older PATCH of the same upload is still open means that
 * older connection is dead to it: the older request is stopped and, once
 * what it wrote is on disk, the new one goes on (as tusd releases its lock).
 */
const busy = new Map<string, { stop(): void; done: Promise<void> }>();

async function takeOver(id: string): Promise<void> {
	const holder = busy.get(id);
	if (!holder) return;
	holder.stop();
	await holder.done;
}

function parseMetadata(value: string | undefined): Map<string, string> {
	const out = new Map<string, string>();
	for (const pair of (value ?? '').split(',')) {
		const [k, v] = pair.trim().split(' ');
		if (!k) continue;
		out.set(k, v === undefined ? '' : Buffer.from(v, 'base64').toString('utf8'));
	}
	return out;
}

async function readInfo(ctx: StorageContext, id: string): Promise<UploadInfo | null> {
	try {
		return JSON.parse(await readFile(`${ctx.files.resumablePath(id)}.json`, 'utf8')) as UploadInfo;
	} catch {
		return null;
	}
}

async function offsetOf(ctx: StorageContext, id: string): Promise<number> {
	return (await stat(ctx.files.resumablePath(id))).size;
}

async function forget(ctx: StorageContext, id: string): Promise<void> {
	await rm(ctx.files.resumablePath(id), { force: true });
	await rm(`${ctx.files.resumablePath(id)}.json`, { force: true });
}

/** Removes unfinished uploads older than a day. */
export async function expireResumableUploads(ctx: StorageContext, now = Date.now()): Promise<void> {
	const dir = ctx.files.resumablePath('0'.repeat(32)).slice(0, -32);
	for (const name of await readdir(dir).catch(() => [] as string[])) {
		if (!name.endsWith('.json')) continue;
		const id = name.slice(0, -5);
		const info = await readInfo(ctx, id);
		if (!info || now - info.createdAt > EXPIRY_MS) await forget(ctx, id);
	}
}

function locationOf(ctx: StorageContext, signed: boolean, id: string): string {
	return `${ctx.apiUrl}/storage/v1/upload/resumable${signed ? '/sign' : ''}/${id}`;
}

/** Who may continue an upload: its creator, or the holder of the token it was created with. */
function checkContinuation(ctx: StorageContext, request: ApiRequest, info: UploadInfo, signed: boolean): void {
	if (info.via === 'signature') {
		if (!signed) throw errors.noSuchKey();
		verifyUpload(ctx.jwtSecret, header(request, 'x-signature') ?? null, `${info.bucket}/${info.key}`);
		return;
	}
	if (signed) throw errors.noSuchKey();
	const caller = callerOf(ctx, request);
	if (caller.sub !== info.owner || caller.role !== info.role) throw errors.noSuchKey();
}

async function create(ctx: StorageContext, request: ApiRequest, signed: boolean): Promise<void> {
	const meta = parseMetadata(header(request, 'upload-metadata'));
	const bucketId = checkBucketName(meta.get('bucketName'));
	const key = checkKey(meta.get('objectName') ?? '');
	const lengthHeader = header(request, 'upload-length');
	if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader)) {
		throw errors.invalidRequest(header(request, 'upload-defer-length') ? 'Upload-Defer-Length is not supported: send Upload-Length' : 'Upload-Length is required');
	}
	const length = Number(lengthHeader);
	const bucket = await findBucket(ctx, bucketId);
	if (length > sizeLimitOf(ctx, bucket)) throw errors.entityTooLarge();
	const contentType = meta.get('contentType') || 'application/octet-stream';
	checkMimeType(bucket, contentType);
	let userMetadata: Record<string, unknown> | null = null;
	if (meta.get('metadata')) {
		try {
			userMetadata = JSON.parse(meta.get('metadata')!) as Record<string, unknown>;
		} catch {
			throw errors.invalidRequest('metadata must be a JSON object');
		}
	}
	let info: UploadInfo;
	if (signed) {
		const grant = verifyUpload(ctx.jwtSecret, header(request, 'x-signature') ?? null, `${bucketId}/${key}`);
		info = { bucket: bucketId, key, length, contentType, cacheControl: '', userMetadata, upsert: grant.upsert, owner: grant.owner, role: null, via: 'signature', createdAt: Date.now() };
	} else {
		const caller = callerOf(ctx, request);
		const upsert = header(request, 'x-upsert') === 'true';
		await probeWrite(ctx, caller, factsOf(request), 'storage.object.upload', {
			bucket: bucketId,
			key,
			owner: caller.sub,
			upsert,
			mimeType: contentType,
			contentLength: length,
			userMetadata
		});
		info = { bucket: bucketId, key, length, contentType, cacheControl: '', userMetadata, upsert, owner: caller.sub, role: caller.role, via: 'user', createdAt: Date.now() };
	}
	info.cacheControl = cacheControlFrom(meta.get('cacheControl'));
	const id = randomBytes(16).toString('hex');
	await writeFile(ctx.files.resumablePath(id), '', { flag: 'wx' });
	await writeFile(`${ctx.files.resumablePath(id)}.json`, JSON.stringify(info), { flag: 'wx' });
	await expireResumableUploads(ctx);
	if (length === 0) {
		await finish(ctx, id, info);
	}
	sendEmpty(request.res, 201, { ...TUS_HEADERS, Location: locationOf(ctx, signed, id), 'Upload-Expires': new Date(info.createdAt + EXPIRY_MS).toUTCString() });
}

/** The upload is complete: hash it, make it a version, record it like any upload. */
async function finish(ctx: StorageContext, id: string, info: UploadInfo): Promise<void> {
	const file = ctx.files.resumablePath(id);
	const hash = createHash('md5');
	await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), async function (chunks: AsyncIterable<Buffer>) {
		for await (const chunk of chunks) hash.update(chunk);
	});
	const version = randomUUID();
	await ctx.files.commit(file, version);
	await rm(`${file}.json`, { force: true });
	await recordVersion(
		ctx,
		{ bucket: info.bucket, key: info.key, owner: info.owner, upsert: info.upsert, mimeType: info.contentType, userMetadata: info.userMetadata },
		version,
		newMetadata({ size: info.length, eTag: `"${hash.digest('hex')}"` }, info.contentType, info.cacheControl)
	);
}

async function append(ctx: StorageContext, request: ApiRequest, id: string, signed: boolean): Promise<void> {
	const info = await readInfo(ctx, id);
	if (!info) throw errors.noSuchKey();
	checkContinuation(ctx, request, info, signed);
	if ((header(request, 'content-type') ?? '').split(';')[0].trim() !== 'application/offset+octet-stream') {
		throw new StorageError(415, 'InvalidMimeType', 'invalid_mime_type', 'PATCH needs Content-Type: application/offset+octet-stream');
	}
	const claimed = header(request, 'upload-offset');
	await takeOver(id);
	if (busy.has(id)) throw new StorageError(409, 'ResourceLocked', 'ResourceLocked', 'Another request is appending to this upload');
	let release!: () => void;
	busy.set(id, { stop: () => request.req.destroy(), done: new Promise<void>((resolve) => (release = resolve)) });
	try {
		const offset = await offsetOf(ctx, id);
		if (claimed === undefined || Number(claimed) !== offset) {
			throw new StorageError(409, 'InvalidUploadOffset', 'Conflict', `Upload-Offset must be ${offset}, the bytes received so far`);
		}
		const room = info.length - offset;
		let received = 0;
		await pipeline(
			request.req,
			async function* (chunks: AsyncIterable<Buffer>) {
				for await (const chunk of chunks) {
					received += chunk.length;
					if (received > room) throw errors.entityTooLarge();
					yield chunk;
				}
			},
			createWriteStream(ctx.files.resumablePath(id), { flags: 'r+', start: offset, highWaterMark: 256 * 1024 })
		).catch((error: unknown) => {
			// What reached the disk stays (the client resumes from it); the
			// generator stops before a byte beyond the declared length is written.
			if (error instanceof StorageError) request.res.setHeader('Connection', 'close');
			throw error;
		});
		const now = await offsetOf(ctx, id);
		if (now === info.length) {
			try {
				await finish(ctx, id, info);
			} catch (error) {
				await forget(ctx, id);
				throw error;
			}
		}
		sendEmpty(request.res, 204, { ...TUS_HEADERS, 'Upload-Offset': String(now), 'Upload-Expires': new Date(info.createdAt + EXPIRY_MS).toUTCString() });
	} finally {
		busy.delete(id);
		release();
	}
}

async function head(ctx: StorageContext, request: ApiRequest, id: string, signed: boolean): Promise<void> {
	const info = await readInfo(ctx, id);
	if (!info) {
		sendEmpty(request.res, 404, TUS_HEADERS);
		return;
	}
	checkContinuation(ctx, request, info, signed);
	await takeOver(id);
	sendEmpty(request.res, 200, {
		...TUS_HEADERS,
		'Upload-Offset': String(await offsetOf(ctx, id)),
		'Upload-Length': String(info.length),
		'Cache-Control': 'no-store'
	});
}

async function terminate(ctx: StorageContext, request: ApiRequest, id: string, signed: boolean): Promise<void> {
	const info = await readInfo(ctx, id);
	if (!info) throw errors.noSuchKey();
	checkContinuation(ctx, request, info, signed);
	await takeOver(id);
	await forget(ctx, id);
	sendEmpty(request.res, 204, TUS_HEADERS);
}

/** Routes /upload/resumable[/sign][/<id>]. */
export async function handleResumable(ctx: StorageContext, request: ApiRequest, rest: string): Promise<void> {
	const signed = rest === '/sign' || rest.startsWith('/sign/');
	const tail = signed ? rest.slice('/sign'.length) : rest;
	const method = request.req.method ?? 'GET';
	if (method === 'OPTIONS') {
		sendEmpty(request.res, 204, { ...TUS_HEADERS, 'Tus-Version': TUS_VERSION, 'Tus-Extension': 'creation,termination,expiration', 'Tus-Max-Size': String(ctx.settings.fileSizeLimit) });
		return;
	}
	if (tail === '' || tail === '/') {
		if (method !== 'POST') throw errors.invalidRequest(`${method} is not allowed here`);
		await create(ctx, request, signed);
		return;
	}
	const id = tail.slice(1);
	if (!/^[0-9a-f]{32}$/.test(id)) throw errors.noSuchKey();
	if (method === 'PATCH') await append(ctx, request, id, signed);
	else if (method === 'HEAD') await head(ctx, request, id, signed);
	else if (method === 'DELETE') await terminate(ctx, request, id, signed);
	else throw errors.invalidRequest(`${method} is not allowed here`);
}
