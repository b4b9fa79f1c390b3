// Issuing signed URLs: POST /object/sign/<bucket>/<key> (one),
// POST /object/sign/<bucket> { paths } (many) and
// POST /object/upload/sign/<bucket>/<key> (an upload URL). A download URL
// is only issued for an object the caller can see (RLS); an upload URL only
// when the caller passes the same write probe as an upload.
import type { ApiRequest } from '../gateway.ts';
import { readJson, sendJson } from '../http.ts';
import { callerOf, factsOf, header, type StorageContext } from './context.ts';
import { errors } from './errors.ts';
import { checkKey } from './names.ts';
import { findBucket, objectVisibleTo, probeWrite } from './objects.ts';
import { signDownload, signUpload } from './signed.ts';

function expiresInOf(input: unknown): number {
	const value = (input as { expiresIn?: unknown } | undefined)?.expiresIn;
	const seconds = typeof value === 'string' ? Number(value) : value;
	if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 1) throw errors.invalidRequest('expiresIn must be a number of seconds, at least 1');
	return Math.floor(seconds);
}

function signedPath(bucket: string, key: string, token: string): string {
	return `/object/sign/${bucket}/${key}?token=${token}`;
}

export async function createSignedUrl(ctx: StorageContext, request: ApiRequest, bucketId: string, key: string): Promise<void> {
	const caller = callerOf(ctx, request);
	const expiresIn = expiresInOf(await readJson(request.req));
	if (!(await objectVisibleTo(ctx, caller, factsOf(request), 'storage.object.sign', bucketId, key))) throw errors.noSuchKey();
	sendJson(request.res, 200, { signedURL: signedPath(bucketId, key, signDownload(ctx.jwtSecret, `${bucketId}/${key}`, expiresIn)) });
}

export async function createSignedUrls(ctx: StorageContext, request: ApiRequest, bucketId: string): Promise<void> {
	const caller = callerOf(ctx, request);
	const input = (await readJson(request.req)) as { paths?: unknown } | undefined;
	const expiresIn = expiresInOf(input);
	const paths = input?.paths;
	if (!Array.isArray(paths) || paths.length === 0 || paths.length > 1000 || !paths.every((p) => typeof p === 'string')) {
		throw errors.invalidRequest('paths must be a list of 1 to 1000 object names');
	}
	const literal = `{${(paths as string[]).map((n) => `"${n.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
	const [result] = await ctx.db.asCaller(caller, factsOf(request), 'storage.object.sign_many', [
		{ text: 'select name from storage.objects where bucket_id = $1 and name = any($2::text[])', values: [bucketId, literal] }
	]);
	const visible = new Set(result.rows.map((r) => r.name));
	sendJson(
		request.res,
		200,
		(paths as string[]).map((path) =>
			visible.has(path)
				? { error: null, path, signedURL: signedPath(bucketId, path, signDownload(ctx.jwtSecret, `${bucketId}/${path}`, expiresIn)) }
				: { error: 'Either the object does not exist or you do not have access to it', path, signedURL: null }
		)
	);
}

export async function createSignedUploadUrl(ctx: StorageContext, request: ApiRequest, bucketId: string, key: string): Promise<void> {
	const caller = callerOf(ctx, request);
	await readJson(request.req);
	checkKey(key);
	await findBucket(ctx, bucketId);
	const upsert = header(request, 'x-upsert') === 'true';
	await probeWrite(ctx, caller, factsOf(request), 'storage.object.upload_sign', {
		bucket: bucketId,
		key,
		owner: caller.sub,
		upsert,
		mimeType: 'application/octet-stream',
		contentLength: 0,
		userMetadata: null
	});
	const token = signUpload(ctx.jwtSecret, `${bucketId}/${key}`, caller.sub, upsert);
	sendJson(request.res, 200, { url: `/object/upload/sign/${bucketId}/${key}?token=${token}`, token });
}
