// postgres_changes: subscriptions of channels to tables, and delivery of each
// committed change to the subscribers allowed to see it, in commit order.
// Per change: column privileges of each subscriber role, the filters, then
// (RLS on, not DELETE) a SELECT of the row as each subscriber. A failing check
// for one subscriber only withholds the change from that subscriber.
import type pg from 'pg';
import type { Authorizer, TableAccess, Visibility } from './authorizer.ts';
import { parseFilter, passesFilters, type BoundCondition } from './filters.ts';
import { UNCHANGED_TOAST, type TupleValue } from './pgoutput.ts';
import { startChangeStream, type ChangeStream, type CommittedTransaction, type RowChange } from './replication.ts';
import type { TypeCatalog } from './values.ts';

/** The side of a channel that postgres_changes talks to. */
export interface ChangeSubscriber {
	/** The subscriber's current JWT claims (role is used as the database role). */
	readonly claims: Record<string, unknown> & { role: string };
	/** JSON of the claims, as set in request.jwt.claims. */
	readonly claimsJson: string;
	/** Pushes a postgres_changes message; `dataJson` is the change already in JSON (shared by many subscribers). */
	sendChange(ids: number[], dataJson: string): void;
	sendSystem(status: 'ok' | 'error', message: string): void;
}

export interface ChangeParams {
	event: string;
	schema: string;
	table?: string;
	filter?: string;
}

interface Subscription {
	id: number;
	owner: ChangeSubscriber;
	event: string;
	schema: string;
	/** null: every table of the schema. */
	table: string | null;
	conditions: BoundCondition[];
}

const MAX_RECORD_BYTES = 1024 * 1024;
const SUBSCRIBED = 'Subscribed to PostgreSQL';

/** Rows of realtime.messages (broadcasts from the database) ride on the same stream; they go here, never to postgres_changes. */
export interface MessageSink {
	readonly publication: string;
	/** Whether a change belongs to the sink (an insert into realtime.messages). */
	owns(change: RowChange): boolean;
	/** Works out what to deliver; the sends run later in commit order, like those of postgres_changes. */
	evaluate(change: RowChange, tx: CommittedTransaction): Promise<Array<() => void>>;
}

export interface PostgresChangesOptions {
	databaseUrl: string;
	adminPool: pg.Pool;
	authorizer: Authorizer;
	catalog: TypeCatalog;
	applicationName: string;
	log(message: string): void;
	messages?: MessageSink;
}

function describeParams(p: ChangeParams): string {
	return `[event: ${p.event}, schema: ${p.schema}, table: ${p.table ?? '*'}, filters: ${p.filter ? `[${p.filter}]` : '[]'}]`;
}

export class PostgresChanges {
	private readonly options: PostgresChangesOptions;
	private readonly byTable = new Map<string, Set<Subscription>>();
	private readonly bySchema = new Map<string, Set<Subscription>>();
	private readonly byOwner = new Map<ChangeSubscriber, Subscription[]>();
	private readonly stream: ChangeStream;
	private delivery: Promise<void> = Promise.resolve();
	private everUp = false;
	/** RLS flag and key of each table as last seen, so the RLS check can start before the privilege lookup returns. */
	private readonly tableHints = new Map<number, { rlsEnabled: boolean; primaryKey: string[] }>();

	constructor(options: PostgresChangesOptions) {
		this.options = options;
		this.stream = startChangeStream({
			databaseUrl: options.databaseUrl,
			publications: ['supabase_realtime', ...(options.messages ? [options.messages.publication] : [])],
			applicationName: options.applicationName,
			log: options.log,
			onTransaction: (tx) => this.enqueue(tx),
			onStatus: (up) => this.statusChanged(up)
		});
	}

	get ready(): boolean {
		return this.stream.up;
	}

	/**
	 * Validates and registers a channel's subscriptions (replacing earlier ones).
	 * Returns an error message when they cannot be created, as Realtime reports it.
	 */
	async subscribe(owner: ChangeSubscriber, entries: Array<{ id: number; params: ChangeParams }>): Promise<string | null> {
		this.unsubscribe(owner);
		if (entries.length === 0) return null;
		const created: Subscription[] = [];
		const role = owner.claims.role;
		for (const { id, params } of entries) {
			try {
				created.push(await this.prepare(id, params, owner, role));
			} catch (error) {
				const reason = error instanceof Error ? error.message : String(error);
				return `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ${describeParams(params)}: ${reason}`;
			}
		}
		for (const s of created) {
			const index = s.table === null ? this.bySchema : this.byTable;
			const key = s.table === null ? s.schema : `${s.schema}.${s.table}`;
			let set = index.get(key);
			if (!set) index.set(key, (set = new Set()));
			set.add(s);
		}
		this.byOwner.set(owner, created);
		this.options.authorizer.warm();
		if (this.stream.up) owner.sendSystem('ok', SUBSCRIBED);
		return null;
	}

