// Reads the migrated schema from PostgreSQL's catalog, for the two files a
// reviewer and the compiler read instead of the migrations:
// * databaseTypes(): src/lib/supabase/database.types.ts, in the shape of
//   `supabase gen types typescript` (Database → public → Tables, Views,
//   Functions, Enums, CompositeTypes), for createClient<Database>;
// * schemaSnapshot(): supabase/schema.snapshot.txt, the effective schema the
//   migrations leave (tables, columns, constraints, indexes, RLS, policies,
//   triggers, functions with their signatures, grants), one fact a line.
// Both are written by `npm run db:types` / `npm run db:snapshot`
// (scripts/db-schema.ts), and tests/db/schema-files.test.ts fails when the
// committed files differ from what the migrations make.
import type pg from 'pg';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Schemas the platform brings (bootstrap.sql, pg-boss) rather than our migrations; their tables are left out, policies and triggers our migrations put on them are not. */
const PLATFORM_SCHEMAS = ['auth', 'storage', 'realtime', 'extensions', 'supabase_migrations', 'pgboss', 'graphql', 'graphql_public', 'vault', 'net', 'cron'];
const OURS = `n.nspname not in (${PLATFORM_SCHEMAS.map((s) => `'${s}'`).join(', ')}) and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'`;
/** The roles whose grants the snapshot shows: the API's and the service's. */
const API_ROLES = ['anon', 'authenticated', 'service_role'];

// ---- TypeScript types -------------------------------------------------------

interface ColumnRow {
	table_name: string;
	kind: string;
	column_name: string;
	type_schema: string;
	type_name: string;
	type_kind: string;
	elem_schema: string | null;
	elem_name: string | null;
	elem_kind: string | null;
	base_name: string | null;
	not_null: boolean;
	has_default: boolean;
	identity: string;
	generated: string;
}

interface TypeRef {
	schema: string;
	name: string;
	kind: string;
	elemSchema: string | null;
	elemName: string | null;
	elemKind: string | null;
	baseName: string | null;
}

