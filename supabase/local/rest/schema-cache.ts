// PostgREST's schema cache: the tables, views, columns, keys, relationships
// and functions of the exposed schemas, read from the catalogs. Reloaded on
// `NOTIFY pgrst, 'reload schema'` and, so that a request right after a DDL
// commit sees its result, on a cache miss (see SchemaCacheHolder.refresh).
import type pg from 'pg';
import { viewColumnOrigins } from './view-columns.ts';

export interface Column {
	name: string;
	/** format_type() of the column, e.g. "integer", "text[]", "public.mood". */
	type: string;
	/** Base type name (through domains), e.g. "int4", "jsonb", "tsvector". */
	baseType: string;
	nullable: boolean;
	/** SQL expression of the default (from the catalog), or null. */
	defaultExpr: string | null;
	generated: boolean;
	position: number;
	/** For a computed field: the function taking the row, as qualified SQL ("schema"."fn"). */
	computed?: string;
}

export type Cardinality = 'm2o' | 'o2m' | 'o2o' | 'm2m';

export interface Junction {
	relation: Relation;
	/** Junction columns referencing the source, and the source columns they reference. */
	sourceConstraint: string;
	sourceJunctionColumns: string[];
	sourceColumns: string[];
	targetConstraint: string;
	targetJunctionColumns: string[];
	targetColumns: string[];
}

export interface Relationship {
	constraint: string;
	source: Relation;
	/** Columns of `source` (for m2m: unused). */
	columns: string[];
	target: Relation;
	/** Columns of `target` matched with `columns`. */
	targetColumns: string[];
	cardinality: Cardinality;
	/** Set for o2o: whether the foreign key lives in `source` (the "parent" side is the target). */
	fkInSource: boolean;
	junction?: Junction;
	/** For a computed relationship: the function taking the source row, as qualified SQL. */
	computed?: string;
}

export interface Relation {
	oid: number;
	schema: string;
	name: string;
	/** pg_class.relkind: r table, v view, m materialized view, f foreign table, p partitioned table. */
	kind: string;
	columns: Map<string, Column>;
	columnList: Column[];
	/** Columns plus computed fields (functions taking this relation's row), for reads. */
	readColumns: Map<string, Column>;
	primaryKey: string[];
	uniqueKeys: string[][];
	relationships: Relationship[];
}

export interface FunctionParam {
	name: string;
	type: string;
	baseType: string;
	hasDefault: boolean;
	variadic: boolean;
}

export interface RoutineInfo {
	oid: number;
	schema: string;
	name: string;
	params: FunctionParam[];
	/** 'v' volatile, 's' stable, 'i' immutable. */
	volatility: string;
	returnsSet: boolean;
	/** void, scalar (including arrays, json...), or composite rows. */
	returnKind: 'void' | 'scalar' | 'composite';
	returnType: string;
	/** For composite results: the columns, and the relation when it is a table's or view's row type. */
	returnColumns: Column[];
	returnRelation: Relation | null;
}

export interface SchemaCache {
	relations: Map<string, Relation>;
	routines: Map<string, RoutineInfo[]>;
	/** Settings a role carries (ALTER ROLE ... SET), applied per request like PostgREST. */
	roleSettings: Map<string, Array<[string, string]>>;
	/**
	 * PostgREST's db-aggregates-enabled, read like its in-database configuration:
	 * `alter role authenticator set pgrst.db_aggregates_enabled = 'true'` (then
	 * `notify pgrst, 'reload config'` or 'reload schema'). Off by default.
	 */
	aggregatesEnabled: boolean;
	/** Time zone names Postgres accepts (for Prefer: timezone). */
	timezones: ReadonlySet<string>;
	/** PostgREST's db-plan-enabled (`pgrst.db_plan_enabled` on authenticator): EXPLAIN via Accept. Off by default. */
	planEnabled: boolean;
	/** Type names usable in `::cast` (lower case name -> SQL to write). */
	castTypes: Map<string, string>;
	/** When the catalog reads began (ms epoch): the cache reflects every commit before it. */
	loadedAt: number;
}

