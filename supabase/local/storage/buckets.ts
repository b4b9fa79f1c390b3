// Bucket routes (/bucket): list, get, create, update, empty, delete. Each
// runs as the caller, so RLS on storage.buckets decides (on Supabase only
// the service role manages buckets unless a policy says otherwise), and
// the buckets of config.toml are brought in line at start.
import type { ApiRequest } from '../gateway.ts';
import { readJson, sendJson } from '../http.ts';
import type { ConfigBucket } from '../config.ts';
import { callerOf, factsOf, ownerColumns, type StorageContext } from './context.ts';
import { jsonColumn, type StorageDatabase } from './database.ts';
import { errors } from './errors.ts';
import { checkBucketName } from './names.ts';

const BUCKET_JSON = `pg_catalog.json_build_object('id', b.id, 'name', b.name, 'owner', b.owner, 'public', b.public,
	'file_size_limit', b.file_size_limit, 'allowed_mime_types', b.allowed_mime_types, 'type', b.type,
	'created_at', b.created_at, 'updated_at', b.updated_at)::text as row`;

/** A bucket's file_size_limit as the API takes it: bytes, or "<n>b|kb|mb|gb" (1000-based), as Storage reads it. */
export function parseBucketSizeLimit(value: unknown, global: number): number | null {
	if (value === undefined || value === null || value === '' || value === 0) return null;
	let bytes: number;
	if (typeof value === 'number' && Number.isInteger(value) && value > 0) bytes = value;
	else if (typeof value === 'string') {
		const match = /^(\d+(?:\.\d+)?)(gb|mb|kb|b)?$/i.exec(value.trim());
		if (!match) throw errors.invalidRequest(`Invalid file size limit: ${value}`);
		const unit = { gb: 1e9, mb: 1e6, kb: 1e3, b: 1 }[(match[2] ?? 'b').toLowerCase() as 'gb' | 'mb' | 'kb' | 'b'];
		bytes = Math.floor(Number(match[1]) * unit);
	} else throw errors.invalidRequest('Invalid file size limit');
	if (bytes > global) throw errors.entityTooLarge();
	return bytes;
}

function mimeTypesOf(value: unknown): string[] | null {
	if (value === undefined || value === null) return null;
	if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && /^[\w.+-]+\/([\w.+-]+|\*)$/.test(v))) {
		throw errors.invalidRequest('allowed_mime_types must be a list of media types such as image/png or image/*');
	}
	return value as string[];
}

function textArray(values: string[] | null): string | null {
	return values === null ? null : `{${values.map((v) => `"${v}"`).join(',')}}`;
}

async function body(request: ApiRequest): Promise<Record<string, unknown>> {
	const value = await readJson(request.req);
	if (value === undefined) return {};
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw errors.invalidRequest('body must be a JSON object');
	return value as Record<string, unknown>;
}

function bucketJson(row: Record<string, unknown>): Record<string, unknown> {
	for (const k of ['created_at', 'updated_at']) if (typeof row[k] === 'string') row[k] = new Date(row[k] as string).toISOString();
	return row;
}

const SORT = new Set(['id', 'name', 'created_at', 'updated_at']);

export async function listBuckets(ctx: StorageContext, request: ApiRequest): Promise<void> {
	const caller = callerOf(ctx, request);
	const q = request.url.searchParams;
	const limit = q.has('limit') ? Math.max(0, Math.floor(Number(q.get('limit')) || 0)) : null;
	const offset = Math.max(0, Math.floor(Number(q.get('offset')) || 0));
	const column = SORT.has(q.get('sortColumn') ?? '') ? q.get('sortColumn')! : 'name';
	const order = q.get('sortOrder')?.toLowerCase() === 'desc' ? 'desc' : 'asc';
	const search = q.get('search') ?? '';
	const [result] = await ctx.db.asCaller(caller, factsOf(request), 'storage.bucket.list', [
		{
			text: `select ${BUCKET_JSON} from storage.buckets b
			        where b.name ilike '%' || replace(replace(replace($1, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'
			        order by b.${column} ${order} limit $2::bigint offset $3::bigint`,
			values: [search, limit === null ? null : String(limit), String(offset)]
		}
	]);
	sendJson(request.res, 200, result.rows.map((r) => bucketJson(jsonColumn(r, 'row'))));
}

export async function getBucket(ctx: StorageContext, request: ApiRequest, id: string): Promise<void> {
	const caller = callerOf(ctx, request);
	const [result] = await ctx.db.asCaller(caller, factsOf(request), 'storage.bucket.get', [
		{ text: `select ${BUCKET_JSON} from storage.buckets b where b.id = $1`, values: [id] }
	]);
	if (!result.rows[0]) throw errors.noSuchBucket();
	const row = bucketJson(jsonColumn(result.rows[0], 'row'));
	delete row.type;
	sendJson(request.res, 200, row);
}

