// The object operations shared by the routes: bucket lookups, reading an
// object's row as the caller (RLS) or as Storage's superuser, the
// permission probe of a write, and recording a version once its bytes are
// on disk.
import { randomUUID } from 'node:crypto';
import { runTransaction } from '../rest/execute.ts';
import type { Caller, RequestFacts } from './database.ts';
import { jsonColumn } from './database.ts';
import type { StorageContext } from './context.ts';
import { ownerColumns } from './context.ts';
import { errors, fromDatabaseError } from './errors.ts';

export interface BucketRow {
	id: string;
	name: string;
	owner: string | null;
	owner_id: string | null;
	public: boolean;
	file_size_limit: number | null;
	allowed_mime_types: string[] | null;
	type: string;
	created_at: string;
	updated_at: string;
}

export interface ObjectMetadata {
	eTag: string;
	size: number;
	mimetype: string;
	cacheControl: string;
	lastModified: string;
	contentLength: number;
	httpStatusCode: number;
}

export interface ObjectRow {
	id: string;
	bucket_id: string;
	name: string;
	owner: string | null;
	owner_id: string | null;
	version: string | null;
	metadata: ObjectMetadata | null;
	user_metadata: Record<string, unknown> | null;
	created_at: string;
	updated_at: string;
	last_accessed_at: string;
}

const BUCKET_COLUMNS = 'id, name, owner, owner_id, public, file_size_limit, allowed_mime_types, type, created_at, updated_at';
export const OBJECT_JSON = "(pg_catalog.to_jsonb(o) - 'path_tokens')::text as row";

/** The bucket as Storage's superuser sees it (limits apply whatever RLS says), or 404 NoSuchBucket. */
export async function findBucket(ctx: StorageContext, id: string): Promise<BucketRow> {
	const { rows } = await ctx.db.adminPool.query<BucketRow>(`select ${BUCKET_COLUMNS} from storage.buckets where id = $1`, [id]);
	if (!rows[0]) throw errors.noSuchBucket();
	const row = rows[0];
	return { ...row, file_size_limit: row.file_size_limit === null ? null : Number(row.file_size_limit) };
}

/** The object's row as the caller may see it (RLS), or null. */
export async function findObjectAs(ctx: StorageContext, caller: Caller, facts: RequestFacts, operation: string, bucket: string, key: string): Promise<ObjectRow | null> {
	const [result] = await ctx.db.asCaller(caller, facts, operation, [
		{ text: `select ${OBJECT_JSON} from storage.objects o where o.bucket_id = $1 and o.name = $2`, values: [bucket, key] }
	]);
	return result.rows[0] ? jsonColumn<ObjectRow>(result.rows[0], 'row') : null;
}

/** Whether the caller may see the object (RLS): what signing a URL needs, without reading the row. */
export async function objectVisibleTo(ctx: StorageContext, caller: Caller, facts: RequestFacts, operation: string, bucket: string, key: string): Promise<boolean> {
	const [result] = await ctx.db.asCaller(caller, facts, operation, [
		{ text: 'select 1 as visible from storage.objects o where o.bucket_id = $1 and o.name = $2', values: [bucket, key] }
	]);
	return result.rows.length > 0;
}

export async function findObjectAsSuperuser(ctx: StorageContext, bucket: string, key: string): Promise<ObjectRow | null> {
	const { rows } = await ctx.db.adminPool.query<{ row: ObjectRow }>(
		`select (pg_catalog.to_jsonb(o) - 'path_tokens') as row from storage.objects o where o.bucket_id = $1 and o.name = $2`,
		[bucket, key]
	);
	return rows[0]?.row ?? null;
}

/** The largest upload a bucket takes: its own limit within the global one. */
export function sizeLimitOf(ctx: StorageContext, bucket: BucketRow): number {
	const global = ctx.settings.fileSizeLimit;
	return bucket.file_size_limit !== null && bucket.file_size_limit > 0 ? Math.min(bucket.file_size_limit, global) : global;
}

/** Refuses a media type the bucket does not list (415); `type/*` entries match the whole type. */
export function checkMimeType(bucket: BucketRow, mimeType: string): void {
	const allowed = bucket.allowed_mime_types;
	if (!allowed || allowed.length === 0) return;
	const [essence] = mimeType.toLowerCase().split(';');
	const type = essence.trim();
	const ok = allowed.some((entry) => {
		const want = entry.toLowerCase().trim();
		return want.endsWith('/*') ? type.startsWith(want.slice(0, -1)) : want === type;
	});
	if (!ok) throw errors.invalidMimeType(mimeType);
}

