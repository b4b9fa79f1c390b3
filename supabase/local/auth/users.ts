// auth.users and auth.identities as GoTrue reads and writes them. Writes are
// plain INSERT/UPDATE statements in the order GoTrue issues them, so triggers
// on auth.users see the same rows and the same sequence of updates.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { AUDIENCE } from './context.ts';

export type Json = Record<string, unknown>;

export interface UserRecord {
	id: string;
	aud: string | null;
	role: string | null;
	email: string | null;
	encrypted_password: string | null;
	email_confirmed_at: string | null;
	invited_at: string | null;
	confirmation_token: string | null;
	confirmation_sent_at: string | null;
	recovery_token: string | null;
	recovery_sent_at: string | null;
	email_change_token_new: string | null;
	email_change: string | null;
	email_change_sent_at: string | null;
	email_change_token_current: string | null;
	email_change_confirm_status: number | null;
	last_sign_in_at: string | null;
	raw_app_meta_data: Json | null;
	raw_user_meta_data: Json | null;
	created_at: string | null;
	updated_at: string | null;
	phone: string | null;
	phone_confirmed_at: string | null;
	phone_change: string | null;
	phone_change_sent_at: string | null;
	confirmed_at: string | null;
	reauthentication_token: string | null;
	reauthentication_sent_at: string | null;
	banned_until: string | null;
	deleted_at: string | null;
	is_anonymous: boolean;
	is_sso_user: boolean;
}

export interface IdentityRecord {
	id: string;
	provider_id: string;
	user_id: string;
	identity_data: Json;
	provider: string;
	last_sign_in_at: string | null;
	created_at: string | null;
	updated_at: string | null;
	email: string | null;
}

const USER_TIMESTAMPS = [
	'email_confirmed_at', 'invited_at', 'confirmation_sent_at', 'recovery_sent_at', 'email_change_sent_at', 'last_sign_in_at',
	'created_at', 'updated_at', 'phone_confirmed_at', 'phone_change_sent_at', 'confirmed_at', 'reauthentication_sent_at',
	'banned_until', 'deleted_at'
] as const;
const USER_PLAIN = [
	'id', 'aud', 'role', 'email', 'encrypted_password', 'confirmation_token', 'recovery_token', 'email_change_token_new',
	'email_change', 'email_change_token_current', 'email_change_confirm_status', 'raw_app_meta_data', 'raw_user_meta_data',
	'phone', 'phone_change', 'reauthentication_token', 'is_anonymous', 'is_sso_user'
] as const;

