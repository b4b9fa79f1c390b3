// Object operations other than moving bytes in or out: info, list, move,
// copy and remove. Each runs as the caller, so RLS on storage.objects
// decides, as in Supabase Storage (see the reference table in
// shared/reference/storage-broadcast-auth.md, section 1.9).
import { randomUUID } from 'node:crypto';
import type { ApiRequest } from '../gateway.ts';
import { readJson, sendJson } from '../http.ts';
import { callerOf, factsOf, header, type StorageContext } from './context.ts';
import { jsonColumn } from './database.ts';
import { errors } from './errors.ts';
import { checkBucketName, checkKey } from './names.ts';
import { findBucket, findObjectAs, findObjectAsSuperuser, OBJECT_JSON, probeWrite, recordVersion, type ObjectRow } from './objects.ts';

function iso(value: string | null | undefined): string | null {
	return value ? new Date(value).toISOString() : null;
}

/** The row as Storage's JSON has it (timestamps in ISO form, no version). */
export function objectJson(row: ObjectRow): Record<string, unknown> {
	return {
		name: row.name,
		bucket_id: row.bucket_id,
		owner: row.owner,
		owner_id: row.owner_id,
		id: row.id,
		updated_at: iso(row.updated_at),
		created_at: iso(row.created_at),
		last_accessed_at: iso(row.last_accessed_at),
		metadata: row.metadata,
		user_metadata: row.user_metadata
	};
}

async function body(request: ApiRequest): Promise<Record<string, unknown>> {
	const value = await readJson(request.req);
	if (value === undefined) return {};
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw errors.invalidRequest('body must be a JSON object');
	return value as Record<string, unknown>;
}

/** GET /object/info/[authenticated/|public/]<bucket>/<key>. */
export async function objectInfo(ctx: StorageContext, request: ApiRequest, bucketId: string, key: string, publicRoute: boolean): Promise<void> {
	const caller = callerOf(ctx, request, true);
	const bucket = await findBucket(ctx, bucketId).catch(() => null);
	if (!bucket || ((publicRoute || !caller.verified) && !bucket.public)) throw errors.noSuchBucket();
	const row = bucket.public
		? await findObjectAsSuperuser(ctx, bucketId, key)
		: await findObjectAs(ctx, caller, factsOf(request), 'storage.object.info', bucketId, key);
	if (!row || !row.metadata) throw errors.noSuchKey();
	sendJson(request.res, 200, {
		id: row.id,
		name: row.name,
		version: row.version,
		bucket_id: row.bucket_id,
		size: row.metadata.size,
		content_type: row.metadata.mimetype,
		cache_control: row.metadata.cacheControl,
		etag: row.metadata.eTag,
		metadata: row.user_metadata ?? {},
		last_modified: iso(row.updated_at),
		created_at: iso(row.created_at)
	});
}

const SORT_COLUMNS = new Set(['name', 'updated_at', 'created_at', 'last_accessed_at']);