	private async prepare(id: number, params: ChangeParams, owner: ChangeSubscriber, role: string): Promise<Subscription> {
		const event = params.event.toUpperCase();
		if (!['*', 'INSERT', 'UPDATE', 'DELETE'].includes(event)) throw new Error(`invalid event ${params.event}`);
		const { rows: roles } = await this.options.adminPool.query('select 1 from pg_catalog.pg_roles where rolname = $1', [role]);
		if (roles.length === 0) throw new Error(`role "${role}" does not exist`);
		const table = params.table === undefined || params.table === '*' ? null : params.table;
		const conditions = parseFilter(params.filter);
		if (table === null) {
			if (conditions.length > 0) throw new Error('filters need a table');
			return { id, owner, event, schema: params.schema, table, conditions: [] };
		}
		const { rows: columns } = await this.options.adminPool.query<{ name: string; type: number; selectable: boolean; relid: number; rls: boolean; pkey: string[] }>(
			`select a.attname as name, a.atttypid::int as type, pg_catalog.has_column_privilege($3, c.oid, a.attnum, 'SELECT') as selectable,
			        c.oid::int as relid, c.relrowsecurity as rls,
			        array(select k.attname::text
			                from pg_catalog.pg_index i
			                join pg_catalog.pg_attribute k on k.attrelid = i.indrelid and k.attnum = any(i.indkey)
			               where i.indrelid = c.oid and i.indisprimary
			               order by k.attnum) as pkey
			   from pg_catalog.pg_class c
			   join pg_catalog.pg_namespace n on n.oid = c.relnamespace
			   join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
			  where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p')`,
			[params.schema, table, role]
		);
		if (columns.length === 0) throw new Error(`relation "${params.schema}.${table}" does not exist`);
		// Known before the first change, its RLS check travels with the privilege lookup in one round trip.
		this.tableHints.set(columns[0].relid, { rlsEnabled: columns[0].rls, primaryKey: columns[0].pkey });
		await this.options.catalog.ensure(columns.map((c) => c.type));
		const bound: BoundCondition[] = conditions.map((condition) => {
			const column = columns.find((c) => c.name === condition.column && c.selectable);
			if (!column) throw new Error(`invalid column for filter ${condition.column}`);
			if (condition.op === 'in' && condition.raw.length > 100) throw new Error('too many values for `in` filter. Maximum 100');
			const type = this.options.catalog.name(column.type);
			const values = condition.raw.map((raw) => this.options.catalog.toJson(column.type, raw));
			if (['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'].includes(type) && !['is', 'like', 'ilike', 'match', 'imatch'].includes(condition.op)) {
				const bad = values.find((v) => v !== null && typeof v !== 'number');
				if (bad !== undefined) throw new Error(`invalid input syntax for type ${type}: "${String(bad)}"`);
			}
			return { ...condition, type, values };
		});
		return { id, owner, event, schema: params.schema, table, conditions: bound };
	}

	unsubscribe(owner: ChangeSubscriber): void {
		const subs = this.byOwner.get(owner);
		if (!subs) return;
		this.byOwner.delete(owner);
		for (const s of subs) {
			const index = s.table === null ? this.bySchema : this.byTable;
			const key = s.table === null ? s.schema : `${s.schema}.${s.table}`;
			const set = index.get(key);
			set?.delete(s);
			if (set?.size === 0) index.delete(key);
		}
	}

	hasSubscriptions(owner: ChangeSubscriber): boolean {
		return (this.byOwner.get(owner)?.length ?? 0) > 0;
	}

	private statusChanged(up: boolean): void {
		if (up) {
			this.everUp = true;
			this.options.log('replication: streaming changes');
		}
		if (!up && !this.everUp) return;
		for (const owner of this.byOwner.keys()) {
			if (up) owner.sendSystem('ok', SUBSCRIBED);
			else owner.sendSystem('error', 'Realtime was unable to connect to the project database');
		}
	}

	/** Starts evaluating every change at once; delivers them one after another in commit order. */
	private enqueue(tx: CommittedTransaction): void {
		const sink = this.options.messages;
		const evaluations = tx.changes.map((change) => (sink?.owns(change) ? sink.evaluate(change, tx) : this.evaluate(change, tx)));
		this.delivery = this.delivery.then(async () => {
			for (const evaluation of evaluations) {
				try {
					const sends = await evaluation;
					for (const send of sends) send();
				} catch (error) {
					this.options.log(`replication: change not delivered: ${error instanceof Error ? error.message : error}`);
				}
			}
			this.stream.acknowledge(tx.endLsn);
		});
	}

