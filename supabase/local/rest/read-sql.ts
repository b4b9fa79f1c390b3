// Renders a read plan as SQL that builds the response in Postgres, like
// PostgREST: each embed is a LATERAL subquery producing JSON (row_to_json for
// to-one, json_agg for to-many), and the top level aggregates the rows into
// one JSON (or CSV) text value, with the page size and the optional count.
import { renderField, renderFilter, renderLogic } from './filters-sql.ts';
import { isAggregated, type PlanEmbed, type PlanField, type PlanNode } from './plan.ts';
import type { Relationship } from './schema-cache.ts';
import { SqlParams, qualified, quoteIdent } from './sql.ts';

export type BodyFormat = 'json' | 'json-stripped' | 'csv' | 'none';

/** FROM item and join conditions that tie an embedded node to its parent row. */
function relationJoin(rel: Relationship, parentAlias: string, childAlias: string, parentRow: string | null): { from: string; conds: string[] } {
	const child = quoteIdent(childAlias);
	const parent = quoteIdent(parentAlias);
	if (rel.computed) return { from: `${rel.computed}(${parentRow ?? parent}) as ${child}`, conds: [] };
	const from = `${qualified(rel.target.schema, rel.target.name)} as ${child}`;
	if (rel.cardinality === 'm2m') {
		const j = rel.junction!;
		const jAlias = quoteIdent(`${childAlias}_junction`);
		const on = j.targetJunctionColumns.map((c, i) => `${jAlias}.${quoteIdent(c)} = ${child}.${quoteIdent(j.targetColumns[i])}`).join(' and ');
		return {
			from: `${from} join ${qualified(j.relation.schema, j.relation.name)} as ${jAlias} on ${on}`,
			conds: j.sourceJunctionColumns.map((c, i) => `${jAlias}.${quoteIdent(c)} = ${parent}.${quoteIdent(j.sourceColumns[i])}`)
		};
	}
	return { from, conds: rel.targetColumns.map((c, i) => `${child}.${quoteIdent(c)} = ${parent}.${quoteIdent(rel.columns[i])}`) };
}

function outputColumns(node: PlanNode): string[] {
	const names = node.fields.map((f) => f.output);
	for (const e of node.embeds) {
		if (!e.visible) continue;
		names.push(...(e.spread ? outputColumns(e.node) : [e.output]));
	}
	return names;
}

const AGGREGATE_SQL = { avg: 'avg', count: 'count', max: 'max', min: 'min', sum: 'sum' } as const;

function applyAggregate(fn: keyof typeof AGGREGATE_SQL, expr: string, cast: string | null): string {
	const sql = `pg_catalog.${AGGREGATE_SQL[fn]}(${expr})`;
	return cast ? `(${sql})::${cast}` : sql;
}

function fieldExpression(node: PlanNode, f: PlanField, params: SqlParams): string {
	if (f.aggregate === 'count' && f.column.name === '*' && f.field.name === '*') return applyAggregate('count', '*', f.aggregateCast);
	const expr = renderField(node.alias, f.field, params, f.column, node.row ?? undefined);
	const cast = f.cast ? `${expr}::${f.cast}` : expr;
	return f.aggregate ? applyAggregate(f.aggregate, cast, f.aggregateCast) : cast;
}

/**
 * Adds an output column; when the node aggregates, every plain output is a
 * GROUP BY term (json as jsonb, which has equality), as PostgREST groups.
 */
function output(select: string[], group: string[] | null, expr: string, name: string, aggregated = false): void {
	if (group && !aggregated) {
		group.push(expr);
	}
	select.push(`${expr} as ${quoteIdent(name)}`);
}

function embedJoin(embed: PlanEmbed, parent: PlanNode, params: SqlParams, select: string[], group: string[] | null): string {
	const child = embed.node;
	const { from, conds } = relationJoin(embed.rel, parent.alias, child.alias, parent.row);
	const childSql = nodeQuery(child, params, from, conds, false);
	const j = quoteIdent(child.joinAlias);
	let lateral: string;
	if (!embed.spread) {
		lateral = embed.toOne
			? `select row_to_json(pgrst_r) as pgrst_body from (${childSql}) as pgrst_r`
			: `select json_agg(pgrst_r) as pgrst_body from (${childSql}) as pgrst_r`;
		if (embed.visible) {
			const expr = embed.toOne ? `${j}.pgrst_body` : `coalesce(${j}.pgrst_body, '[]')`;
			output(select, group, group ? `(${expr})::jsonb` : expr, embed.output);
		}
	} else {
		const names = outputColumns(child);
		if (embed.toOne) {
			lateral = `select pgrst_r.*, 1 as pgrst_body from (${childSql}) as pgrst_r`;
			for (const n of names) {
				const hoisted = embed.hoisted.get(n);
				const expr = `${j}.${quoteIdent(n)}`;
				if (hoisted) output(select, group, applyAggregate(hoisted.aggregate, expr, hoisted.cast), n, true);
				else output(select, group, expr, n);
			}
		} else {
			const aggs = names.map((n) => `json_agg(pgrst_r.${quoteIdent(n)}) as ${quoteIdent(n)}`);
			lateral = `select ${[...aggs, 'nullif(count(*), 0) as pgrst_body'].join(', ')} from (${childSql}) as pgrst_r`;
			for (const n of names) output(select, group, group ? `coalesce(${j}.${quoteIdent(n)}, '[]')::jsonb` : `coalesce(${j}.${quoteIdent(n)}, '[]')`, n);
		}
	}
	return `${embed.inner ? 'inner' : 'left'} join lateral (${lateral}) as ${j} on ${embed.inner ? `${j}.pgrst_body is not null` : 'true'}`;
}