export interface WriteIntent {
	bucket: string;
	key: string;
	owner: string | null;
	upsert: boolean;
	mimeType: string;
	contentLength: number;
	userMetadata: Record<string, unknown> | null;
}

/**
 * Storage's permission check of a write: the insert (or upsert) the caller
 * would make, run as the caller and rolled back. RLS refusal: 403; an
 * existing object without upsert: 409.
 */
export async function probeWrite(ctx: StorageContext, caller: Caller, facts: RequestFacts, operation: string, intent: WriteIntent): Promise<void> {
	const { owner, ownerId } = ownerColumns(intent.owner);
	const insert = `insert into storage.objects (bucket_id, name, owner, owner_id, metadata, user_metadata, version)
		values ($1, $2, $3::uuid, $4, $5::jsonb, $6::jsonb, $7)`;
	const upsert = `${insert} on conflict (bucket_id, name) do update set owner = excluded.owner, owner_id = excluded.owner_id,
		metadata = excluded.metadata, user_metadata = excluded.user_metadata, version = excluded.version`;
	await ctx.db.asCaller(
		caller,
		facts,
		operation,
		[
			{
				text: intent.upsert ? upsert : insert,
				values: [
					intent.bucket,
					intent.key,
					owner,
					ownerId,
					JSON.stringify({ mimetype: intent.mimeType, contentLength: intent.contentLength }),
					intent.userMetadata === null ? null : JSON.stringify(intent.userMetadata),
					randomUUID()
				]
			}
		],
		'probe'
	);
}

/**
 * Records a new version whose bytes are already in place under `version`
 * (Storage does this as its superuser once the permission probe passed).
 * Writers of one key are serialised by an advisory lock; without upsert an
 * existing object makes it 409 (a plain insert), so of two uploads to a
 * free key exactly one wins. The replaced version's file is removed after
 * the commit. On any failure the new version's file is removed.
 */
export async function recordVersion(
	ctx: StorageContext,
	intent: Omit<WriteIntent, 'contentLength'>,
	version: string,
	metadata: ObjectMetadata
): Promise<ObjectRow> {
	const { owner, ownerId } = ownerColumns(intent.owner);
	const values = [
		owner,
		ownerId,
		JSON.stringify(metadata),
		intent.userMetadata === null ? null : JSON.stringify(intent.userMetadata),
		version,
		intent.bucket,
		intent.key
	];
	const insert = `insert into storage.objects as o (owner, owner_id, metadata, user_metadata, version, bucket_id, name)
		values ($1::uuid, $2, $3::jsonb, $4::jsonb, $5, $6, $7)`;
	// One round trip: the key's lock, then the write in a statement of its own
	// (so its snapshot sees whatever the lock waited for).
	const write = intent.upsert
		? `with old as materialized (select version from storage.objects where bucket_id = $6 and name = $7)
			${insert} on conflict (bucket_id, name) do update set owner = excluded.owner, owner_id = excluded.owner_id,
				metadata = excluded.metadata, user_metadata = excluded.user_metadata, version = excluded.version, last_accessed_at = now()
			returning (pg_catalog.to_jsonb(o) - 'path_tokens')::text as row, (select version from old) as replaced`
		: `${insert} returning (pg_catalog.to_jsonb(o) - 'path_tokens')::text as row, null::text as replaced`;
	let result;
	try {
		[, result] = await runTransaction(ctx.db.adminPool, {
			readOnly: false,
			settings: [],
			statements: [
				{ text: 'select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 0))::text', values: [`${intent.bucket}/${intent.key}`] },
				{ text: write, values }
			],
			end: 'commit'
		});
	} catch (error) {
		await ctx.files.remove(version);
		throw fromDatabaseError(error);
	}
	const replaced = result.rows[0].replaced;
	if (replaced && replaced !== version) await ctx.files.remove(replaced);
	return jsonColumn<ObjectRow>(result.rows[0], 'row');
}

export function newMetadata(received: { size: number; eTag: string }, mimeType: string, cacheControl: string): ObjectMetadata {
	return {
		eTag: received.eTag,
		size: received.size,
		mimetype: mimeType,
		cacheControl,
		lastModified: new Date().toISOString(),
		contentLength: received.size,
		httpStatusCode: 200
	};
}