	private candidates(change: RowChange): Subscription[] {
		const { schema, table } = change.relation;
		const out: Subscription[] = [];
		for (const set of [this.byTable.get(`${schema}.${table}`), this.bySchema.get(schema)]) {
			if (!set) continue;
			for (const s of set) if (s.event === '*' || s.event === change.type) out.push(s);
		}
		return out;
	}

	/** Works out who receives one change; returns the sends, run later in commit order. */
	private async evaluate(change: RowChange, tx: CommittedTransaction): Promise<Array<() => void>> {
		const subs = this.candidates(change);
		if (subs.length === 0) return [];
		const { relation, type } = change;
		const { catalog, authorizer } = this.options;
		await catalog.ensure(relation.columns.map((c) => c.typeOid));

		const toRecord = (tuple: TupleValue[] | null, fallback: TupleValue[] | null): Record<string, unknown> | null => {
			if (!tuple) return null;
			const record: Record<string, unknown> = {};
			relation.columns.forEach((column, i) => {
				let value = tuple[i];
				// An unchanged TOASTed value is not sent; the old row has it with REPLICA IDENTITY FULL.
				if (value === UNCHANGED_TOAST) value = fallback?.[i] ?? UNCHANGED_TOAST;
				if (value === UNCHANGED_TOAST || value === undefined) return;
				record[column.name] = catalog.toJson(column.typeOid, value);
			});
			return record;
		};
		const record = type === 'DELETE' ? null : toRecord(change.newTuple, change.oldTuple);
		const oldRecord = toRecord(change.oldTuple, null);

		const roles = [...new Set(subs.map((s) => s.owner.claims.role))];
		const passing = subs.filter(
			(sub) => passesFilters(sub.conditions, record) || (type === 'DELETE' && passesFilters(sub.conditions, oldRecord))
		);
		const keyValuesOf = (keyColumns: string[]) =>
			keyColumns.map((name) => {
				const value = change.newTuple?.[relation.columns.findIndex((c) => c.name === name)];
				return typeof value === 'string' ? value : '';
			});
		// Subscribers with equal role and claims are checked once.
		const groups = new Map<string, { role: string; claims: string; subs: Subscription[] }>();
		for (const sub of passing) {
			const key = `${sub.owner.claims.role}\u0000${sub.owner.claimsJson}`;
			const group = groups.get(key);
			if (group) group.subs.push(sub);
			else groups.set(key, { role: sub.owner.claims.role, claims: sub.owner.claimsJson, subs: [sub] });
		}
		const list = [...groups.values()];
		const name = `${relation.schema}.${relation.table}`;
		const checkRequest = (keyColumns: string[]) => ({ keyColumns, keyValues: keyValuesOf(keyColumns), writerXid: tx.xid, groups: list });

		// Privileges and the RLS check travel in one query when the table is known to use RLS.
		const hint = this.tableHints.get(relation.id);
		const wantRls = type !== 'DELETE' && list.length > 0 && hint !== undefined && hint.rlsEnabled && hint.primaryKey.length > 0;
		let access: TableAccess;
		let visibility: Visibility[] | null = null;
		try {
			({ access, visibility } = await authorizer.inspect(relation.id, roles, wantRls ? checkRequest(hint.primaryKey) : undefined));
		} catch (error) {
			if (!wantRls) throw error;
			this.options.log(`postgres_changes: RLS check on ${name} failed: ${error instanceof Error ? error.message : error}`);
			({ access } = await authorizer.inspect(relation.id, roles));
			visibility = list.map(() => ({ visible: false, error: 'check failed' }));
		}
		this.tableHints.set(relation.id, { rlsEnabled: access.rlsEnabled, primaryKey: access.primaryKey });
		const needRls = type !== 'DELETE' && list.length > 0 && access.rlsEnabled;
		if (needRls && (!visibility || hint?.primaryKey.join() !== access.primaryKey.join())) {
			visibility = list.map(() => ({ visible: false, error: null }));
			if (access.primaryKey.length > 0) {
				try {
					visibility = (await authorizer.inspect(relation.id, roles, checkRequest(access.primaryKey))).visibility ?? visibility;
				} catch (error) {
					this.options.log(`postgres_changes: RLS check on ${name} failed: ${error instanceof Error ? error.message : error}`);
				}
			}
		}
		let visible: Set<Subscription> | null = null;
		if (needRls && visibility) {
			visible = new Set();
			// One line per distinct error: a check that gave up fails alike for every group.
			const errors = new Map<string, Set<string>>();
			for (const [index, verdict] of visibility.entries()) {
				if (verdict.error) {
					const roles = errors.get(verdict.error) ?? new Set<string>();
					errors.set(verdict.error, roles.add(list[index].role));
				}
				if (verdict.visible) for (const sub of list[index].subs) visible.add(sub);
			}
			for (const [error, roles] of errors) {
				this.options.log(`postgres_changes: RLS check for role ${[...roles].join(', ')} on ${name} raised: ${error}`);
			}
		}

		const base = { schema: relation.schema, table: relation.table, commit_timestamp: tx.commitTime.toISOString() };
		const sends: Array<() => void> = [];
		const outputs = new Map<string, Record<string, unknown> | { error: string }>();
		for (const role of roles) outputs.set(role, this.outputFor(role, change, access, record, oldRecord, base));
		// Realtime sends a role's error (no key privilege) to all of that role's subscriptions, filters aside.
		for (const sub of subs) {
			const output = outputs.get(sub.owner.claims.role);
			if (output && 'error' in output) {
				const errorJson = JSON.stringify({ schema: relation.schema, table: relation.table, type, errors: [output.error] });
				sends.push(() => sub.owner.sendChange([sub.id], errorJson));
			}
		}
		const json = new Map<string, string>();
		const allowed: Array<{ sub: Subscription; data: string }> = [];
		for (const sub of passing) {
			const role = sub.owner.claims.role;
			const output = outputs.get(role);
			if (!output || 'error' in output) continue;
			if (visible && !visible.has(sub)) continue;
			let data = json.get(role);
			if (data === undefined) json.set(role, (data = JSON.stringify(output)));
			allowed.push({ sub, data });
		}

		// One message per channel carrying the ids of all its matching subscriptions.
		const byOwner = new Map<ChangeSubscriber, { ids: number[]; data: string }>();
		for (const { sub, data } of allowed) {
			const entry = byOwner.get(sub.owner);
			if (entry) {
				if (!entry.ids.includes(sub.id)) entry.ids.push(sub.id);
			} else byOwner.set(sub.owner, { ids: [sub.id], data });
		}
		for (const [owner, message] of byOwner) sends.push(() => owner.sendChange(message.ids, message.data));
		return sends;
	}