function orderClause(node: PlanNode, params: SqlParams): string {
	if (node.order.length === 0) return '';
	const terms = node.order.map(({ term, embed, column }) => {
		let expr: string;
		if (embed) {
			const alias = `${embed.node.alias}_order`;
			const { from, conds } = relationJoin(embed.rel, node.alias, alias, node.row);
			expr = `(select ${renderField(alias, term.field, params, column)} from ${from}${conds.length ? ` where ${conds.join(' and ')}` : ''} limit 1)`;
		} else {
			expr = renderField(node.alias, term.field, params, column, node.row ?? undefined);
		}
		const dir = term.direction === 'desc' ? ' desc' : term.direction === 'asc' ? ' asc' : '';
		const nulls = term.nulls === 'first' ? ' nulls first' : term.nulls === 'last' ? ' nulls last' : '';
		return `${expr}${dir}${nulls}`;
	});
	return ` order by ${terms.join(', ')}`;
}

/**
 * SELECT for one node. `countOnly` keeps just what decides which rows match
 * (filters and filtering embeds), for the total count.
 */
export function nodeQuery(node: PlanNode, params: SqlParams, from: string, conds: string[], countOnly: boolean): string {
	const select: string[] = [];
	const group: string[] | null = !countOnly && isAggregated(node) ? [] : null;
	if (!countOnly) {
		for (const f of node.fields) output(select, group, fieldExpression(node, f, params), f.output, f.aggregate !== null);
	}
	const joins: string[] = [];
	for (const embed of node.embeds) {
		if (countOnly && !embed.inner && embed.nullFilters.length === 0) continue;
		joins.push(embedJoin(embed, node, params, countOnly ? [] : select, countOnly ? null : group));
	}
	const where = [...conds];
	for (const f of node.filters) where.push(renderFilter(node, f, params));
	for (const t of node.logic) where.push(renderLogic(node, t, params));
	let sql = `select ${countOnly ? '1' : select.join(', ')} from ${from}`;
	if (joins.length) sql += ` ${joins.join(' ')}`;
	if (where.length) sql += ` where ${where.join(' and ')}`;
	if (countOnly) return sql;
	if (group && group.length) sql += ` group by ${group.join(', ')}`;
	sql += orderClause(node, params);
	if (node.limit !== null) sql += ` limit ${params.add(String(node.limit))}`;
	if (node.offset !== null && node.offset > 0) sql += ` offset ${params.add(String(node.offset))}`;
	return sql;
}

export function bodyExpression(format: BodyFormat): string {
	switch (format) {
		case 'json':
			return `coalesce(json_agg(pgrst_t), '[]')::text`;
		case 'json-stripped':
			return `json_strip_nulls(coalesce(json_agg(pgrst_t), '[]'))::text`;
		case 'csv':
			return `coalesce(string_agg(substr(pgrst_t::text, 2, length(pgrst_t::text) - 2), E'\\n'), '')`;
		case 'none':
			return 'null::text';
	}
}

export const RESPONSE_GUCS = `nullif(current_setting('response.headers', true), '') as response_headers, nullif(current_setting('response.status', true), '') as response_status`;

export interface ReadStatementOptions {
	/** FROM item of the root node (table, function call, or the mutation CTE). */
	from: string;
	/** A WITH clause placed before everything (mutations). */
	withClause?: string;
	count: boolean;
	/** Count at most this many rows (count=estimated counts up to max_rows + 1). */
	countLimit?: number;
	format: BodyFormat;
	/** Also read how many rows an upsert inserted (column `inserted`). */
	inserted?: string;
}

/** The whole statement: total, page_total, body, response GUCs. */
export function readStatement(root: PlanNode, params: SqlParams, options: ReadStatementOptions): string {
	const rootSql = nodeQuery(root, params, options.from, [], false);
	const limit = options.countLimit === undefined ? '' : ` limit ${Math.trunc(options.countLimit)}`;
	const total = options.count ? `(select pg_catalog.count(*) from (${nodeQuery(root, params, options.from, [], true)}${limit}) as pgrst_c)` : 'null::bigint';
	const withClause = options.withClause ? `${options.withClause} ` : '';
	const inserted = options.inserted ? `, ${options.inserted} as inserted` : '';
	return `${withClause}select ${total} as total, pg_catalog.count(*) as page_total, ${bodyExpression(options.format)} as body, ${RESPONSE_GUCS}${inserted} from (${rootSql}) as pgrst_t`;
}

export { outputColumns };
