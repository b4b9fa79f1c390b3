// The local Storage service (/storage/v1): Supabase Storage's HTTP API as
// storage-js uses it, over files on disk (STORAGE_DIR) and the storage
// schema of bootstrap.sql, with RLS on storage.objects and storage.buckets
// deciding access exactly as on hosted Supabase.
import type { ApiRequest } from '../gateway.ts';
import type { StackContext, StackService } from '../context.ts';
import { createRequestPool } from '../rest/execute.ts';
import { createBucket, deleteBucket, emptyBucket, getBucket, listBuckets, syncConfigBuckets, updateBucket } from './buckets.ts';
import type { StorageContext } from './context.ts';
import { loadRoleSettings, StorageDatabase } from './database.ts';
import { ObjectFiles } from './disk.ts';
import { downloadObject, downloadPublic, downloadSigned } from './download.ts';
import { errors } from './errors.ts';
import { copyObject, listObjects, moveObject, objectInfo, removeObject, removeObjects } from './manage.ts';
import { checkBucketName, checkKey } from './names.ts';
import { expireResumableUploads, handleResumable } from './resumable.ts';
import { createSignedUploadUrl, createSignedUrl, createSignedUrls } from './signing.ts';
import { uploadObject, uploadToSignedUrl } from './upload.ts';

const POOL_SIZE = 10;

function decode(segment: string, what: 'bucket' | 'key'): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		throw what === 'key' ? errors.invalidKey(segment) : errors.invalidBucketName(segment);
	}
}

/** "<bucket>/<key...>" of a route's tail: both decoded and checked. */
function target(segments: string[]): { bucket: string; key: string } {
	if (segments.length < 2) throw errors.invalidKey(segments.join('/'));
	const bucket = checkBucketName(decode(segments[0], 'bucket'));
	const key = checkKey(decode(segments.slice(1).join('/'), 'key'));
	return { bucket, key };
}

function bucketOnly(segments: string[]): string {
	if (segments.length !== 1) throw errors.invalidRequest('Route not found');
	return checkBucketName(decode(segments[0], 'bucket'));
}

const notFound = () => errors.invalidRequest('Route not found');

async function route(ctx: StorageContext, request: ApiRequest): Promise<void> {
	const method = request.req.method ?? 'GET';
	const read = method === 'GET' || method === 'HEAD';
	const path = request.path;
	if (path === '/upload/resumable' || path.startsWith('/upload/resumable/')) {
		await handleResumable(ctx, request, path.slice('/upload/resumable'.length));
		return;
	}
	const segments = path.split('/').slice(1);
	const [area, ...rest] = segments;
	if (area === 'bucket') {
		if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
			if (method === 'GET') return listBuckets(ctx, request);
			if (method === 'POST') return createBucket(ctx, request);
			throw notFound();
		}
		const id = checkBucketName(decode(rest[0], 'bucket'));
		if (rest.length === 2 && rest[1] === 'empty' && method === 'POST') return emptyBucket(ctx, request, id);
		if (rest.length !== 1) throw notFound();
		if (method === 'GET') return getBucket(ctx, request, id);
		if (method === 'PUT') return updateBucket(ctx, request, id);
		if (method === 'DELETE') return deleteBucket(ctx, request, id);
		throw notFound();
	}
	if (area === 'render' && rest[0] === 'image' && read) {
		// Image transformations are not served locally: the original bytes are (as with transforms turned off).
		const [kind, ...tail] = rest.slice(1);
		if (kind === 'public') return downloadPublic(ctx, request, ...spread(target(tail)));
		if (kind === 'authenticated') return downloadObject(ctx, request, ...spread(target(tail)));
		if (kind === 'sign') return downloadSigned(ctx, request, ...spread(target(tail)));
		throw notFound();
	}
	if (area !== 'object') throw notFound();
	const [first, ...tail] = rest;
	if (first === 'list' && method === 'POST') return listObjects(ctx, request, bucketOnly(tail));
	if (first === 'move' && tail.length === 0 && method === 'POST') return moveObject(ctx, request);
	if (first === 'copy' && tail.length === 0 && method === 'POST') return copyObject(ctx, request);
	if (first === 'sign') {
		if (tail.length === 1 && method === 'POST') return createSignedUrls(ctx, request, bucketOnly(tail));
		if (method === 'POST') return createSignedUrl(ctx, request, ...spread(target(tail)));
		if (read) return downloadSigned(ctx, request, ...spread(target(tail)));
		throw notFound();
	}
	if (first === 'upload' && tail[0] === 'sign') {
		if (method === 'POST') return createSignedUploadUrl(ctx, request, ...spread(target(tail.slice(1))));
		if (method === 'PUT') return uploadToSignedUrl(ctx, request, target(tail.slice(1)));
		throw notFound();
	}
	if (first === 'info' && read) {
		if (tail[0] === 'public') return objectInfo(ctx, request, ...spread(target(tail.slice(1))), true);
		if (tail[0] === 'authenticated') return objectInfo(ctx, request, ...spread(target(tail.slice(1))), false);
		return objectInfo(ctx, request, ...spread(target(tail)), false);
	}
	if (first === 'public' && read) return downloadPublic(ctx, request, ...spread(target(tail)));
	if (first === 'authenticated' && read) return downloadObject(ctx, request, ...spread(target(tail)));
	if (first === undefined) throw notFound();
	if (rest.length === 1) {
		if (method === 'DELETE') return removeObjects(ctx, request, bucketOnly(rest));
		throw notFound();
	}
	if (read) return downloadObject(ctx, request, ...spread(target(rest)));
	if (method === 'POST' || method === 'PUT') return uploadObject(ctx, request, target(rest), method);
	if (method === 'DELETE') return removeObject(ctx, request, ...spread(target(rest)));
	throw notFound();
}

function spread(t: { bucket: string; key: string }): [string, string] {
	return [t.bucket, t.key];
}

/** Paths anyone may call without an API key: public and signed URLs, as the hosted gateway lets them through. */
function isOpen(path: string, method: string): boolean {
	const read = method === 'GET' || method === 'HEAD';
	if (read && (path.startsWith('/object/public/') || path.startsWith('/object/sign/') || path.startsWith('/render/image/public/') || path.startsWith('/render/image/sign/'))) {
		return true;
	}
	if (method === 'PUT' && path.startsWith('/object/upload/sign/')) return true;
	return path === '/upload/resumable/sign' || path.startsWith('/upload/resumable/sign/');
}

export async function createStorageService(stack: StackContext): Promise<StackService> {
	const { config } = stack;
	const log = (message: string) => stack.log('storage', message);
	const files = new ObjectFiles(config.storage.dir);
	await files.init();
	const userPool = createRequestPool(stack.authenticatorUrl, POOL_SIZE, (message) => log(`pool: ${message}`));
	try {
		const db = new StorageDatabase(userPool, stack.adminPool, await loadRoleSettings(stack.adminPool));
		await syncConfigBuckets(db, config.storage.buckets);
		const ctx: StorageContext = { settings: config.storage, jwtSecret: config.jwtSecret, apiUrl: config.apiUrl, db, files, log };
		await expireResumableUploads(ctx);
		return {
			prefix: '/storage/v1',
			isOpen,
			async handle(request) {
				try {
					await route(ctx, request);
				} catch (error) {
					// A client that went away mid-transfer gets no answer (and is no server error).
					if ((request.req.destroyed && !request.req.complete) || request.res.destroyed) {
						request.res.destroy();
						return;
					}
					throw error;
				}
			},
			async close() {
				await userPool.end();
			}
		};
	} catch (error) {
		await userPool.end().catch(() => {});
		throw error;
	}
}
