// How the Storage service talks to Postgres. Everything RLS decides runs as
// the caller, the way REST runs a request (rest/execute.ts): logged in as
// `authenticator`, one transaction with `role` set to the JWT's role and
// request.jwt.claims (plus Storage's own request.jwt.claim.*,
// storage.operation and storage.allow_delete_query) set local to it. What
// Supabase Storage does as its superuser (bucket limits, recording an
// object once its bytes are safely on disk, emptiness checks) runs on the
// stack's admin pool.
import pg from 'pg';
import { runTransaction, type Statement, type StatementResult } from '../rest/execute.ts';
import { fromDatabaseError } from './errors.ts';

export interface Caller {
	/** The Postgres role the request runs as: the JWT's role, `anon` without a valid JWT. */
	role: string;
	/** request.jwt.claims: the token's claims with `role` always present. */
	claims: string;
	/** The JWT's `sub` (owner_id of what it uploads). */
	sub: string | null;
	/** The raw token, for signed-URL issuing (null for anonymous). */
	token: string | null;
}

export interface RequestFacts {
	method: string;
	path: string;
	headers: Record<string, unknown>;
}

export class StorageDatabase {
	readonly userPool: pg.Pool;
	readonly adminPool: pg.Pool;
	private readonly roleSettings: Map<string, Array<[string, string]>>;

	constructor(userPool: pg.Pool, adminPool: pg.Pool, roleSettings: Map<string, Array<[string, string]>>) {
		this.userPool = userPool;
		this.adminPool = adminPool;
		this.roleSettings = roleSettings;
	}

	private settings(caller: Caller, request: RequestFacts, operation: string): Array<[string, string]> {
		const settings: Array<[string, string]> = [
			['role', caller.role],
			['request.jwt.claims', caller.claims],
			['request.jwt.claim.role', caller.role],
			['request.jwt.claim.sub', caller.sub ?? ''],
			['request.method', request.method],
			['request.path', request.path],
			['request.headers', JSON.stringify(request.headers)],
			['storage.operation', operation],
			['storage.allow_delete_query', 'true'],
			['search_path', 'public, extensions']
		];
		for (const s of this.roleSettings.get(caller.role) ?? []) settings.push(s);
		return settings;
	}

	/**
	 * Runs statements as the caller in one transaction: committed, or rolled
	 * back ('probe': Storage's permission checks, which try the write and
	 * undo it). Database errors come back as Storage's (RLS refusal: 403
	 * AccessDenied; duplicate: 409).
	 */
	async asCaller(caller: Caller, request: RequestFacts, operation: string, statements: Statement[], end: 'commit' | 'probe' = 'commit'): Promise<StatementResult[]> {
		try {
			return await runTransaction(this.userPool, {
				readOnly: false,
				settings: this.settings(caller, request, operation),
				statements,
				end: end === 'probe' ? 'rollback' : 'commit'
			});
		} catch (error) {
			throw fromDatabaseError(error);
		}
	}

	/** One transaction on the admin pool (superuser, no RLS); `storage.allow_delete_query` is on. */
	async asSuperuser<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
		const client = await this.adminPool.connect();
		let broken: Error | undefined;
		try {
			await client.query("begin; select set_config('storage.allow_delete_query', 'true', true)");
			const result = await work(client);
			await client.query('commit');
			return result;
		} catch (error) {
			await client.query('rollback').catch((e: Error) => (broken = e));
			throw fromDatabaseError(error);
		} finally {
			client.release(broken);
		}
	}
}

/** Each role's own settings (statement_timeout, ...), which REST applies per request too. */
export async function loadRoleSettings(pool: pg.Pool): Promise<Map<string, Array<[string, string]>>> {
	const { rows } = await pool.query<{ role: string; settings: string[] | null }>(
		`select r.rolname as role, s.setconfig as settings
		   from pg_catalog.pg_db_role_setting s
		   join pg_catalog.pg_roles r on r.oid = s.setrole
		  where s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
		  order by s.setdatabase`
	);
	const map = new Map<string, Array<[string, string]>>();
	for (const row of rows) {
		const list = map.get(row.role) ?? [];
		for (const entry of row.settings ?? []) {
			const eq = entry.indexOf('=');
			const key = entry.slice(0, eq);
			if (eq <= 0 || key === 'search_path' || key === 'role') continue;
			const at = list.findIndex(([k]) => k === key);
			if (at >= 0) list[at] = [key, entry.slice(eq + 1)];
			else list.push([key, entry.slice(eq + 1)]);
		}
		map.set(row.role, list);
	}
	return map;
}

/** A JSON column of a text-mode result row (rest/execute.ts returns text). */
export function jsonColumn<T>(row: Record<string, string | null>, column: string): T {
	const text = row[column];
	return (text === null ? null : JSON.parse(text)) as T;
}
