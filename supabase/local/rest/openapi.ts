// The OpenAPI root (`GET /rest/v1/`): a Swagger 2.0 document of one exposed
// schema, shaped as PostgREST's Response/OpenAPI.hs writes it (definitions,
// shared parameters, a path per table/view and per function). Like
// PostgREST's default openapi-mode (follow-privileges), it lists only the
// relations the caller's role holds a privilege on and the functions it may
// execute: the catalog is read in the caller's transaction, as that role.
import type pg from 'pg';
import { runTransaction } from './execute.ts';
import type { Relation, RoutineInfo, SchemaCache } from './schema-cache.ts';

/** What the caller may see of the schema, read as the caller's role. */
const VISIBLE_SQL = `
select 'r' as kind, c.oid::int8 as oid, pg_catalog.obj_description(c.oid, 'pg_class') as description,
  c.relkind in ('r', 'p') or (pg_catalog.pg_relation_is_updatable(c.oid::regclass, true) & 28) <> 0 as writable,
  null::text as col_name, null::text as col_type, null::int4 as col_max_length, null::text as col_enum
from pg_catalog.pg_class c
where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'v', 'm', 'f', 'p')
  and pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE')
union all
select 'f', p.oid::int8, pg_catalog.obj_description(p.oid, 'pg_proc'), null, null, null, null, null
from pg_catalog.pg_proc p
where p.pronamespace = $1::regnamespace and p.prokind = 'f' and pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
union all
select 'c', a.attrelid::int8, pg_catalog.col_description(a.attrelid, a.attnum), null, a.attname::text,
  case when coalesce(bt.typnamespace, t.typnamespace) = 'pg_catalog'::regnamespace
    then pg_catalog.format_type(coalesce(bt.oid, t.oid), null) else pg_catalog.format_type(a.atttypid, null) end,
  case when coalesce(bt.oid, t.oid) in (1042, 1043) and coalesce(nullif(a.atttypmod, -1), bt.typtypmod) > 4
    then coalesce(nullif(a.atttypmod, -1), bt.typtypmod) - 4 end,
  (select pg_catalog.array_to_json(array_agg(e.enumlabel order by e.enumsortorder))::text from pg_catalog.pg_enum e where e.enumtypid = coalesce(bt.oid, t.oid))
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_type t on t.oid = a.atttypid
left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'v', 'm', 'f', 'p') and a.attnum > 0 and not a.attisdropped
union all
select 's', 0, pg_catalog.obj_description($1::regnamespace, 'pg_namespace'), null, null, null, null, null`;

interface VisibleRow {
	kind: string;
	oid: string;
	description: string | null;
	writable: string | null;
	col_name: string | null;
	col_type: string | null;
	col_max_length: string | null;
	col_enum: string | null;
}