export function relationKey(schema: string, name: string): string {
	return `${schema}\u0000${name}`;
}

const RELATIONS_SQL = `
select c.oid::int8 as oid, n.nspname as schema, c.relname as name, c.relkind as kind
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'v', 'm', 'f', 'p') and n.nspname <> all($1::text[])`;

const COLUMNS_SQL = `
select a.attrelid::int8 as rel, a.attname as name, a.attnum as num,
  pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
  coalesce(bt.typname, t.typname) as base_type,
  not a.attnotnull as nullable,
  coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid),
    case when a.attidentity in ('a', 'd') then format('nextval(%L::regclass)', pg_catalog.pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname)) end) as default_expr,
  a.attgenerated <> '' or a.attidentity = 'a' as generated
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_type t on t.oid = a.atttypid
left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'v', 'm', 'f', 'p', 'c') and n.nspname <> all($1::text[])
order by a.attrelid, a.attnum`;

const CONSTRAINTS_SQL = `
select con.conname as name, con.contype as type, con.conrelid::int8 as rel, con.confrelid::int8 as frel,
  array(select a.attname from unnest(con.conkey) with ordinality k(num, i)
        join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.i)::text[] as cols,
  array(select a.attname from unnest(con.confkey) with ordinality k(num, i)
        join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num order by k.i)::text[] as fcols
from pg_catalog.pg_constraint con
join pg_catalog.pg_class c on c.oid = con.conrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where con.contype in ('p', 'u', 'f') and n.nspname <> all($1::text[])
order by con.conrelid, con.conname`;

const VIEWS_SQL = `
select c.oid::int8 as oid, r.ev_action::text as tree
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_rewrite r on r.ev_class = c.oid and r.ev_type = '1'
where c.relkind in ('v', 'm') and n.nspname = any($2::text[]) and n.nspname <> all($1::text[])`;

const ROUTINES_SQL = `
select p.oid::int8 as oid, n.nspname as schema, p.proname as name, p.provolatile as volatility, p.proretset as retset,
  rt.typtype as ret_typtype, rt.typrelid::int8 as ret_relid, pg_catalog.format_type(p.prorettype, null) as ret_type,
  p.pronargs as nargs, p.pronargdefaults as ndefaults,
  coalesce(p.proargnames, array[]::text[]) as arg_names,
  coalesce(p.proargmodes::text[], array[]::text[]) as arg_modes,
  array(select pg_catalog.format_type(x.t, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality x(t, i) order by x.i)::text[] as arg_types,
  array(select coalesce(bt.typname, t.typname) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality x(t, i)
        join pg_catalog.pg_type t on t.oid = x.t left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype order by x.i)::text[] as arg_base_types,
  p.provariadic <> 0 as variadic,
  coalesce(rbt.typname, rt.typname) as ret_base, p.prorows::float8 as rows,
  case when p.pronargs = 1 then (select t.typrelid::int8 from pg_catalog.pg_type t where t.oid = p.proargtypes[0]) else 0 end as arg_relid
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join pg_catalog.pg_type rt on rt.oid = p.prorettype
left join pg_catalog.pg_type rbt on rt.typtype = 'd' and rbt.oid = rt.typbasetype
where p.prokind = 'f' and n.nspname = any($1::text[])`;

const ROLE_SETTINGS_SQL = `
select r.rolname as role, s.setconfig as settings
from pg_catalog.pg_db_role_setting s
join pg_catalog.pg_roles r on r.oid = s.setrole
where s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
order by s.setdatabase`;

const TYPES_SQL = `
select t.typname as name, n.nspname as schema
from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
where t.typtype in ('b', 'd', 'e', 'r', 'm', 'c') and t.typisdefined and left(t.typname, 1) <> '_'
  and (n.nspname = 'pg_catalog' or n.nspname = any($1::text[]))`;

