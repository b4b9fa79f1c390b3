// INSERT (and upsert), UPDATE and DELETE as the data-modifying CTE
// `pgrst_source`; the response is then read from it like a table (see
// read-sql.ts), so `select=` and embeds work on the returned rows.
import { renderField, renderFilter, renderLogic } from './filters-sql.ts';
import type { PlanNode } from './plan.ts';
import type { Column, Relation } from './schema-cache.ts';
import { SqlParams, qualified, quoteIdent, quoteLiteral } from './sql.ts';

export interface InsertOptions {
	columns: Column[];
	missingDefault: boolean;
	resolution: 'merge-duplicates' | 'ignore-duplicates' | null;
	onConflict: string[];
	returning: string[];
	/** Number of payload rows (zero-column inserts need it). */
	rowCount: number;
	/**
	 * Count inserted rows in the transaction setting pgrst.inserted (each payload
	 * row adds one, each conflicting row updated takes one back), as PostgREST
	 * does to answer an upsert 201 or 200.
	 */
	countInserted: boolean;
	/** PUT: conditions on the payload row (its key must equal the URL's). */
	payloadConditions: string[];
}

const INSERTED = `coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0)`;
/** Read after the mutation by the response statement (see read-sql.ts). */
export const INSERTED_COUNT = `nullif(current_setting('pgrst.inserted', true), '')::int`;

function returningClause(alias: string, columns: string[]): string {
	return columns.length ? ` returning ${columns.map((c) => `${quoteIdent(alias)}.${quoteIdent(c)}`).join(', ')}` : ' returning 1';
}

/** The payload is one JSON array bound as a parameter. */
export function insertSql(rel: Relation, payload: string, options: InsertOptions, params: SqlParams): string {
	const target = qualified(rel.schema, rel.name);
	const alias = 'pgrst_0';
	if (options.columns.length === 0) {
		// `{}` or `[{}, {}]`: every column takes its default.
		if (options.rowCount === 0) return `select 1 where false`;
		if (options.rowCount === 1) return `insert into ${target} as ${alias} default values${returningClause(alias, options.returning)}`;
		const column = rel.columnList.find((c) => c.defaultExpr !== null && !c.generated) ?? rel.columnList.find((c) => !c.generated);
		if (!column) return `select 1 where false`;
		const rows = `generate_series(1, ${params.add(String(options.rowCount))}::integer)`;
		return `insert into ${target} as ${alias} (${quoteIdent(column.name)}) select ${column.defaultExpr ?? 'null'} from ${rows}${returningClause(alias, options.returning)}`;
	}
	const cols = options.columns.map((c) => quoteIdent(c.name)).join(', ');
	let select: string;
	const p = params.add(payload);
	if (options.missingDefault) {
		const values = options.columns.map((c) => {
			const value = `pgrst_rec.${quoteIdent(c.name)}`;
			return c.defaultExpr === null ? value : `case when pgrst_obj ? ${quoteLiteral(c.name)} then ${value} else ${c.defaultExpr} end`;
		});
		select = `select ${values.join(', ')} from jsonb_array_elements(${p}::jsonb) as pgrst_elems(pgrst_obj) cross join lateral jsonb_populate_record(null::${target}, pgrst_obj) as pgrst_rec`;
	} else {
		select = `select ${options.columns.map((c) => `pgrst_body.${quoteIdent(c.name)}`).join(', ')} from json_populate_recordset(null::${target}, ${p}::json) as pgrst_body`;
	}
	const where = [...options.payloadConditions];
	if (options.countInserted) where.unshift(`set_config('pgrst.inserted', (${INSERTED} + 1)::text, true) <> '0'`);
	if (where.length) select += ` where ${where.join(' and ')}`;
	let conflict = '';
	if (options.resolution) {
		const targetCols = options.onConflict.length ? ` (${options.onConflict.map(quoteIdent).join(', ')})` : '';
		if (options.resolution === 'ignore-duplicates') conflict = ` on conflict${targetCols} do nothing`;
		else {
			// Every payload column, the conflict columns too: a payload of only the key still
			// "updates" (triggers fire, the row is returned), as PostgREST does.
			conflict = ` on conflict${targetCols} do update set ${options.columns.map((c) => `${quoteIdent(c.name)} = excluded.${quoteIdent(c.name)}`).join(', ')}`;
			if (options.countInserted) conflict += ` where set_config('pgrst.inserted', (${INSERTED} - 1)::text, true) <> '-1'`;
		}
	}
	return `insert into ${target} as ${alias} (${cols}) ${select}${conflict}${returningClause(alias, options.returning)}`;
}

/** WHERE conditions of UPDATE/DELETE, with `order`+`limit` applied through ctid like PostgREST. */
function whereClause(rel: Relation, filterNode: PlanNode, params: SqlParams): string {
	const conds: string[] = [];
	for (const f of filterNode.filters) conds.push(renderFilter(filterNode, f, params));
	for (const t of filterNode.logic) conds.push(renderLogic(filterNode, t, params));
	if (filterNode.limit === null) return conds.length ? ` where ${conds.join(' and ')}` : '';
	const a = quoteIdent(filterNode.alias);
	const order = filterNode.order
		.map(({ term, column }) => `${renderField(filterNode.alias, term.field, params, column)}${term.direction === 'desc' ? ' desc' : ''}${term.nulls === 'first' ? ' nulls first' : term.nulls === 'last' ? ' nulls last' : ''}`)
		.join(', ');
	const inner = `select ${a}.ctid from ${qualified(rel.schema, rel.name)} as ${a}${conds.length ? ` where ${conds.join(' and ')}` : ''}${order ? ` order by ${order}` : ''} limit ${params.add(String(filterNode.limit))}${filterNode.offset ? ` offset ${params.add(String(filterNode.offset))}` : ''}`;
	return ` where ${a}.ctid = any(array(${inner}))`;
}

export function updateSql(rel: Relation, payload: string, columns: Column[], filterNode: PlanNode, returning: string[], params: SqlParams): string {
	const target = qualified(rel.schema, rel.name);
	const a = quoteIdent(filterNode.alias);
	if (columns.length === 0) {
		// Nothing to change: answer as if no row matched, like PostgREST.
		return `select ${returning.length ? returning.map((c) => `${a}.${quoteIdent(c)}`).join(', ') : '1'} from ${target} as ${a} where false`;
	}
	const sets = columns.map((c) => `${quoteIdent(c.name)} = pgrst_body.${quoteIdent(c.name)}`).join(', ');
	const body = `(select * from json_populate_record(null::${target}, ${params.add(payload)}::json)) as pgrst_body`;
	return `update ${target} as ${a} set ${sets} from ${body}${whereClause(rel, filterNode, params)}${returningClause(filterNode.alias, returning)}`;
}

export function deleteSql(rel: Relation, filterNode: PlanNode, returning: string[], params: SqlParams): string {
	const target = qualified(rel.schema, rel.name);
	return `delete from ${target} as ${quoteIdent(filterNode.alias)}${whereClause(rel, filterNode, params)}${returningClause(filterNode.alias, returning)}`;
}