	/** The change as one role may see it (Realtime's apply_rls output), or the error it gets instead. */
	private outputFor(
		role: string,
		change: RowChange,
		access: TableAccess,
		record: Record<string, unknown> | null,
		oldRecord: Record<string, unknown> | null,
		base: { schema: string; table: string; commit_timestamp: string }
	): Record<string, unknown> | { error: string } {
		const selectable = access.selectable.get(role) ?? new Set<string>();
		const { type, relation } = change;
		if (type !== 'DELETE') {
			if (access.primaryKey.length === 0) return { error: 'Error 400: Bad Request, no primary key' };
			if (!access.primaryKey.every((c) => selectable.has(c))) return { error: 'Error 401: Unauthorized' };
		}
		const pick = (source: Record<string, unknown> | null, only?: (name: string) => boolean) => {
			const out: Record<string, unknown> = {};
			if (!source) return out;
			for (const [name, value] of Object.entries(source)) if (selectable.has(name) && (!only || only(name))) out[name] = value;
			return out;
		};
		const isKey = (name: string) => access.primaryKey.includes(name);
		let newOut: Record<string, unknown> | undefined;
		let oldOut: Record<string, unknown> | undefined;
		if (type === 'INSERT' || type === 'UPDATE') newOut = pick(record);
		if (type === 'UPDATE') oldOut = oldRecord ? pick(oldRecord) : pick(record, isKey);
		if (type === 'DELETE') oldOut = pick(oldRecord, access.rlsEnabled ? isKey : undefined);

		const errors: string[] = [];
		const size = Buffer.byteLength(JSON.stringify(newOut ?? {})) + Buffer.byteLength(JSON.stringify(oldOut ?? {}));
		if (size > MAX_RECORD_BYTES) {
			errors.push('Error 413: Payload Too Large');
			const small = (r: Record<string, unknown> | undefined) =>
				r && Object.fromEntries(Object.entries(r).filter(([, v]) => Buffer.byteLength(JSON.stringify(v)) <= 64));
			newOut = small(newOut);
			oldOut = small(oldOut);
		}
		const columns = relation.columns
			.filter((c) => selectable.has(c.name))
			.map((c) => ({ name: c.name, type: this.options.catalog.name(c.typeOid) }));
		return {
			...base,
			type,
			columns,
			...(newOut ? { record: newOut } : {}),
			...(oldOut ? { old_record: oldOut } : {}),
			errors: errors.length > 0 ? errors : null
		};
	}

	async close(): Promise<void> {
		await this.stream.close();
		this.byOwner.clear();
		this.byTable.clear();
		this.bySchema.clear();
	}

}