function likePrefix(text: string): string {
	return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * POST /object/list/<bucket>: the direct children of `prefix` the caller
 * may see: folders (name only) and files, prefix and `search` matched
 * without regard to case, sorted, paged by limit (at most 1,000) and offset.
 */
export async function listObjects(ctx: StorageContext, request: ApiRequest, bucketId: string): Promise<void> {
	const caller = callerOf(ctx, request);
	const input = await body(request);
	let prefix = typeof input.prefix === 'string' ? input.prefix : '';
	if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
	prefix = prefix.replace(/^\/+/, '');
	const search = typeof input.search === 'string' ? input.search : '';
	const limit = Math.min(Math.max(Number.isInteger(input.limit) ? (input.limit as number) : 100, 0), 1000);
	const offset = Math.max(Number.isInteger(input.offset) ? (input.offset as number) : 0, 0);
	const sortBy = (typeof input.sortBy === 'object' && input.sortBy !== null ? input.sortBy : {}) as { column?: unknown; order?: unknown };
	const column = typeof sortBy.column === 'string' && SORT_COLUMNS.has(sortBy.column) ? sortBy.column : 'name';
	const order = typeof sortBy.order === 'string' && sortBy.order.toLowerCase() === 'desc' ? 'desc' : 'asc';
	// Folders carry no timestamps: sorted by name they mix with files; by a
	// timestamp they come first, by name, as Storage lists them.
	const orderBy =
		column === 'name' ? `c.child collate "C" ${order}` : `c.is_folder desc, c.${column} ${order} nulls last, c.child collate "C" ${order}`;
	const sql = `
		with matched as (
			select substr(o.name, $3::int + 1) as rest, o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata
			  from storage.objects o
			 where o.bucket_id = $1
			   and lower(o.name) like lower($2) || '%' escape '\\'
			   and lower(substr(o.name, $3::int + 1)) like lower($4) || '%' escape '\\'
		), children as (
			select split_part(rest, '/', 1) as child, true as is_folder, null::uuid as id, null::timestamptz as updated_at,
			       null::timestamptz as created_at, null::timestamptz as last_accessed_at, null::jsonb as metadata
			  from matched where strpos(rest, '/') > 0 group by 1
			union all
			select rest, false, id, updated_at, created_at, last_accessed_at, metadata from matched where strpos(rest, '/') = 0
		)
		select pg_catalog.json_build_object('name', c.child, 'id', c.id, 'updated_at', c.updated_at, 'created_at', c.created_at,
		       'last_accessed_at', c.last_accessed_at, 'metadata', c.metadata)::text as row
		  from children c order by ${orderBy} limit $5 offset $6`;
	const [result] = await ctx.db.asCaller(caller, factsOf(request), 'storage.object.list', [
		{ text: sql, values: [bucketId, likePrefix(prefix), String(prefix.length), likePrefix(search), String(limit), String(offset)] }
	]);
	const rows = result.rows.map((r) => {
		const item = jsonColumn<Record<string, unknown>>(r, 'row');
		for (const k of ['updated_at', 'created_at', 'last_accessed_at']) item[k] = iso(item[k] as string | null);
		return item;
	});
	sendJson(request.res, 200, rows);
}

interface Transfer {
	bucketId: string;
	sourceKey: string;
	destinationBucket: string;
	destinationKey: string;
}

function transferOf(input: Record<string, unknown>): Transfer {
	for (const name of ['bucketId', 'sourceKey', 'destinationKey']) {
		if (typeof input[name] !== 'string' || input[name] === '') throw errors.missingParameter(name);
	}
	const bucketId = checkBucketName(input.bucketId);
	const destinationBucket = input.destinationBucket === undefined || input.destinationBucket === null ? bucketId : checkBucketName(input.destinationBucket);
	return { bucketId, sourceKey: checkKey(input.sourceKey as string), destinationBucket, destinationKey: checkKey(input.destinationKey as string) };
}

/**
 * POST /object/move: renames the row (the bytes stay where they are, named
 * by version). The caller must see the source and be allowed to update it
 * into its new place; the destination must be free.
 */
export async function moveObject(ctx: StorageContext, request: ApiRequest): Promise<void> {
	const caller = callerOf(ctx, request);
	const t = transferOf(await body(request));
	await findBucket(ctx, t.bucketId);
	if (t.destinationBucket !== t.bucketId) await findBucket(ctx, t.destinationBucket);
	const owner = caller.sub && /^[0-9a-f-]{36}$/i.test(caller.sub) ? caller.sub : null;
	const [seen, moved] = await ctx.db.asCaller(caller, factsOf(request), 'storage.object.move', [
		{ text: 'select count(*)::text as n from storage.objects where bucket_id = $1 and name = $2', values: [t.bucketId, t.sourceKey] },
		{
			text: `update storage.objects set bucket_id = $3, name = $4, owner = $5::uuid, owner_id = $6, updated_at = now()
			        where bucket_id = $1 and name = $2 returning id::text`,
			values: [t.bucketId, t.sourceKey, t.destinationBucket, t.destinationKey, owner, caller.sub]
		}
	]);
	if (seen.rows[0].n === '0') throw errors.noSuchKey();
	if (moved.rows.length === 0) throw errors.accessDenied('new row violates row-level security policy');
	sendJson(request.res, 200, { message: 'Successfully moved', Id: moved.rows[0].id, Key: t.destinationKey });
}

/**
 * POST /object/copy: the caller must see the source and pass the write
 * probe at the destination (x-upsert to replace); the bytes are copied to a
 * new version and recorded like an upload.
 */
export async function copyObject(ctx: StorageContext, request: ApiRequest): Promise<void> {
	const caller = callerOf(ctx, request);
	const input = await body(request);
	const t = transferOf(input);
	const upsert = header(request, 'x-upsert') === 'true';
	await findBucket(ctx, t.bucketId);
	if (t.destinationBucket !== t.bucketId) await findBucket(ctx, t.destinationBucket);
	const facts = factsOf(request);
	const source = await findObjectAs(ctx, caller, facts, 'storage.object.copy', t.bucketId, t.sourceKey);
	if (!source || !source.version || !source.metadata) throw errors.noSuchKey();
	const copyMetadata = input.copyMetadata !== false;
	const userMetadata = copyMetadata ? source.user_metadata : ((input.metadata as Record<string, unknown> | undefined) ?? null);
	const intent = {
		bucket: t.destinationBucket,
		key: t.destinationKey,
		owner: caller.sub,
		upsert,
		mimeType: source.metadata.mimetype,
		contentLength: source.metadata.size,
		userMetadata
	};
	await probeWrite(ctx, caller, facts, 'storage.object.copy', intent);
	const version = randomUUID();
	await ctx.files.copy(source.version, version);
	const row = await recordVersion(ctx, intent, version, { ...source.metadata, lastModified: new Date().toISOString() });
	sendJson(request.res, 200, { Id: row.id, Key: `${t.destinationBucket}/${t.destinationKey}`, ...objectJson(row) });
}

/**
 * DELETE /object/<bucket> { prefixes }: deletes the named objects the
 * caller may delete (the others are left out of the answer, as in Storage),
 * then their files.
 */
export async function removeObjects(ctx: StorageContext, request: ApiRequest, bucketId: string): Promise<void> {
	const caller = callerOf(ctx, request);
	const input = await body(request);
	const prefixes = input.prefixes;
	if (!Array.isArray(prefixes) || prefixes.length === 0 || prefixes.length > 1000 || !prefixes.every((p) => typeof p === 'string')) {
		throw errors.invalidRequest('prefixes must be a list of 1 to 1000 object names');
	}
	const names = (prefixes as string[]).map((p) => p.replace(/^\/+/, ''));
	const [result] = await ctx.db.asCaller(caller, factsOf(request), 'storage.object.delete_many', [
		{ text: `delete from storage.objects o where o.bucket_id = $1 and o.name = any($2::text[]) returning ${OBJECT_JSON}`, values: [bucketId, `{${names.map((n) => `"${n.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`] }
	]);
	const rows = result.rows.map((r) => jsonColumn<ObjectRow>(r, 'row'));
	for (const row of rows) await ctx.files.remove(row.version);
	sendJson(request.res, 200, rows.map(objectJson));
}

/** DELETE /object/<bucket>/<key>: one object. */
export async function removeObject(ctx: StorageContext, request: ApiRequest, bucketId: string, key: string): Promise<void> {
	const caller = callerOf(ctx, request);
	const [result] = await ctx.db.asCaller(caller, factsOf(request), 'storage.object.delete', [
		{ text: `delete from storage.objects o where o.bucket_id = $1 and o.name = $2 returning ${OBJECT_JSON}`, values: [bucketId, key] }
	]);
	const row = result.rows[0] ? jsonColumn<ObjectRow>(result.rows[0], 'row') : null;
	if (!row) throw errors.noSuchKey();
	await ctx.files.remove(row.version);
	sendJson(request.res, 200, { message: 'Successfully deleted' });
}