const NUMBER = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid', 'money']);
const STRING = new Set(['text', 'varchar', 'bpchar', 'char', 'name', 'uuid', 'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'bytea', 'inet', 'cidr', 'macaddr', 'citext', 'tsvector', 'regclass', 'xid', 'bit', 'varbit']);

function scalar(name: string, schema: string, kind: string, enums: Set<string>): string {
	if (kind === 'e') return enums.has(`${schema}.${name}`) && schema === 'public' ? `Database["public"]["Enums"]["${name}"]` : 'string';
	if (NUMBER.has(name)) return 'number';
	if (STRING.has(name)) return 'string';
	if (name === 'bool') return 'boolean';
	if (name === 'json' || name === 'jsonb') return 'Json';
	if (name === 'void') return 'undefined';
	if (kind === 'c' && schema === 'public') return `Database["public"]["CompositeTypes"]["${name}"]`;
	return 'unknown';
}

function tsType(t: TypeRef, enums: Set<string>): string {
	if (t.elemName) return `${scalar(t.elemName, t.elemSchema ?? '', t.elemKind ?? '', enums)}[]`;
	if (t.kind === 'd' && t.baseName) return scalar(t.baseName, 'pg_catalog', 'b', enums);
	return scalar(t.name, t.schema, t.kind, enums);
}

const TYPE_COLUMNS = `
	tn.nspname as type_schema, t.typname as type_name, t.typtype as type_kind,
	en.nspname as elem_schema, e.typname as elem_name, e.typtype as elem_kind, b.typname as base_name`;
const TYPE_JOINS = `
	join pg_type t on t.oid = a.atttypid
	join pg_namespace tn on tn.oid = t.typnamespace
	left join pg_type e on e.oid = t.typelem and t.typcategory = 'A'
	left join pg_namespace en on en.oid = e.typnamespace
	left join pg_type b on b.oid = t.typbasetype and t.typtype = 'd'`;

const ref = (r: { type_schema: string; type_name: string; type_kind: string; elem_schema: string | null; elem_name: string | null; elem_kind: string | null; base_name: string | null }): TypeRef => ({
	schema: r.type_schema,
	name: r.type_name,
	kind: r.type_kind,
	elemSchema: r.elem_schema,
	elemName: r.elem_name,
	elemKind: r.elem_kind,
	baseName: r.base_name
});

const key = (name: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name));
const indent = (text: string, depth: number) => text.replace(/^(?=.)/gm, '\t'.repeat(depth));

async function enumsOf(db: Queryable): Promise<Map<string, string[]>> {
	const { rows } = await db.query<{ name: string; labels: string[] }>(
		`select t.typname as name, array_agg(e.enumlabel order by e.enumsortorder)::text[] as labels
		 from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_enum e on e.enumtypid = t.oid
		 where n.nspname = 'public' group by t.typname order by t.typname`
	);
	return new Map(rows.map((r) => [r.name, r.labels]));
}

/** database.types.ts for the public schema (the one the REST API serves), as `supabase gen types typescript` writes it. */
export async function databaseTypes(db: Queryable): Promise<string> {
	const enums = await enumsOf(db);
	const enumKeys = new Set([...enums.keys()].map((n) => `public.${n}`));
	const { rows: columns } = await db.query<ColumnRow>(
		`select c.relname as table_name, c.relkind as kind, a.attname as column_name, ${TYPE_COLUMNS},
		        a.attnotnull as not_null, a.atthasdef as has_default, a.attidentity as identity, a.attgenerated as generated
		 from pg_class c join pg_namespace n on n.oid = c.relnamespace
		 join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
		 ${TYPE_JOINS}
		 where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm')
		 order by c.relname, a.attname`
	);
	const { rows: fks } = await db.query<{ table_name: string; name: string; columns: string[]; referenced: string; referenced_columns: string[]; one_to_one: boolean }>(
		`select c.relname as table_name, k.conname as name,
		        array(select a.attname from unnest(k.conkey) with ordinality u(n, i) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i)::text[] as columns,
		        r.relname as referenced,
		        array(select a.attname from unnest(k.confkey) with ordinality u(n, i) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.i)::text[] as referenced_columns,
		        exists (select from pg_index x where x.indrelid = k.conrelid and x.indisunique and x.indpred is null
		                and (select array_agg(v order by v) from unnest(x.indkey::int2[]) v) = (select array_agg(v order by v) from unnest(k.conkey) v)) as one_to_one
		 from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
		 join pg_class r on r.oid = k.confrelid join pg_namespace rn on rn.oid = r.relnamespace
		 where k.contype = 'f' and n.nspname = 'public' and rn.nspname = 'public'
		 order by c.relname, k.conname`
	);

	const tables = new Map<string, { kind: string; columns: ColumnRow[] }>();
	for (const c of columns) {
		const entry = tables.get(c.table_name) ?? { kind: c.kind, columns: [] };
		entry.columns.push(c);
		tables.set(c.table_name, entry);
	}
	const relationships = (table: string) => {
		const list = fks.filter((f) => f.table_name === table);
		if (list.length === 0) return 'Relationships: []';
		const items = list.map(
			(f) =>
				`{\n\tforeignKeyName: ${JSON.stringify(f.name)}\n\tcolumns: [${f.columns.map((c) => JSON.stringify(c)).join(', ')}]\n\tisOneToOne: ${f.one_to_one}\n\treferencedRelation: ${JSON.stringify(f.referenced)}\n\treferencedColumns: [${f.referenced_columns.map((c) => JSON.stringify(c)).join(', ')}]\n}`
		);
		return `Relationships: [\n${indent(items.join(',\n'), 1)}\n]`;
	};

	const tableBlocks: string[] = [];
	const viewBlocks: string[] = [];
	for (const [name, table] of tables) {
		const isView = table.kind === 'v' || table.kind === 'm';
		const row = table.columns.map((c) => `${key(c.column_name)}: ${tsType(ref(c), enumKeys)}${c.not_null && !isView ? '' : ' | null'}`);
		if (isView) {
			viewBlocks.push(`${key(name)}: {\n\tRow: {\n${indent(row.join('\n'), 2)}\n\t}\n${indent(relationships(name), 1)}\n}`);
			continue;
		}
		const insert = table.columns.map((c) => {
			const type = `${tsType(ref(c), enumKeys)}${c.not_null ? '' : ' | null'}`;
			if (c.generated === 's' || c.identity === 'a') return `${key(c.column_name)}?: never`;
			return `${key(c.column_name)}${c.not_null && !c.has_default && !c.identity ? '' : '?'}: ${type}`;
		});
		const update = table.columns.map((c) => {
			if (c.generated === 's' || c.identity === 'a') return `${key(c.column_name)}?: never`;
			return `${key(c.column_name)}?: ${tsType(ref(c), enumKeys)}${c.not_null ? '' : ' | null'}`;
		});
		tableBlocks.push(
			`${key(name)}: {\n\tRow: {\n${indent(row.join('\n'), 2)}\n\t}\n\tInsert: {\n${indent(insert.join('\n'), 2)}\n\t}\n\tUpdate: {\n${indent(update.join('\n'), 2)}\n\t}\n${indent(relationships(name), 1)}\n}`
		);
	}

	const functionBlocks = await functionTypes(db, enumKeys, new Set([...tables].filter(([, t]) => t.kind === 'r' || t.kind === 'p').map(([n]) => n)));
	const enumBlocks = [...enums].map(([name, labels]) => `${key(name)}: ${labels.map((l) => JSON.stringify(l)).join(' | ')}`);
	const composite = await compositeTypes(db, enumKeys);

	const section = (blocks: string[]) => (blocks.length ? `{\n${indent(blocks.join('\n'), 1)}\n}` : '{\n\t[_ in never]: never\n}');
	return `// Generated by \`npm run db:types\` from the migrated schema (scripts/db-schema/catalog.ts); do not edit.
// tests/db/schema-files.test.ts fails when it falls behind the migrations.
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
	public: {
		Tables: ${indent(section(tableBlocks), 2).trimStart()}
		Views: ${indent(section(viewBlocks), 2).trimStart()}
		Functions: ${indent(section(functionBlocks), 2).trimStart()}
		Enums: ${indent(section(enumBlocks), 2).trimStart()}
		CompositeTypes: ${indent(section(composite), 2).trimStart()}
	}
};
`;
}

async function functionTypes(db: Queryable, enumKeys: Set<string>, tableNames: Set<string>): Promise<string[]> {
	const { rows } = await db.query<{
		name: string;
		arg_names: string[] | null;
		arg_modes: string[] | null;
		arg_types: string[];
		defaults: number;
		returns_set: boolean;
		ret_oid: string;
	}>(
		`select p.proname as name, p.proargnames::text[] as arg_names, p.proargmodes::text[] as arg_modes,
		        coalesce(p.proallargtypes, p.proargtypes::oid[])::text[] as arg_types, p.pronargdefaults as defaults,
		        p.proretset as returns_set, p.prorettype::text as ret_oid
		 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
		 where n.nspname = 'public' and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype
		   and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
		 order by p.proname, pg_get_function_identity_arguments(p.oid)`
	);
	const typeCache = new Map<string, TypeRef & { relname: string | null; relkind: string | null }>();
	const typeOf = async (oid: string) => {
		const cached = typeCache.get(oid);
		if (cached) return cached;
		const { rows: t } = await db.query(
			`select tn.nspname as type_schema, t.typname as type_name, t.typtype as type_kind,
			        en.nspname as elem_schema, e.typname as elem_name, e.typtype as elem_kind, b.typname as base_name,
			        r.relname, r.relkind
			 from pg_type t join pg_namespace tn on tn.oid = t.typnamespace
			 left join pg_type e on e.oid = t.typelem and t.typcategory = 'A'
			 left join pg_namespace en on en.oid = e.typnamespace
			 left join pg_type b on b.oid = t.typbasetype and t.typtype = 'd'
			 left join pg_class r on r.oid = t.typrelid
			 where t.oid = $1::oid`,
			[oid]
		);
		const value = { ...ref(t[0]), relname: t[0].relname as string | null, relkind: t[0].relkind as string | null };
		typeCache.set(oid, value);
		return value;
	};
	const byName = new Map<string, string[]>();
	for (const f of rows) {
		const names = f.arg_names ?? [];
		const modes = f.arg_modes ?? f.arg_types.map(() => 'i');
		const inputs: string[] = [];
		const outputs: string[] = [];
		const inputIndexes = modes.map((m, i) => (m === 'i' || m === 'b' || m === 'v' ? i : -1)).filter((i) => i >= 0);
		const firstDefault = inputIndexes.length - f.defaults;
		for (const [position, i] of inputIndexes.entries()) {
			const t = await typeOf(f.arg_types[i]);
			inputs.push(`${key(names[i] || `arg${i}`)}${position >= firstDefault ? '?' : ''}: ${tsType(t, enumKeys)}`);
		}
		for (const [i, mode] of modes.entries()) {
			if (mode === 't' || mode === 'o' || mode === 'b') outputs.push(`${key(names[i] || `column${i}`)}: ${tsType(await typeOf(f.arg_types[i]), enumKeys)}`);
		}
		const ret = await typeOf(f.ret_oid);
		let returns: string;
		if (outputs.length && modes.some((m) => m === 't' || m === 'o')) returns = `{\n${indent(outputs.join('\n'), 1)}\n}`;
		else if (ret.relname && ret.relkind && (ret.relkind === 'r' || ret.relkind === 'p') && ret.schema === 'public' && tableNames.has(ret.relname)) returns = `Database["public"]["Tables"]["${ret.relname}"]["Row"]`;
		else returns = tsType(ret, enumKeys);
		if (f.returns_set) returns = returns.includes('\n') ? `${returns}[]` : `${returns}[]`;
		const args = inputs.length ? `{\n${indent(inputs.join('\n'), 1)}\n}` : 'Record<PropertyKey, never>';
		const block = `{\n\tArgs: ${indent(args, 1).trimStart()}\n\tReturns: ${indent(returns, 1).trimStart()}\n}`;
		byName.set(f.name, [...(byName.get(f.name) ?? []), block]);
	}
	return [...byName].map(([name, overloads]) => `${key(name)}: ${overloads.length === 1 ? overloads[0] : `\n${indent(overloads.map((o) => `| ${o}`).join('\n'), 1)}`}`);
}

async function compositeTypes(db: Queryable, enumKeys: Set<string>): Promise<string[]> {
	const { rows } = await db.query<ColumnRow>(
		`select c.relname as table_name, c.relkind as kind, a.attname as column_name, ${TYPE_COLUMNS},
		        a.attnotnull as not_null, false as has_default, '' as identity, '' as generated
		 from pg_type ct join pg_namespace n on n.oid = ct.typnamespace
		 join pg_class c on c.oid = ct.typrelid and c.relkind = 'c'
		 join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
		 ${TYPE_JOINS}
		 where n.nspname = 'public'
		 order by c.relname, a.attnum`
	);
	const byType = new Map<string, string[]>();
	for (const c of rows) byType.set(c.table_name, [...(byType.get(c.table_name) ?? []), `${key(c.column_name)}: ${tsType(ref(c), enumKeys)} | null`]);
	return [...byType].map(([name, fields]) => `${key(name)}: {\n${indent(fields.join('\n'), 1)}\n}`);
}

// ---- The schema snapshot ------------------------------------------------------

async function lines(db: Queryable, sql: string): Promise<string[]> {
	const { rows } = await db.query<{ line: string }>(sql);
	return rows.map((r) => r.line);
}

/** The effective schema our migrations leave, one fact a line, in a stable order. */
export async function schemaSnapshot(db: Queryable): Promise<string> {
	const roles = API_ROLES.map((r) => `'${r}'`).join(', ');
	const sections: Array<[string, string[]]> = [
		[
			'schemas',
			await lines(
				db,
				`select format('schema %s: usage for %s', n.nspname, coalesce((select string_agg(r, ', ' order by r) from (select case when a.grantee = 0 then 'public' else pg_get_userbyid(a.grantee) end as r
				   from aclexplode(n.nspacl) a where a.privilege_type = 'USAGE') g where r in ('public', ${roles})), 'none')) as line
				 from pg_namespace n where ${OURS} order by 1`
			)
		],
		[
			'tables and views',
			await lines(
				db,
				`select format('%s %s.%s%s', case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'p' then 'partitioned table' else 'table' end,
				               n.nspname, c.relname,
				               case when c.relrowsecurity then ' (row level security' || case when c.relforcerowsecurity then ', forced' else '' end || ')' else '' end) as line
				 from pg_class c join pg_namespace n on n.oid = c.relnamespace
				 where ${OURS} and c.relkind in ('r', 'p', 'v', 'm') and not c.relispartition order by 1`
			)
		],
		[
			'columns',
			await lines(
				db,
				`select format('%s.%s.%s %s%s%s%s', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
				               case when a.attnotnull then ' not null' else '' end,
				               case when a.attidentity <> '' then ' identity' when a.attgenerated <> '' then ' generated as ' || pg_get_expr(d.adbin, d.adrelid)
				                    when d.adbin is not null then ' default ' || pg_get_expr(d.adbin, d.adrelid) else '' end,
				               '') as line
				 from pg_class c join pg_namespace n on n.oid = c.relnamespace
				 join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
				 left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
				 where ${OURS} and c.relkind in ('r', 'p', 'v', 'm') and not c.relispartition order by n.nspname, c.relname, a.attnum`
			)
		],
		[
			'constraints',
			await lines(
				db,
				`select format('%s.%s %s: %s%s', n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid), case when not k.convalidated then ' (not validated)' else '' end) as line
				 from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
				 where ${OURS} and not c.relispartition order by n.nspname, c.relname, k.conname`
			)
		],
		[
			'indexes',
			await lines(
				db,
				`select pg_get_indexdef(i.indexrelid) as line
				 from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
				 where ${OURS} and not c.relispartition order by 1`
			)
		],
		[
			'policies',
			await lines(
				db,
				`select format('%s.%s %s: %s for %s to %s%s%s', p.schemaname, p.tablename, quote_ident(p.policyname), lower(p.permissive), lower(p.cmd),
				               array_to_string(p.roles, ', '),
				               case when p.qual is not null then ' using ' || p.qual else '' end,
				               case when p.with_check is not null then ' with check ' || p.with_check else '' end) as line
				 from pg_policies p where p.schemaname not like 'pg\\_%' and p.tablename not like 'messages\\_%' order by p.schemaname, p.tablename, p.policyname`
			)
		],
		[
			'triggers',
			await lines(
				db,
				`select pg_get_triggerdef(t.oid) as line
				 from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
				 join pg_proc p on p.oid = t.tgfoid join pg_namespace pn on pn.oid = p.pronamespace
				 where not t.tgisinternal and not c.relispartition and (${OURS.replaceAll('n.nspname', 'pn.nspname')})
				 order by n.nspname, c.relname, t.tgname`
			)
		],
		[
			'functions',
			await lines(
				db,
				`select format('%s.%s(%s) returns %s, %s %s%s%s, body md5 %s', n.nspname, p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
				               l.lanname, case p.provolatile when 'i' then 'immutable' when 's' then 'stable' else 'volatile' end,
				               case when p.prosecdef then ', security definer' else '' end,
				               coalesce(', set ' || array_to_string(p.proconfig, ', '), ''), md5(p.prosrc)) as line
				 from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
				 where ${OURS} and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
				 order by n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)`
			)
		],
		[
			'grants on tables and views',
			await lines(
				db,
				`select format('%s.%s to %s: %s', n.nspname, c.relname, g.grantee, string_agg(lower(g.privilege_type), ', ' order by g.privilege_type)) as line
				 from pg_class c join pg_namespace n on n.oid = c.relnamespace,
				      lateral (select case when a.grantee = 0 then 'public' else pg_get_userbyid(a.grantee) end as grantee, a.privilege_type from aclexplode(c.relacl) a) g
				 where ${OURS} and c.relkind in ('r', 'p', 'v', 'm') and not c.relispartition and g.grantee in ('public', ${roles})
				 group by n.nspname, c.relname, g.grantee order by 1`
			)
		],
		[
			'grants on columns',
			await lines(
				db,
				`select format('%s.%s.%s to %s: %s', n.nspname, c.relname, a.attname, g.grantee, string_agg(lower(g.privilege_type), ', ' order by g.privilege_type)) as line
				 from pg_class c join pg_namespace n on n.oid = c.relnamespace
				 join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attacl is not null,
				      lateral (select case when x.grantee = 0 then 'public' else pg_get_userbyid(x.grantee) end as grantee, x.privilege_type from aclexplode(a.attacl) x) g
				 where ${OURS} and g.grantee in ('public', ${roles})
				 group by n.nspname, c.relname, a.attname, g.grantee order by 1`
			)
		],
		[
			'grants on functions (execute)',
			await lines(
				db,
				`select format('%s.%s(%s) to %s', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
				               coalesce((select string_agg(r, ', ' order by r) from (select distinct case when a.grantee = 0 then 'public' else pg_get_userbyid(a.grantee) end as r
				                         from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a where a.privilege_type = 'EXECUTE') g where r in ('public', ${roles})), 'nobody')) as line
				 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
				 where ${OURS} and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
				 order by n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)`
			)
		]
	];
	const header = `# The effective schema the migrations leave, read from the catalog by
# \`npm run db:snapshot\` (scripts/db-schema/catalog.ts); do not edit.
# tests/db/schema-files.test.ts fails when it falls behind the migrations.
# Schemas of the platform (${PLATFORM_SCHEMAS.join(', ')}) are left out,
# except for the policies and triggers our migrations put on their tables.
# Grants are shown for public, ${API_ROLES.join(', ')}.
`;
	return header + sections.map(([title, body]) => `\n## ${title}\n${body.join('\n')}\n`).join('');
}
