// Serving an object's bytes: GET and HEAD of /object/<bucket>/<key>
// (authenticated: RLS decides unless the bucket is public),
// /object/public/<bucket>/<key> (public buckets, no token needed) and
// /object/sign/<bucket>/<key>?token= (a signed URL). Streams from disk with
// single `Range` requests (206), ETag / If-None-Match (304) and
// `?download[=name]` as an attachment.
import { pipeline } from 'node:stream/promises';
import type { ApiRequest } from '../gateway.ts';
import { sendEmpty } from '../http.ts';
import { callerOf, factsOf, header, type StorageContext } from './context.ts';
import { errors } from './errors.ts';
import { findBucket, findObjectAs, findObjectAsSuperuser, type ObjectRow } from './objects.ts';
import { verifyDownload } from './signed.ts';

export interface ByteRange {
	start: number;
	end: number;
}

/** A single `bytes=` range within `size` bytes; null to serve everything; 416 when unsatisfiable. */
export function parseRange(value: string | undefined, size: number): ByteRange | null {
	if (value === undefined) return null;
	const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
	if (!match) {
		if (/^bytes=.*,/.test(value.trim())) return null; // several ranges: the whole object (RFC 9110 lets a server ignore Range)
		throw errors.invalidRange();
	}
	const [, first, last] = match;
	if (first === '' && last === '') throw errors.invalidRange();
	if (first === '') {
		const suffix = Number(last);
		if (suffix === 0 || size === 0) throw errors.invalidRange();
		return { start: Math.max(0, size - suffix), end: size - 1 };
	}
	const start = Number(first);
	const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
	if (start >= size || end < start) throw errors.invalidRange();
	return { start, end };
}

function contentDisposition(download: string | null): string | undefined {
	if (download === null) return undefined;
	if (download === '') return 'attachment;';
	const encoded = encodeURIComponent(download);
	return `attachment; filename=${encoded}; filename*=UTF-8''${encoded}`;
}

/** Sends one object; `lookup` finds its row again if the version was replaced between lookup and open. */
async function serve(request: ApiRequest, ctx: StorageContext, lookup: () => Promise<ObjectRow | null>): Promise<void> {
	const { req, res } = request;
	for (let attempt = 0; attempt < 3; attempt++) {
		const row = await lookup();
		if (!row || !row.version || !row.metadata) throw errors.noSuchKey();
		const meta = row.metadata;
		const size = Number(meta.size);
		const headers: Record<string, string> = {
			'Accept-Ranges': 'bytes',
			'Content-Type': /^text\/html\b/i.test(meta.mimetype) ? 'text/plain' : meta.mimetype,
			ETag: meta.eTag,
			'Last-Modified': new Date(row.updated_at ?? meta.lastModified).toUTCString(),
			'Cache-Control': meta.cacheControl || 'no-cache',
			'X-Robots-Tag': 'none'
		};
		const disposition = contentDisposition(request.url.searchParams.get('download'));
		if (disposition) headers['Content-Disposition'] = disposition;
		const ifNoneMatch = header(request, 'if-none-match');
		if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === meta.eTag)) {
			sendEmpty(res, 304, headers);
			return;
		}
		const range = parseRange(header(request, 'range'), size);
		if (req.method === 'HEAD') {
			sendEmpty(res, 200, { ...headers, 'Content-Length': String(size) });
			return;
		}
		const stream = await ctx.files.open(row.version, range?.start, range?.end);
		if (!stream) continue; // replaced meanwhile: serve the new version
		if (range) {
			res.writeHead(206, { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': String(range.end - range.start + 1) });
		} else {
			res.writeHead(200, { ...headers, 'Content-Length': String(size) });
		}
		await pipeline(stream, res).catch(() => res.destroy());
		return;
	}
	throw errors.noSuchKey();
}

/** GET|HEAD /object/<bucket>/<key> and /object/authenticated/<bucket>/<key>. */
export async function downloadObject(ctx: StorageContext, request: ApiRequest, bucketId: string, key: string): Promise<void> {
	const caller = callerOf(ctx, request, true);
	const bucket = await findBucket(ctx, bucketId).catch(() => null);
	if (!bucket || (!bucket.public && !caller.verified)) throw errors.noSuchBucket();
	const facts = factsOf(request);
	await serve(request, ctx, () =>
		bucket.public ? findObjectAsSuperuser(ctx, bucketId, key) : findObjectAs(ctx, caller, facts, 'storage.object.get_authenticated', bucketId, key)
	);
}

/** GET|HEAD /object/public/<bucket>/<key>: public buckets only, whoever asks. */
export async function downloadPublic(ctx: StorageContext, request: ApiRequest, bucketId: string, key: string): Promise<void> {
	const bucket = await findBucket(ctx, bucketId).catch(() => null);
	if (!bucket || !bucket.public) throw errors.noSuchBucket();
	await serve(request, ctx, () => findObjectAsSuperuser(ctx, bucketId, key));
}

/** GET|HEAD /object/sign/<bucket>/<key>?token=: whoever holds a valid download token. */
export async function downloadSigned(ctx: StorageContext, request: ApiRequest, bucketId: string, key: string): Promise<void> {
	verifyDownload(ctx.jwtSecret, request.url.searchParams.get('token'), `${bucketId}/${key}`);
	await serve(request, ctx, () => findObjectAsSuperuser(ctx, bucketId, key));
}