/** A timestamp column as GoTrue's JSON writes it (RFC 3339, UTC, microseconds). */
function timestamp(column: string, alias = column): string {
	return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ${alias}`;
}

const USER_COLUMNS = [...USER_PLAIN.map((c) => `u.${c}`), ...USER_TIMESTAMPS.map((c) => timestamp(`u.${c}`, c))].join(', ');
const IDENTITY_COLUMNS = [
	'i.id', 'i.provider_id', 'i.user_id', 'i.identity_data', 'i.provider', 'i.email',
	timestamp('i.last_sign_in_at', 'last_sign_in_at'), timestamp('i.created_at', 'created_at'), timestamp('i.updated_at', 'updated_at')
].join(', ');

/** Go's RFC3339Nano drops trailing zeros of the fraction; so do we. */
function trimFraction(value: string | null): string | null {
	if (value === null) return null;
	return value.replace(/(\.\d*?)0+Z$/, '$1Z').replace(/\.Z$/, 'Z');
}

function toUser(row: Record<string, unknown>): UserRecord {
	const user = { ...row } as unknown as UserRecord;
	for (const column of USER_TIMESTAMPS) (user as unknown as Record<string, unknown>)[column] = trimFraction(row[column] as string | null);
	return user;
}

function toIdentity(row: Record<string, unknown>): IdentityRecord {
	return {
		...(row as unknown as IdentityRecord),
		last_sign_in_at: trimFraction(row.last_sign_in_at as string | null),
		created_at: trimFraction(row.created_at as string | null),
		updated_at: trimFraction(row.updated_at as string | null)
	};
}

export interface Queryable {
	query: Db['query'];
}

export async function findUserById(db: Queryable, id: string, forUpdate = false): Promise<UserRecord | null> {
	const { rows } = await db.query(`select ${USER_COLUMNS} from auth.users u where u.id = $1${forUpdate ? ' for update' : ''}`, [id]);
	return rows[0] ? toUser(rows[0]) : null;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRecord | null> {
	const { rows } = await db.query(
		`select ${USER_COLUMNS} from auth.users u
		 where lower(u.email) = lower($1) and u.aud = $2 and u.is_sso_user = false
		 order by u.created_at limit 1`,
		[email, AUDIENCE]
	);
	return rows[0] ? toUser(rows[0]) : null;
}

export async function listUsers(db: Queryable, page: number, perPage: number): Promise<{ users: UserRecord[]; total: number }> {
	const { rows } = await db.query(
		`select ${USER_COLUMNS}, count(*) over () as total_count from auth.users u
		 where u.aud = $1 order by u.created_at desc, u.id limit $2 offset $3`,
		[AUDIENCE, perPage, (page - 1) * perPage]
	);
	let total = rows.length > 0 ? Number(rows[0].total_count) : 0;
	if (rows.length === 0) {
		const count = await db.query('select count(*)::int as n from auth.users where aud = $1', [AUDIENCE]);
		total = count.rows[0].n;
	}
	return { users: rows.map((r) => toUser(r)), total };
}

export async function identitiesOf(db: Queryable, userId: string): Promise<IdentityRecord[]> {
	const { rows } = await db.query(`select ${IDENTITY_COLUMNS} from auth.identities i where i.user_id = $1 order by i.created_at, i.id`, [userId]);
	return rows.map((r) => toIdentity(r));
}

export async function identitiesOfUsers(db: Queryable, userIds: string[]): Promise<Map<string, IdentityRecord[]>> {
	const byUser = new Map<string, IdentityRecord[]>(userIds.map((id) => [id, []]));
	if (userIds.length === 0) return byUser;
	const { rows } = await db.query(`select ${IDENTITY_COLUMNS} from auth.identities i where i.user_id = any($1::uuid[]) order by i.created_at, i.id`, [userIds]);
	for (const row of rows) byUser.get(row.user_id as string)?.push(toIdentity(row));
	return byUser;
}

/** SQL `now()` as a value of an update. */
export const NOW = Symbol('now');
export type ColumnValue = string | number | boolean | null | Json | typeof NOW;

const WRITABLE_USER_COLUMNS = new Set<string>([
	'aud', 'role', 'email', 'encrypted_password', 'email_confirmed_at', 'invited_at', 'confirmation_token', 'confirmation_sent_at',
	'recovery_token', 'recovery_sent_at', 'email_change_token_new', 'email_change', 'email_change_sent_at', 'email_change_token_current',
	'email_change_confirm_status', 'last_sign_in_at', 'raw_app_meta_data', 'raw_user_meta_data', 'phone', 'phone_confirmed_at',
	'phone_change', 'phone_change_token', 'phone_change_sent_at', 'reauthentication_token', 'reauthentication_sent_at', 'banned_until',
	'deleted_at', 'is_anonymous'
]);

function assignments(changes: Record<string, ColumnValue>, allowed: Set<string>, firstParam: number): { sql: string; values: unknown[] } {
	const parts: string[] = [];
	const values: unknown[] = [];
	for (const [column, value] of Object.entries(changes)) {
		if (!allowed.has(column)) throw new Error(`auth: column ${column} cannot be written`);
		if (value === NOW) {
			parts.push(`${column} = now()`);
		} else {
			values.push(value !== null && typeof value === 'object' ? JSON.stringify(value) : value);
			parts.push(`${column} = $${firstParam + values.length - 1}`);
		}
	}
	return { sql: parts.join(', '), values };
}

/** UPDATE auth.users like pop's UpdateOnly: the given columns plus updated_at. */
export async function updateUser(db: Db, id: string, changes: Record<string, ColumnValue>): Promise<UserRecord> {
	const set = assignments(changes, WRITABLE_USER_COLUMNS, 2);
	const { rows } = await db.query(
		`update auth.users u set ${set.sql}${set.sql ? ', ' : ''}updated_at = now() where u.id = $1 returning ${USER_COLUMNS}`,
		[id, ...set.values]
	);
	if (!rows[0]) throw new Error(`auth: user ${id} vanished during an update`);
	return toUser(rows[0]);
}

export interface NewUser {
	id?: string;
	/** null: no address (an anonymous user; GoTrue stores its empty email as NULL). */
	email: string | null;
	encryptedPassword: string;
	userMetadata: Json;
	appMetadata: Json;
	/** signInAnonymously(): no email, no identity. */
	isAnonymous?: boolean;
}

/** INSERT as GoTrue's signup does: empty role (set by the next update), empty token columns. */
export async function insertUser(db: Db, user: NewUser): Promise<UserRecord> {
	const { rows } = await db.query(
		`insert into auth.users as u (
			instance_id, id, aud, role, email, encrypted_password, confirmation_token, recovery_token, email_change_token_new,
			email_change, email_change_token_current, email_change_confirm_status, phone_change, phone_change_token,
			reauthentication_token, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_sso_user, is_anonymous)
		 values ('00000000-0000-0000-0000-000000000000', $1, $2, '', $3, $4, '', '', '', '', '', 0, '', '', '', $5, $6, now(), now(), false, $7)
		 returning ${USER_COLUMNS}`,
		[user.id ?? randomUUID(), AUDIENCE, user.email, user.encryptedPassword, JSON.stringify(user.appMetadata), JSON.stringify(user.userMetadata), user.isAnonymous === true]
	);
	return toUser(rows[0]);
}

export async function deleteUser(db: Db, id: string): Promise<void> {
	await db.query('delete from auth.users where id = $1', [id]);
}

export async function insertIdentity(db: Db, userId: string, provider: string, data: Json): Promise<IdentityRecord> {
	const { rows } = await db.query(
		`insert into auth.identities as i (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
		 values ($1, $2, $3, $4, $5, now(), now(), now()) returning ${IDENTITY_COLUMNS}`,
		[randomUUID(), String(data.sub), userId, JSON.stringify(data), provider]
	);
	return toIdentity(rows[0]);
}

/** Merges keys into identity_data (GoTrue's UpdateIdentityData). */
export async function mergeIdentityData(db: Db, identityId: string, updates: Json): Promise<void> {
	await db.query('update auth.identities set identity_data = identity_data || $2::jsonb, updated_at = now() where id = $1', [identityId, JSON.stringify(updates)]);
}

/** Applies GoTrue's metadata merge: a null value deletes the key. */
export function mergeMetadata(current: Json | null, updates: Json): Json {
	const merged: Json = { ...(current ?? {}) };
	for (const [key, value] of Object.entries(updates)) {
		if (value === null) delete merged[key];
		else merged[key] = value;
	}
	return merged;
}

/** Recomputes app_metadata.provider(s) from the user's identities (UpdateAppMetaDataProviders). */
export async function refreshProviders(db: Db, user: UserRecord): Promise<UserRecord> {
	const { rows } = await db.query<{ provider: string }>(
		'select distinct provider from auth.identities where user_id = $1 order by provider',
		[user.id]
	);
	const providers = rows.map((r) => r.provider);
	const updates: Json = { providers };
	if (providers.length > 0) updates.provider = providers[0];
	return updateUser(db, user.id, { raw_app_meta_data: mergeMetadata(user.raw_app_meta_data, updates) });
}

export function isBanned(user: UserRecord): boolean {
	return user.banned_until !== null && Date.parse(user.banned_until) > Date.now();
}
