// Uploads: POST /object/<bucket>/<key> (x-upsert), PUT (always upsert), and
// PUT /object/upload/sign/<bucket>/<key>?token= (a signed upload URL). The
// body is a raw stream (Content-Type as sent) or multipart/form-data (what
// storage-js sends for a Blob or File). Limits are checked before a byte is
// stored where possible (Content-Length, media type) and while streaming;
// the bytes go to a temporary file that becomes the object only when the
// database has recorded it (see objects.ts, disk.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ApiRequest } from '../gateway.ts';
import { parseJsonBody, sendJson } from '../http.ts';
import type { Caller } from './database.ts';
import { callerOf, factsOf, header, type StorageContext } from './context.ts';
import { errors } from './errors.ts';
import { multipartBoundary, readMultipartFile } from './multipart.ts';
import { checkMimeType, findBucket, newMetadata, probeWrite, recordVersion, sizeLimitOf, type BucketRow } from './objects.ts';
import { verifyUpload } from './signed.ts';

const MAX_USER_METADATA = 1024 * 1024;

/** Storage keeps `max-age=<n>` for a number of seconds and `no-cache` otherwise. */
export function cacheControlFrom(value: string | undefined): string {
	if (value === undefined || value === '') return 'no-cache';
	if (/^\d+$/.test(value.trim())) return `max-age=${value.trim()}`;
	return value;
}

function userMetadataFrom(text: string | undefined, base64: boolean): Record<string, unknown> | null {
	if (text === undefined || text === '') return null;
	if (text.length > MAX_USER_METADATA * (base64 ? 1.4 : 1)) throw errors.invalidRequest('metadata is too large');
	try {
		const value = parseJsonBody(base64 ? Buffer.from(text, 'base64').toString('utf8') : text);
		if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
		return value as Record<string, unknown>;
	} catch {
		throw errors.invalidRequest('metadata must be a JSON object');
	}
}

interface IncomingFile {
	body: Readable;
	mimeType: string;
	cacheControl: string;
	userMetadata: Record<string, unknown> | null;
	declaredLength: number | null;
}

async function incomingFile(request: ApiRequest): Promise<IncomingFile> {
	const contentType = header(request, 'content-type');
	const boundary = multipartBoundary(contentType);
	if (boundary) {
		const part = await readMultipartFile(request.req, boundary);
		return {
			body: part.body,
			mimeType: part.fields.get('contentType') || part.contentType,
			cacheControl: cacheControlFrom(part.fields.get('cacheControl')),
			userMetadata: userMetadataFrom(part.fields.get('metadata') ?? part.fields.get('userMetadata'), false),
			declaredLength: null
		};
	}
	const length = header(request, 'content-length');
	return {
		body: detachedBody(request.req),
		mimeType: contentType || 'text/plain;charset=UTF-8',
		cacheControl: header(request, 'cache-control') || 'no-cache',
		userMetadata: userMetadataFrom(header(request, 'x-metadata'), true),
		declaredLength: length === undefined ? null : Number(length)
	};
}

export interface UploadTarget {
	bucket: string;
	key: string;
}

/** Streams the request's file into a new version and records it; answers { Id, Key }. */
async function store(
	ctx: StorageContext,
	request: ApiRequest,
	target: UploadTarget,
	bucket: BucketRow,
	file: IncomingFile,
	authorise: (mimeType: string, length: number) => Promise<void>,
	owner: string | null,
	upsert: boolean
): Promise<void> {
	const limit = sizeLimitOf(ctx, bucket);
	if (file.declaredLength !== null && file.declaredLength > limit) throw errors.entityTooLarge();
	const placeholder = target.key.endsWith('.emptyFolderPlaceholder');
	if (!placeholder) checkMimeType(bucket, file.mimeType);
	await authorise(file.mimeType, file.declaredLength ?? 0);
	const received = await ctx.files.receive(file.body, placeholder ? 0 : limit);
	const version = randomUUID();
	try {
		await ctx.files.commit(received.tempPath, version);
	} catch (error) {
		await ctx.files.discard(received.tempPath);
		throw error;
	}
	const row = await recordVersion(
		ctx,
		{ bucket: target.bucket, key: target.key, owner, upsert, mimeType: file.mimeType, userMetadata: file.userMetadata },
		version,
		newMetadata(received, file.mimeType, file.cacheControl)
	);
	sendJson(request.res, 200, { Id: row.id, Key: `${target.bucket}/${target.key}` });
}