interface ColumnMeta {
	type: string;
	maxLength: number | null;
	enumValues: string[] | null;
	description: string | null;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

function swaggerType(type: string): string | undefined {
	switch (type) {
		case 'character varying':
		case 'character':
		case 'text':
			return 'string';
		case 'boolean':
			return 'boolean';
		case 'smallint':
		case 'integer':
		case 'bigint':
			return 'integer';
		case 'numeric':
		case 'real':
		case 'double precision':
			return 'number';
		case 'json':
		case 'jsonb':
			return undefined;
	}
	return type.endsWith('[]') ? 'array' : 'string';
}

function swaggerFormat(type: string): string {
	if (type === 'smallint' || type === 'integer') return 'int32';
	if (type === 'bigint') return 'int64';
	return type;
}

/** A column default as JSON, the way PostgREST's parseDefault reads it (dropped when it is an expression). */
function parseDefault(type: string, expr: string | null): Json | undefined {
	if (expr === null) return undefined;
	let text = expr;
	if (swaggerType(type) === 'string') {
		const suffix = `::${type}`;
		if (text.endsWith(suffix)) text = text.slice(0, -suffix.length).replace(/^'+|'+$/g, '');
		text = `"${text}"`;
	}
	try {
		return JSON.parse(text) as Json;
	} catch {
		return undefined;
	}
}

function splitDescription(description: string | null): { summary?: string; description?: string } {
	if (description === null) return {};
	const nl = description.indexOf('\n');
	if (nl < 0) return { summary: description };
	const rest = description.slice(nl).replace(/^\n+/, '');
	return { summary: description.slice(0, nl), ...(rest ? { description: rest } : {}) };
}

function queryParam(name: string, description: string, location = 'query', extra: Record<string, Json> = {}): Json {
	return { name, description, required: false, in: location, type: 'string', ...extra };
}

function preferParam(values: string[]): Json {
	return { name: 'Prefer', description: 'Preference', required: false, in: 'header', type: 'string', ...(values.length ? { enum: values } : {}) };
}

function tableDefinition(relation: Relation, meta: Map<string, ColumnMeta>): Json {
	const properties: Record<string, Json> = {};
	for (const column of relation.columnList) {
		const m = meta.get(column.name);
		const type = m?.type ?? column.type;
		const notes: string[] = [];
		if (relation.primaryKey.includes(column.name)) notes.push('This is a Primary Key.<pk/>');
		// Tables first, then views (as PostgREST sorts), single-column many-to-one or one-to-one keys.
		const fk = [...relation.relationships]
			.filter((r) => !r.computed && r.fkInSource && (r.cardinality === 'm2o' || r.cardinality === 'o2o') && r.columns.length === 1 && r.columns[0] === column.name)
			.sort((a, b) => Number(a.target.kind === 'v' || a.target.kind === 'm') - Number(b.target.kind === 'v' || b.target.kind === 'm'))[0];
		if (fk) notes.push(`This is a Foreign Key to \`${fk.target.name}.${fk.targetColumns[0]}\`.<fk table='${fk.target.name}' column='${fk.targetColumns[0]}'/>`);
		const described = m?.description ?? null;
		const description = notes.length ? `${described === null ? '' : `${described}\n\n`}Note:\n${notes.join('\n')}` : described;
		const t = swaggerType(type);
		const property: Record<string, Json | undefined> = {
			default: parseDefault(type, column.defaultExpr),
			description: description ?? undefined,
			enum: m?.enumValues ?? undefined,
			format: swaggerFormat(type),
			maxLength: m?.maxLength ?? undefined,
			type: t,
			items: t === 'array' ? { type: swaggerType(type.slice(0, -2)) } : undefined
		};
		properties[column.name] = Object.fromEntries(Object.entries(property).filter(([, v]) => v !== undefined)) as Json;
	}
	const required = relation.columnList.filter((c) => !c.nullable).map((c) => c.name);
	return { ...(meta.get('\u0000')?.description ? { description: meta.get('\u0000')!.description } : {}), ...(required.length ? { required } : {}), properties, type: 'object' };
}

function routinePath(routine: RoutineInfo, description: string | null): Json {
	const op = {
		...splitDescription(description),
		tags: [`(rpc) ${routine.name}`],
		produces: ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json'],
		responses: { '200': { description: 'OK' } }
	};
	const properties: Record<string, Json> = {};
	for (const p of routine.params) {
		const t = swaggerType(p.type);
		properties[p.name] = Object.fromEntries(
			Object.entries({ format: swaggerFormat(p.type), type: t, items: t === 'array' ? { type: swaggerType(p.type.slice(0, -2)) } : undefined }).filter(([, v]) => v !== undefined)
		) as Json;
	}
	const required = routine.params.filter((p) => !p.hasDefault).map((p) => p.name);
	const body: Json = { ...(description ? { description } : {}), ...(required.length ? { required } : {}), properties, type: 'object' };
	const post = { ...op, parameters: [{ in: 'body', name: 'args', required: true, schema: body }, { $ref: '#/parameters/preferParams' }] };
	if (routine.volatility === 'v') return { post };
	const get = {
		...op,
		parameters: routine.params.map((p) => {
			const t = swaggerType(p.type);
			const base: Record<string, Json> = { in: 'query', name: p.name, required: !p.hasDefault };
			if (p.variadic) return { ...base, type: t ?? 'string', items: { type: swaggerType(p.type.slice(0, -2)) ?? 'string', format: swaggerFormat(p.type.slice(0, -2)) }, collectionFormat: 'multi' };
			return { ...base, format: swaggerFormat(p.type), type: t === 'array' || t === undefined ? 'string' : t };
		})
	};
	return { get, post };
}

export interface OpenApiRequest {
	pool: pg.Pool;
	settings: Array<[string, string]>;
	schema: string;
	/** Host (and port) the client used, for the document's `host`. */
	host: string;
}

/** The document (as JSON text) for the caller's role. */
export async function openApiDocument(cache: SchemaCache, request: OpenApiRequest): Promise<string> {
	const [result] = await runTransaction(request.pool, {
		readOnly: true,
		settings: request.settings,
		statements: [{ text: VISIBLE_SQL, values: [request.schema] }],
		end: 'commit'
	});
	const rows = result.rows as unknown as VisibleRow[];
	const visible = new Map<number, { description: string | null; writable: boolean }>();
	const callable = new Map<number, string | null>();
	const columns = new Map<number, Map<string, ColumnMeta>>();
	let schemaDescription: string | null = null;
	for (const row of rows) {
		const oid = Number(row.oid);
		if (row.kind === 'r') visible.set(oid, { description: row.description, writable: row.writable === 't' || row.writable === 'true' });
		else if (row.kind === 'f') callable.set(oid, row.description);
		else if (row.kind === 's') schemaDescription = row.description;
		else if (row.kind === 'c' && row.col_name !== null) {
			let m = columns.get(oid);
			if (!m) columns.set(oid, (m = new Map()));
			m.set(row.col_name, {
				type: row.col_type ?? 'text',
				maxLength: row.col_max_length === null ? null : Number(row.col_max_length),
				enumValues: row.col_enum === null ? null : (JSON.parse(row.col_enum) as string[]),
				description: row.description
			});
		}
	}

	const relations = [...cache.relations.values()].filter((r) => r.schema === request.schema && visible.has(r.oid)).sort((a, b) => a.name.localeCompare(b.name));
	const routines = [...cache.routines.values()]
		.flat()
		.filter((r) => r.schema === request.schema && callable.has(r.oid))
		.sort((a, b) => a.name.localeCompare(b.name) || a.oid - b.oid);

	const definitions: Record<string, Json> = {};
	const parameters: Record<string, Json> = {
		preferParams: preferParam([]),
		preferReturn: preferParam(['return=representation', 'return=minimal', 'return=none']),
		preferCount: preferParam(['count=none']),
		preferPost: preferParam(['return=representation', 'return=minimal', 'return=none', 'resolution=ignore-duplicates', 'resolution=merge-duplicates']),
		select: queryParam('select', 'Filtering Columns'),
		on_conflict: queryParam('on_conflict', 'On Conflict'),
		order: queryParam('order', 'Ordering'),
		range: queryParam('Range', 'Limiting and Pagination', 'header'),
		rangeUnit: queryParam('Range-Unit', 'Limiting and Pagination', 'header', { default: 'items' }),
		offset: queryParam('offset', 'Limiting and Pagination'),
		limit: queryParam('limit', 'Limiting and Pagination')
	};
	const paths: Record<string, Json> = {
		'/': {
			get: {
				tags: ['Introspection'],
				summary: 'OpenAPI description (this document)',
				produces: ['application/openapi+json', 'application/json'],
				responses: { '200': { description: 'OK' } }
			}
		}
	};
	for (const relation of relations) {
		const info = visible.get(relation.oid)!;
		const meta = columns.get(relation.oid) ?? new Map<string, ColumnMeta>();
		if (info.description !== null) meta.set('\u0000', { type: '', maxLength: null, enumValues: null, description: info.description });
		definitions[relation.name] = tableDefinition(relation, meta);
		parameters[`body.${relation.name}`] = { name: relation.name, description: relation.name, required: false, in: 'body', schema: { $ref: `#/definitions/${relation.name}` } };
		const rowFilters: string[] = [];
		for (const column of relation.columnList) {
			const key = `rowFilter.${relation.name}.${column.name}`;
			const described = meta.get(column.name)?.description;
			parameters[key] = { name: column.name, ...(described ? { description: described } : {}), required: false, in: 'query', type: 'string' };
			rowFilters.push(key);
		}
		const ref = (name: string) => ({ $ref: `#/parameters/${name}` });
		const op = { tags: [relation.name], ...splitDescription(info.description) };
		const item: Record<string, Json> = {
			get: {
				...op,
				parameters: [...rowFilters, 'select', 'order', 'range', 'rangeUnit', 'offset', 'limit', 'preferCount'].map(ref),
				responses: {
					'200': { description: 'OK', schema: { type: 'array', items: { $ref: `#/definitions/${relation.name}` } } },
					'206': { description: 'Partial Content' }
				}
			}
		};
		if (info.writable) {
			item.post = { ...op, parameters: [`body.${relation.name}`, 'select', 'preferPost'].map(ref), responses: { '201': { description: 'Created' } } };
			item.patch = { ...op, parameters: [...rowFilters, `body.${relation.name}`, 'preferReturn'].map(ref), responses: { '204': { description: 'No Content' } } };
			item.delete = { ...op, parameters: [...rowFilters, 'preferReturn'].map(ref), responses: { '204': { description: 'No Content' } } };
		}
		paths[`/${relation.name}`] = item;
	}
	for (const routine of routines) {
		const path = `/rpc/${routine.name}`;
		if (!(path in paths)) paths[path] = routinePath(routine, callable.get(routine.oid) ?? null);
	}
	const title = splitDescription(schemaDescription);
	const doc = {
		swagger: '2.0',
		info: {
			description: title.summary === undefined ? 'This is a dynamic API generated by PostgREST' : (title.description ?? ''),
			title: title.summary ?? 'PostgREST API',
			version: POSTGREST_VERSION
		},
		host: request.host,
		basePath: '/rest/v1/',
		schemes: ['http'],
		consumes: MIME_LIST,
		produces: MIME_LIST,
		paths,
		definitions,
		parameters,
		externalDocs: { description: 'PostgREST Documentation', url: 'https://postgrest.org/en/v12/references/api.html' }
	};
	return JSON.stringify(doc);
}

/** The PostgREST release whose behaviour this stand-in follows. */
export const POSTGREST_VERSION = '12.2.3';

const MIME_LIST = ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv'];