export async function createBucket(ctx: StorageContext, request: ApiRequest): Promise<void> {
	const caller = callerOf(ctx, request);
	const input = await body(request);
	const name = checkBucketName(input.name ?? input.id);
	const id = input.id === undefined ? name : checkBucketName(input.id);
	const { owner, ownerId } = ownerColumns(caller.sub);
	const limit = parseBucketSizeLimit(input.file_size_limit, ctx.settings.fileSizeLimit);
	try {
		await ctx.db.asCaller(caller, factsOf(request), 'storage.bucket.create', [
			{
				text: `insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
				        values ($1, $2, $3::uuid, $4, $5::boolean, $6::bigint, $7::text[])`,
				values: [id, name, owner, ownerId, String(input.public === true), limit === null ? null : String(limit), textArray(mimeTypesOf(input.allowed_mime_types))]
			}
		]);
	} catch (error) {
		if ((error as { body?: { code?: string } }).body?.code === 'KeyAlreadyExists') throw errors.bucketExists();
		throw error;
	}
	sendJson(request.res, 200, { name: id });
}

export async function updateBucket(ctx: StorageContext, request: ApiRequest, id: string): Promise<void> {
	const caller = callerOf(ctx, request);
	const input = await body(request);
	const sets: string[] = [];
	const values: Array<string | null> = [id];
	if (input.public !== undefined) {
		values.push(String(input.public === true));
		sets.push(`public = $${values.length}::boolean`);
	}
	if (input.file_size_limit !== undefined) {
		const limit = parseBucketSizeLimit(input.file_size_limit, ctx.settings.fileSizeLimit);
		values.push(limit === null ? null : String(limit));
		sets.push(`file_size_limit = $${values.length}::bigint`);
	}
	if (input.allowed_mime_types !== undefined) {
		values.push(textArray(mimeTypesOf(input.allowed_mime_types)));
		sets.push(`allowed_mime_types = $${values.length}::text[]`);
	}
	if (sets.length === 0) throw errors.invalidRequest('Nothing to update: give public, file_size_limit or allowed_mime_types');
	const [result] = await ctx.db.asCaller(caller, factsOf(request), 'storage.bucket.update', [
		{ text: `update storage.buckets set ${sets.join(', ')}, updated_at = now() where id = $1 returning id`, values }
	]);
	if (!result.rows[0]) throw errors.noSuchBucket();
	sendJson(request.res, 200, { message: 'Successfully updated' });
}

export async function deleteBucket(ctx: StorageContext, request: ApiRequest, id: string): Promise<void> {
	const caller = callerOf(ctx, request);
	await readJson(request.req);
	const { rows } = await ctx.db.adminPool.query('select 1 from storage.objects where bucket_id = $1 limit 1', [id]);
	if (rows.length > 0) throw errors.bucketNotEmpty();
	const [result] = await ctx.db.asCaller(caller, factsOf(request), 'storage.bucket.delete', [
		{ text: 'delete from storage.buckets where id = $1 returning id', values: [id] }
	]);
	if (!result.rows[0]) throw errors.noSuchBucket();
	sendJson(request.res, 200, { message: 'Successfully deleted' });
}

/** POST /bucket/<id>/empty: the service role only (a real 403 otherwise), as in Storage. */
export async function emptyBucket(ctx: StorageContext, request: ApiRequest, id: string): Promise<void> {
	const caller = callerOf(ctx, request);
	if (caller.role !== 'service_role') throw errors.roleDenied('Access denied: Invalid role');
	await readJson(request.req);
	const versions = await ctx.db.asSuperuser(async (client) => {
		const bucket = await client.query('select 1 from storage.buckets where id = $1', [id]);
		if (bucket.rows.length === 0) throw errors.noSuchBucket();
		const deleted = await client.query<{ version: string | null }>('delete from storage.objects where bucket_id = $1 returning version', [id]);
		return deleted.rows.map((r) => r.version);
	});
	for (const version of versions) await ctx.files.remove(version);
	sendJson(request.res, 200, { message: 'Successfully emptied' });
}

/** Creates the buckets of config.toml, or brings existing ones in line with it. */
export async function syncConfigBuckets(db: StorageDatabase, buckets: ConfigBucket[]): Promise<void> {
	for (const b of buckets) {
		checkBucketName(b.id);
		await db.adminPool.query(
			`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) values ($1, $1, $2, $3, $4)
			 on conflict (id) do update set public = excluded.public, file_size_limit = excluded.file_size_limit,
			   allowed_mime_types = excluded.allowed_mime_types, updated_at = now()
			 where (storage.buckets.public, storage.buckets.file_size_limit, storage.buckets.allowed_mime_types)
			   is distinct from (excluded.public, excluded.file_size_limit, excluded.allowed_mime_types)`,
			[b.id, b.public, b.fileSizeLimit, b.allowedMimeTypes]
		);
	}
}