const TIMEZONES_SQL = `select name from pg_catalog.pg_timezone_names`;

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];

/** SQL spellings of common types that are not pg_type names. */
const CAST_ALIASES: Record<string, string> = {
	integer: 'integer',
	int: 'integer',
	smallint: 'smallint',
	bigint: 'bigint',
	real: 'real',
	float: 'double precision',
	'double precision': 'double precision',
	boolean: 'boolean',
	decimal: 'numeric',
	character: 'character',
	'character varying': 'character varying',
	timestamp: 'timestamp',
	timestamptz: 'timestamptz',
	time: 'time'
};

function quoteIdent(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

interface RawColumn {
	rel: string;
	name: string;
	num: number;
	type: string;
	base_type: string;
	nullable: boolean;
	default_expr: string | null;
	generated: boolean;
}

/** Reads the whole cache (a handful of catalog queries, pipelined on one connection). */
export async function loadSchemaCache(client: pg.ClientBase, exposedSchemas: string[]): Promise<SchemaCache> {
	const startedAt = Date.now();
	// One snapshot for all catalog reads.
	await client.query('begin isolation level repeatable read read only');
	const reads = async () => [
		await client.query<{ oid: string; schema: string; name: string; kind: string }>(RELATIONS_SQL, [SYSTEM_SCHEMAS]),
		await client.query<RawColumn>(COLUMNS_SQL, [SYSTEM_SCHEMAS]),
		await client.query<{ name: string; type: string; rel: string; frel: string; cols: string[]; fcols: string[] }>(CONSTRAINTS_SQL, [SYSTEM_SCHEMAS]),
		await client.query<{ oid: string; tree: string }>(VIEWS_SQL, [SYSTEM_SCHEMAS, exposedSchemas]),
		await client.query<{
			oid: string;
			schema: string;
			name: string;
			volatility: string;
			retset: boolean;
			ret_typtype: string;
			ret_relid: string;
			ret_type: string;
			nargs: number;
			ndefaults: number;
			arg_names: string[];
			arg_modes: string[];
			arg_types: string[];
			arg_base_types: string[];
			variadic: boolean;
			ret_base: string;
			rows: number;
			arg_relid: string;
		}>(ROUTINES_SQL, [exposedSchemas]),
		await client.query<{ role: string; settings: string[] }>(ROLE_SETTINGS_SQL),
		await client.query<{ name: string; schema: string }>(TYPES_SQL, [exposedSchemas]),
		await client.query<{ name: string }>(TIMEZONES_SQL)
	] as const;
	let catalog: Awaited<ReturnType<typeof reads>>;
	try {
		catalog = await reads();
	} finally {
		await client.query('commit');
	}
	const [relRes, colRes, conRes, viewRes, fnRes, roleRes, typeRes, tzRes] = catalog;

	// Columns of every relation and composite type, by relation oid.
	const columnsByRel = new Map<number, Column[]>();
	const attnames = new Map<number, Map<number, string>>();
	for (const c of colRes.rows) {
		const rel = Number(c.rel);
		let list = columnsByRel.get(rel);
		if (!list) columnsByRel.set(rel, (list = []));
		list.push({
			name: c.name,
			type: c.type,
			baseType: c.base_type,
			nullable: c.nullable,
			defaultExpr: c.default_expr,
			generated: c.generated,
			position: c.num
		});
		let names = attnames.get(rel);
		if (!names) attnames.set(rel, (names = new Map()));
		names.set(c.num, c.name);
	}

	const byOid = new Map<number, Relation>();
	const relations = new Map<string, Relation>();
	for (const r of relRes.rows) {
		const oid = Number(r.oid);
		const columnList = columnsByRel.get(oid) ?? [];
		const relation: Relation = {
			oid,
			schema: r.schema,
			name: r.name,
			kind: r.kind,
			columns: new Map(columnList.map((c) => [c.name, c])),
			columnList,
			readColumns: new Map(columnList.map((c) => [c.name, c])),
			primaryKey: [],
			uniqueKeys: [],
			relationships: []
		};
		byOid.set(oid, relation);
		if (exposedSchemas.includes(r.schema)) relations.set(relationKey(r.schema, r.name), relation);
	}

	interface ForeignKey {
		name: string;
		rel: number;
		frel: number;
		cols: string[];
		fcols: string[];
	}
	const foreignKeys: ForeignKey[] = [];
	for (const con of conRes.rows) {
		const rel = byOid.get(Number(con.rel));
		if (!rel) continue;
		if (con.type === 'p') rel.primaryKey = con.cols;
		if (con.type === 'p' || con.type === 'u') rel.uniqueKeys.push(con.cols);
		if (con.type === 'f') foreignKeys.push({ name: con.name, rel: Number(con.rel), frel: Number(con.frel), cols: con.cols, fcols: con.fcols });
	}

	// View column -> base column, followed through views of views.
	const viewOrigins = new Map<number, Map<string, { table: number; column: number }>>();
	for (const v of viewRes.rows) {
		const map = new Map<string, { table: number; column: number }>();
		for (const o of viewColumnOrigins(v.tree)) if (o.name && o.table) map.set(o.name, { table: o.table, column: o.column });
		viewOrigins.set(Number(v.oid), map);
	}
	const baseOf = (rel: number, column: string, seen = 0): { table: number; column: string } | null => {
		const origins = viewOrigins.get(rel);
		if (!origins) return { table: rel, column };
		const o = origins.get(column);
		if (!o || seen > 16) return null;
		const name = attnames.get(o.table)?.get(o.column);
		if (name === undefined) return null;
		return baseOf(o.table, name, seen + 1);
	};
	// For each base table: the relations (itself and views over it) with their column renames.
	const exposedOver = new Map<number, Array<{ relation: Relation; columnFor: Map<string, string> }>>();
	for (const relation of relations.values()) {
		if (!viewOrigins.has(relation.oid)) {
			const list = exposedOver.get(relation.oid) ?? [];
			list.push({ relation, columnFor: new Map(relation.columnList.map((c) => [c.name, c.name])) });
			exposedOver.set(relation.oid, list);
			continue;
		}
		const perBase = new Map<number, Map<string, string>>();
		for (const c of relation.columnList) {
			const base = baseOf(relation.oid, c.name);
			if (!base) continue;
			let m = perBase.get(base.table);
			if (!m) perBase.set(base.table, (m = new Map()));
			if (!m.has(base.column)) m.set(base.column, c.name);
		}
		for (const [table, columnFor] of perBase) {
			const list = exposedOver.get(table) ?? [];
			list.push({ relation, columnFor });
			exposedOver.set(table, list);
			// A view exposing the whole primary key of its base table has that key too.
			const base = byOid.get(table);
			if (base && relation.primaryKey.length === 0 && base.primaryKey.length > 0 && base.primaryKey.every((k) => columnFor.has(k))) {
				relation.primaryKey = base.primaryKey.map((k) => columnFor.get(k)!);
			}
			if (base) for (const u of base.uniqueKeys) if (u.every((k) => columnFor.has(k))) relation.uniqueKeys.push(u.map((k) => columnFor.get(k)!));
		}
	}

	const isUnique = (rel: Relation, cols: string[]) =>
		rel.uniqueKeys.some((u) => u.length === cols.length && u.every((k) => cols.includes(k)));

	for (const fk of foreignKeys) {
		const sources = exposedOver.get(fk.rel) ?? [];
		const targets = exposedOver.get(fk.frel) ?? [];
		for (const s of sources) {
			if (!fk.cols.every((c) => s.columnFor.has(c))) continue;
			const cols = fk.cols.map((c) => s.columnFor.get(c)!);
			for (const t of targets) {
				if (!fk.fcols.every((c) => t.columnFor.has(c))) continue;
				if (s.relation.schema !== t.relation.schema) continue;
				const tcols = fk.fcols.map((c) => t.columnFor.get(c)!);
				const oneToOne = isUnique(s.relation, cols);
				s.relation.relationships.push({
					constraint: fk.name,
					source: s.relation,
					columns: cols,
					target: t.relation,
					targetColumns: tcols,
					cardinality: oneToOne ? 'o2o' : 'm2o',
					fkInSource: true
				});
				t.relation.relationships.push({
					constraint: fk.name,
					source: t.relation,
					columns: tcols,
					target: s.relation,
					targetColumns: cols,
					cardinality: oneToOne ? 'o2o' : 'o2m',
					fkInSource: false
				});
			}
		}
	}

	// Many-to-many through junction tables whose primary key covers both foreign keys.
	const fksByTable = new Map<number, ForeignKey[]>();
	for (const fk of foreignKeys) {
		const list = fksByTable.get(fk.rel) ?? [];
		list.push(fk);
		fksByTable.set(fk.rel, list);
	}
	for (const [junctionOid, fks] of fksByTable) {
		const junction = byOid.get(junctionOid);
		if (!junction || fks.length < 2 || !relations.has(relationKey(junction.schema, junction.name))) continue;
		const pk = new Set(junction.primaryKey);
		const eligible = fks.filter((fk) => fk.cols.every((c) => pk.has(c)));
		for (const a of eligible) {
			for (const b of eligible) {
				if (a === b) continue;
				for (const s of exposedOver.get(a.frel) ?? []) {
					if (!a.fcols.every((c) => s.columnFor.has(c))) continue;
					for (const t of exposedOver.get(b.frel) ?? []) {
						if (!b.fcols.every((c) => t.columnFor.has(c))) continue;
						if (s.relation.schema !== junction.schema || t.relation.schema !== junction.schema) continue;
						s.relation.relationships.push({
							constraint: junction.name,
							source: s.relation,
							columns: [],
							target: t.relation,
							targetColumns: [],
							cardinality: 'm2m',
							fkInSource: false,
							junction: {
								relation: junction,
								sourceConstraint: a.name,
								sourceJunctionColumns: a.cols,
								sourceColumns: a.fcols.map((c) => s.columnFor.get(c)!),
								targetConstraint: b.name,
								targetJunctionColumns: b.cols,
								targetColumns: b.fcols.map((c) => t.columnFor.get(c)!)
							}
						});
					}
				}
			}
		}
	}

	// A function whose one parameter is a relation's row type is a computed field of it
	// (scalar result) or a computed relationship (a table's rows: to-one unless it
	// returns a set of more than one row), as PostgREST reads them.
	const addComputed = (owner: Relation | undefined, routine: RoutineInfo, retBase: string, rows: number) => {
		if (!owner || routine.params.length !== 1 || routine.params[0].variadic) return;
		const fn = `${quoteIdent(routine.schema)}.${quoteIdent(routine.name)}`;
		if (routine.returnKind === 'scalar' && !routine.returnsSet) {
			if (owner.columns.has(routine.name)) return;
			owner.readColumns.set(routine.name, {
				name: routine.name,
				type: routine.returnType,
				baseType: retBase,
				nullable: true,
				defaultExpr: null,
				generated: true,
				position: 0,
				computed: fn
			});
		} else if (routine.returnKind === 'composite' && routine.returnRelation) {
			const toOne = !routine.returnsSet || rows === 1;
			owner.relationships.push({
				constraint: routine.name,
				source: owner,
				columns: [],
				target: routine.returnRelation,
				targetColumns: [],
				cardinality: toOne ? 'm2o' : 'o2m',
				fkInSource: false,
				computed: fn
			});
		}
	};
	const routines = new Map<string, RoutineInfo[]>();
	for (const f of fnRes.rows) {
		const modes = f.arg_modes.length ? f.arg_modes : f.arg_types.map(() => 'i');
		const inputIdx: number[] = [];
		const outputIdx: number[] = [];
		modes.forEach((m, i) => {
			if (m === 'i' || m === 'b' || m === 'v') inputIdx.push(i);
			if (m === 'o' || m === 'b' || m === 't') outputIdx.push(i);
		});
		const firstDefault = inputIdx.length - f.ndefaults;
		const params: FunctionParam[] = inputIdx.map((idx, k) => ({
			name: f.arg_names[idx] ?? '',
			type: f.arg_types[idx],
			baseType: f.arg_base_types[idx],
			hasDefault: k >= firstDefault,
			variadic: modes[idx] === 'v'
		}));
		let returnKind: RoutineInfo['returnKind'] = 'scalar';
		let returnColumns: Column[] = [];
		let returnRelation: Relation | null = null;
		if (f.ret_type === 'void') returnKind = 'void';
		else if (f.ret_typtype === 'c') {
			returnKind = 'composite';
			const relid = Number(f.ret_relid);
			returnColumns = columnsByRel.get(relid) ?? [];
			const rel = byOid.get(relid);
			if (rel && relations.has(relationKey(rel.schema, rel.name))) returnRelation = rel;
		} else if (f.ret_type === 'record' && outputIdx.length > 0) {
			returnKind = 'composite';
			returnColumns = outputIdx.map((idx, k) => ({
				name: f.arg_names[idx] || `column${k + 1}`,
				type: f.arg_types[idx],
				baseType: f.arg_base_types[idx],
				nullable: true,
				defaultExpr: null,
				generated: false,
				position: k + 1
			}));
		}
		const routine: RoutineInfo = {
			oid: Number(f.oid),
			schema: f.schema,
			name: f.name,
			params,
			volatility: f.volatility,
			returnsSet: f.retset,
			returnKind,
			returnType: f.ret_type,
			returnColumns,
			returnRelation
		};
		const key = relationKey(f.schema, f.name);
		const list = routines.get(key) ?? [];
		list.push(routine);
		routines.set(key, list);
		addComputed(byOid.get(Number(f.arg_relid)), routine, f.ret_base, f.rows);
	}

	const roleSettings = new Map<string, Array<[string, string]>>();
	for (const r of roleRes.rows) {
		const list = roleSettings.get(r.role) ?? [];
		for (const s of r.settings ?? []) {
			const eq = s.indexOf('=');
			if (eq <= 0) continue;
			const key = s.slice(0, eq);
			if (key === 'search_path' || key === 'role' || key === 'session_authorization') continue;
			const existing = list.findIndex(([k]) => k === key);
			// Database-specific settings (read last) override cluster-wide ones.
			if (existing >= 0) list[existing] = [key, s.slice(eq + 1)];
			else list.push([key, s.slice(eq + 1)]);
		}
		roleSettings.set(r.role, list);
	}

	const castTypes = new Map<string, string>(Object.entries(CAST_ALIASES));
	for (const t of typeRes.rows) {
		const key = t.name.toLowerCase();
		if (!castTypes.has(key) || t.schema === 'pg_catalog') castTypes.set(key, `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`);
		if (!castTypes.has(`${key}[]`)) castTypes.set(`${key}[]`, `${quoteIdent(t.schema)}.${quoteIdent(t.name)}[]`);
	}
	for (const [alias, sql] of Object.entries(CAST_ALIASES)) castTypes.set(alias, sql);

	// PostgREST's in-database configuration: pgrst.* settings of the authenticator role.
	const flag = (name: string) => {
		const setting = (roleSettings.get('authenticator') ?? []).find(([k]) => k === name);
		return setting !== undefined && ['true', 'on', '1', 'yes'].includes(setting[1].trim().toLowerCase());
	};
	return {
		relations,
		routines,
		roleSettings,
		castTypes,
		aggregatesEnabled: flag('pgrst.db_aggregates_enabled'),
		planEnabled: flag('pgrst.db_plan_enabled'),
		timezones: new Set(tzRes.rows.map((r) => r.name)),
		loadedAt: startedAt
	};
}
