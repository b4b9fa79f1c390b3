// Decides who may see a change, as Realtime does for postgres_changes: the
// subscriber's role needs SELECT on the columns it receives (the primary key
// at least), and with RLS on, a SELECT of the row by its key, run as the
// subscriber's role with its JWT claims, must find it. Runs on connections of
// the `authenticator` role with bound parameters only; subscribers with equal
// role and claims are checked once.
import pg from 'pg';
import { createRequestPool } from '../rest/execute.ts';

export interface TableAccess {
	rlsEnabled: boolean;
	/** Primary key columns (what the RLS check selects the row by). */
	primaryKey: string[];
	/** Columns each role may SELECT. */
	selectable: Map<string, Set<string>>;
}

export interface Visibility {
	visible: boolean;
	error: string | null;
}

function isConnectionError(error: unknown): boolean {
	const code = (error as { code?: string }).code;
	return code === undefined || code === '57P01' || code === '57P02' || code === '57P03' || code === '08006' || code === '08003';
}

/** Checks of concurrent changes run side by side on this many connections. */
const POOL_SIZE = 6;

export class Authorizer {
	private readonly pool: pg.Pool;
	private readonly log: (message: string) => void;
	private warmed = false;

	constructor(authenticatorUrl: string, applicationName: string, log: (message: string) => void) {
		this.log = log;
		this.pool = createRequestPool(authenticatorUrl, POOL_SIZE, (message) => log(`authorizer: ${message}`), {
			application_name: applicationName,
			// A policy that never finishes must not hold up every later change.
			statement_timeout: 5_000,
			// Kept open: a new connection costs tens of ms before its first check
			// (connecting, catalog caches, compiling the check function).
			idleTimeoutMillis: 0
		});
	}

	/**
	 * Opens the pool's connections and compiles the check function on each, so that
	 * the first changes after subscribing are not held up by cold connections.
	 */
	warm(): void {
		if (this.warmed) return;
		this.warmed = true;
		void (async () => {
			const clients: pg.PoolClient[] = [];
			try {
				for (const result of await Promise.allSettled(Array.from({ length: POOL_SIZE }, () => this.pool.connect()))) {
					if (result.status === 'fulfilled') clients.push(result.value);
				}
				await Promise.all(clients.map((c) => c.query('select from realtime.local_visible_to(null, null, null, null, null, null)')));
			} catch (error) {
				this.warmed = false;
				this.log(`authorizer: could not warm connections: ${error instanceof Error ? error.message : error}`);
			} finally {
				for (const c of clients) c.release();
			}
		})();
	}

	/** Runs a query, once more on a fresh connection when the first one was cut (a database restart). */
	private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
		try {
			return await this.pool.query<R>(text, values);
		} catch (error) {
			if (!isConnectionError(error)) throw error;
			return await this.pool.query<R>(text, values);
		}
	}

	/**
	 * Privileges and RLS flag of a table for `roles`, and, when `rls` is given, the RLS
	 * check of one row for each (role, claims) group: one round trip for both. The check
	 * waits until the writer's transaction (`writerXid`) is visible to new snapshots.
	 */
	async inspect(
		relationId: number,
		roles: string[],
		rls?: { keyColumns: string[]; keyValues: string[]; writerXid: number; groups: Array<{ role: string; claims: string }> }
	): Promise<{ access: TableAccess; visibility: Visibility[] | null }> {
		const { rows } = await this.query<{ access: Array<{ role: string; rls: boolean; pkey: string[]; columns: string[] }> | null; checks: Array<{ subscriber: number; visible: boolean; error: string | null }> | null }>(
			`select
			   (select json_agg(x) from (
			      select r.role, c.relrowsecurity as rls,
			             array(select k.attname::text
			                     from pg_catalog.pg_index i
			                     join pg_catalog.pg_attribute k on k.attrelid = i.indrelid and k.attnum = any(i.indkey)
			                    where i.indrelid = c.oid and i.indisprimary
			                    order by k.attnum) as pkey,
			             coalesce(array_agg(a.attname::text order by a.attnum) filter (
			               where exists (select from pg_catalog.pg_roles where rolname = r.role)
			                 and pg_catalog.has_column_privilege(r.role, c.oid, a.attnum, 'SELECT')), '{}') as columns
			        from unnest($2::text[]) as r(role)
			        cross join pg_catalog.pg_class c
			        join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
			       where c.oid = $1
			       group by r.role, c.oid, c.relrowsecurity) x) as access,
			   case when $3::text[] is null then null else
			     (select json_agg(v) from realtime.local_visible_to($1::oid::regclass, $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint) v)
			   end as checks`,
			[
				relationId,
				roles,
				rls ? rls.keyColumns : null,
				rls ? rls.keyValues : null,
				rls ? rls.groups.map((g) => g.role) : null,
				rls ? rls.groups.map((g) => g.claims) : null,
				rls ? rls.writerXid : null
			]
		);
		const selectable = new Map<string, Set<string>>();
		for (const role of roles) selectable.set(role, new Set());
		let rlsEnabled = false;
		let primaryKey: string[] = [];
		for (const row of rows[0]?.access ?? []) {
			rlsEnabled = row.rls;
			primaryKey = row.pkey;
			selectable.set(row.role, new Set(row.columns));
		}
		let visibility: Visibility[] | null = null;
		if (rls) {
			visibility = rls.groups.map(() => ({ visible: false, error: 'no answer' }));
			for (const check of rows[0]?.checks ?? []) visibility[check.subscriber - 1] = { visible: check.visible === true, error: check.error };
		}
		return { access: { rlsEnabled, primaryKey, selectable }, visibility };
	}

	/** Checks a role exists (Realtime refuses subscriptions for unknown roles). */
	async roleExists(role: string): Promise<boolean> {
		const { rowCount } = await this.query('select 1 from pg_catalog.pg_roles where rolname = $1', [role]);
		return (rowCount ?? 0) > 0;
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