/**
 * The request body as a stream of its own: when storing fails (too large,
 * refused), that stream is destroyed but the request is not, so the
 * refusal can still be answered on the connection.
 */
function detachedBody(req: IncomingMessage): Readable {
	const onData = (chunk: Buffer) => {
		if (!body.push(chunk)) req.pause();
	};
	const onEnd = () => body.push(null);
	const onError = (error: Error) => body.destroy(error);
	const body = new Readable({
		highWaterMark: 256 * 1024,
		read: () => req.resume(),
		destroy: (error, callback) => {
			req.off('data', onData).off('end', onEnd).off('error', onError);
			callback(error);
		}
	});
	req.on('data', onData).on('end', onEnd).on('error', onError);
	body.on('error', () => {}); // reaches its reader (pipeline); never an uncaught 'error' event before one is attached
	return body;
}

/** How much of a refused request's body is read and dropped so the client gets the answer; past it, the connection is closed. */
const DRAIN_LIMIT = 8 * 1024 * 1024;

/**
 * A refused upload whose body was not read to the end: a client still
 * sending would miss the answer if the connection just closed, so a
 * moderate remainder is read and dropped; a larger one closes the
 * connection after the answer.
 */
async function refusingEarly(request: ApiRequest, work: () => Promise<void>): Promise<void> {
	try {
		await work();
	} catch (error) {
		const { req, res } = request;
		if (!req.readableEnded && !req.destroyed) {
			const declared = Number(req.headers['content-length'] ?? 0);
			if (declared > DRAIN_LIMIT) res.setHeader('Connection', 'close');
			else {
				let drained = 0;
				req.on('data', (chunk: Buffer) => {
					drained += chunk.length;
					if (drained > DRAIN_LIMIT) req.destroy();
				});
				req.resume();
			}
		}
		throw error;
	}
}

export async function uploadObject(ctx: StorageContext, request: ApiRequest, target: UploadTarget, method: 'POST' | 'PUT'): Promise<void> {
	await refusingEarly(request, async () => {
		const caller: Caller = callerOf(ctx, request);
		const upsert = method === 'PUT' || header(request, 'x-upsert') === 'true';
		const bucket = await findBucket(ctx, target.bucket);
		const file = await incomingFile(request);
		const operation = method === 'PUT' ? 'storage.object.update' : 'storage.object.upload';
		await store(
			ctx,
			request,
			target,
			bucket,
			file,
			(mimeType, length) =>
				probeWrite(ctx, caller, factsOf(request), operation, {
					bucket: target.bucket,
					key: target.key,
					owner: caller.sub,
					upsert,
					mimeType,
					contentLength: length,
					userMetadata: file.userMetadata
				}),
			caller.sub,
			upsert
		);
	});
}

/** PUT /object/upload/sign/<bucket>/<key>?token=: the token is the permission (checked when it was issued). */
export async function uploadToSignedUrl(ctx: StorageContext, request: ApiRequest, target: UploadTarget): Promise<void> {
	await refusingEarly(request, async () => {
		const grant = verifyUpload(ctx.jwtSecret, request.url.searchParams.get('token'), `${target.bucket}/${target.key}`);
		const bucket = await findBucket(ctx, target.bucket);
		const file = await incomingFile(request);
		await store(ctx, request, target, bucket, file, async () => {}, grant.owner, grant.upsert);
	});
}
