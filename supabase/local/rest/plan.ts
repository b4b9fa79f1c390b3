// Turns parsed query parameters into a read plan checked against the schema
// cache: every column, cast and embedded resource resolved, each embed's
// filters/order/limit attached to its node. Rendering trusts this plan.
import { PgrstError, SchemaMissError } from './errors.ts';
import type { Filter, LogicTree, OrderTerm, QueryParams } from './query-params.ts';
import { findRelationship, isToOne } from './relationships.ts';
import type { Column, Relation, Relationship, SchemaCache } from './schema-cache.ts';
import type { AggregateFunction, SelectItem } from './select-parser.ts';
import { fieldOutputName, type Field } from './syntax.ts';

/** What a plan node reads from: a table or view, a function's result, or a mutation's rows. */
export interface Source {
	/** Name used in error messages. */
	name: string;
	relation: Relation | null;
	columns: Map<string, Column>;
	columnList: Column[];
	/**
	 * Whether the FROM alias is a row of the relation's own type, so that
	 * computed relationships (functions taking that row) can be embedded.
	 */
	rowTyped: boolean;
}

export interface PlanField {
	field: Field;
	column: Column;
	/** SQL type to cast to (from the cast whitelist), or null. */
	cast: string | null;
	output: string;
	/** `col.sum()`: the aggregate applied (grouping by the node's other fields). */
	aggregate: AggregateFunction | null;
	/** SQL type the aggregate's result is cast to, or null. */
	aggregateCast: string | null;
}

export interface HoistedAggregate {
	aggregate: AggregateFunction;
	cast: string | null;
}

export interface PlanEmbed {
	output: string;
	rel: Relationship;
	toOne: boolean;
	inner: boolean;
	spread: boolean;
	/** False for `rel()`: joined for filtering only, not output. */
	visible: boolean;
	/** Set by `embed=is.null` / `embed=not.is.null` filters on the parent. */
	nullFilters: boolean[];
	node: PlanNode;
	/**
	 * To-one spreads: aggregates of the child's fields (by output name), applied
	 * in the parent so they group by the parent's fields, as PostgREST hoists them.
	 */
	hoisted: Map<string, HoistedAggregate>;
}

export interface PlanOrder {
	term: OrderTerm;
	/** For `order=embed(col)`: the to-one embed and its column. */
	embed: PlanEmbed | null;
	column: Column;
}

export interface PlanNode {
	source: Source;
	alias: string;
	/** Alias of the lateral join that holds this node's output in its parent. */
	joinAlias: string;
	path: string;
	fields: PlanField[];
	embeds: PlanEmbed[];
	filters: Filter[];
	logic: LogicTree[];
	order: PlanOrder[];
	limit: number | null;
	offset: number | null;
	/**
	 * SQL for this node's whole row when its FROM alias is not of the relation's
	 * row type (a mutation's returned rows): computed fields and relationships
	 * take it. Null: the alias itself.
	 */
	row: string | null;
}

/** A table or view read directly: its columns and computed fields. */
export function relationSource(relation: Relation): Source {
	return { name: relation.name, relation, columns: relation.readColumns, columnList: relation.columnList, rowTyped: true };
}

/**
 * The rows a mutation returns (a CTE, not of the table's row type): computed
 * fields and relationships take the row rebuilt from all its columns (see
 * needsWholeRow), as PostgREST returns every column when they are used.
 */
export function mutationSource(relation: Relation): Source {
	return { name: relation.name, relation, columns: relation.readColumns, columnList: relation.columnList, rowTyped: true };
}

/** Whether a node reads its whole row (a computed field or relationship at its level). */
export function needsWholeRow(node: PlanNode): boolean {
	if (node.fields.some((f) => f.column.computed)) return true;
	if (node.embeds.some((e) => e.rel.computed)) return true;
	if (node.order.some((o) => !o.embed && o.column.computed)) return true;
	const computedFilter = (name: string) => node.source.columns.get(name)?.computed !== undefined;
	return node.filters.some((f) => computedFilter(f.field.name));
}

export function missingColumn(source: Source, column: string): SchemaMissError {
	return new SchemaMissError(400, '42703', `column ${source.name}.${column} does not exist`);
}

interface PlanContext {
	cache: SchemaCache;
	params: QueryParams;
	counter: number;
	paths: Map<string, PlanNode>;
	/** Parent to-one embeds per node, for `order=embed(col)`. */
}

/** The row itself, for `count()` (no column). */
const WHOLE_ROW: Column = { name: '*', type: 'record', baseType: 'record', nullable: false, defaultExpr: null, generated: true, position: 0 };

function resolveCast(ctx: PlanContext, cast: string): string {
	const sql = ctx.cache.castTypes.get(cast.toLowerCase());
	if (sql === undefined) throw new SchemaMissError(400, '42704', `type "${cast}" does not exist`);
	return sql;
}

function lookupColumn(source: Source, name: string): Column {
	const column = source.columns.get(name);
	if (!column) throw missingColumn(source, name);
	return column;
}

function checkField(source: Source, field: Field): Column {
	return lookupColumn(source, field.name);
}

function checkFilter(node: PlanNode, filter: Filter, embedsByName: Map<string, PlanEmbed>): void {
	if (node.source.columns.has(filter.field.name)) return;
	const embed = filter.field.path.length === 0 ? embedsByName.get(filter.field.name) : undefined;
	if (embed) {
		if (filter.operation.op !== 'is' || filter.operation.value !== 'null') {
			throw new PgrstError(400, 'PGRST120', `Bad operator on the '${filter.field.name}' embedded resource`, 'Only is null or not is null filters are allowed on embedded resources');
		}
		return;
	}
	throw missingColumn(node.source, filter.field.name);
}

function checkLogic(node: PlanNode, tree: LogicTree, embedsByName: Map<string, PlanEmbed>): void {
	if (tree.kind === 'filter') checkFilter(node, tree.filter, embedsByName);
	else for (const child of tree.children) checkLogic(node, child, embedsByName);
}

function planNode(ctx: PlanContext, source: Source, items: SelectItem[], path: string, aliasPaths: string[]): PlanNode {
	const n = ctx.counter++;
	const node: PlanNode = {
		source,
		alias: `pgrst_${n}`,
		joinAlias: `pgrst_${n}_join`,
		path,
		fields: [],
		embeds: [],
		filters: [],
		logic: [],
		order: [],
		limit: null,
		offset: null,
		row: null
	};
	for (const p of aliasPaths) ctx.paths.set(p, node);
	const embedsByName = new Map<string, PlanEmbed>();
	for (const item of items) {
		if (item.kind === 'star') {
			for (const column of source.columnList) {
				node.fields.push({ field: { name: column.name, path: [] }, column, cast: null, output: column.name, aggregate: null, aggregateCast: null });
			}
			continue;
		}
		if (item.kind === 'field') {
			const aggregate = item.aggregate ?? null;
			if (aggregate !== null && !ctx.cache.aggregatesEnabled) {
				throw new PgrstError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
			}
			const column = aggregate === 'count' && item.field.name === '*' ? WHOLE_ROW : checkField(source, item.field);
			const cast = item.cast === null ? null : resolveCast(ctx, item.cast);
			const aggregateCast = item.aggregateCast ? resolveCast(ctx, item.aggregateCast) : null;
			const output = item.alias ?? (aggregate ?? fieldOutputName(item.field));
			node.fields.push({ field: item.field, column, cast, output, aggregate, aggregateCast });
			continue;
		}
		if (!source.relation) {
			throw new SchemaMissError(
				400,
				'PGRST200',
				`Could not find a relationship between '${source.name}' and '${item.target}' in the schema cache`,
				`Searched for a foreign key relationship between '${source.name}' and '${item.target}', but no matches were found.`
			);
		}
		const rel = findRelationship(source.relation, item.target, item.hint, ctx.cache.relations.values(), source.rowTyped);
		const name = item.alias ?? item.target;
		const childPaths = aliasPaths.flatMap((p) => {
			const prefix = p === '' ? '' : `${p}.`;
			return item.alias && item.alias !== item.target ? [`${prefix}${item.alias}`, `${prefix}${item.target}`] : [`${prefix}${item.target}`];
		});
		const child = planNode(ctx, relationSource(rel.target), item.children, path === '' ? name : `${path}.${name}`, childPaths);
		const embed: PlanEmbed = {
			output: name,
			rel,
			toOne: isToOne(rel),
			inner: item.joinType === 'inner',
			spread: item.spread,
			visible: item.children.length > 0,
			nullFilters: [],
			node: child,
			hoisted: new Map()
		};
		if (embed.spread && child.fields.some((f) => f.aggregate !== null)) {
			if (!embed.toOne) {
				throw new PgrstError(400, 'PGRST127', 'Feature not implemented', 'Aggregates are not implemented for one-to-many or many-to-many spreads.');
			}
			for (const f of child.fields) {
				if (f.aggregate === null) continue;
				if (f.aggregate === 'count' && f.column === WHOLE_ROW) continue;
				embed.hoisted.set(f.output, { aggregate: f.aggregate, cast: f.aggregateCast });
				f.aggregate = null;
				f.aggregateCast = null;
			}
		}
		node.embeds.push(embed);
		embedsByName.set(name, embed);
		if (item.alias) embedsByName.set(item.target, embed);
	}

	const attach = <T>(map: Map<string, T>): T | undefined => {
		for (const p of aliasPaths) {
			const v = map.get(p);
			if (v !== undefined) return v;
		}
		return undefined;
	};
	node.filters = attach(ctx.params.filters) ?? [];
	node.logic = attach(ctx.params.logic) ?? [];
	node.limit = attach(ctx.params.limit) ?? null;
	node.offset = attach(ctx.params.offset) ?? null;
	for (const filter of node.filters) {
		checkFilter(node, filter, embedsByName);
		if (!source.columns.has(filter.field.name)) embedsByName.get(filter.field.name)!.nullFilters.push(filter.negate);
	}
	for (const tree of node.logic) checkLogic(node, tree, embedsByName);
	for (const term of attach(ctx.params.order) ?? []) {
		if (term.relation === null) {
			node.order.push({ term, embed: null, column: checkField(source, term.field) });
			continue;
		}
		const embed = embedsByName.get(term.relation);
		if (!embed) {
			throw new PgrstError(400, 'PGRST108', `'${term.relation}' is not an embedded resource in this request`, null, `Verify that '${term.relation}' is included in the 'select' query parameter.`);
		}
		if (!embed.toOne) {
			throw new PgrstError(
				400,
				'PGRST118',
				`A related order on '${embed.rel.target.name}' is not possible`,
				`'${source.name}' and '${embed.rel.target.name}' do not form a many-to-one or one-to-one relationship`
			);
		}
		node.order.push({ term, embed, column: checkField(embed.node.source, term.field) });
	}
	return node;
}

export function planRead(cache: SchemaCache, source: Source, params: QueryParams): PlanNode {
	const ctx: PlanContext = { cache, params, counter: 0, paths: new Map() };
	const root = planNode(ctx, source, params.select, '', ['']);
	// Every embed path used by a parameter must name an embed of this select.
	const used = [...params.filters.keys(), ...params.logic.keys(), ...params.order.keys(), ...params.limit.keys(), ...params.offset.keys()];
	for (const p of used) {
		if (ctx.paths.has(p)) continue;
		const name = p.split('.').pop()!;
		throw new PgrstError(400, 'PGRST108', `'${name}' is not an embedded resource in this request`, null, `Verify that '${name}' is included in the 'select' query parameter.`);
	}
	return root;
}

/** Whether a node's query aggregates (and so groups by its other output). */
export function isAggregated(node: PlanNode): boolean {
	return node.fields.some((f) => f.aggregate !== null) || node.embeds.some((e) => e.hoisted.size > 0);
}

/** Output keys of a node in order (spread embeds contribute their child's keys). */
export function outputNames(node: PlanNode): string[] {
	const names = node.fields.map((f) => f.output);
	for (const e of node.embeds) {
		if (!e.visible) continue;
		if (e.spread) names.push(...outputNames(e.node));
		else names.push(e.output);
	}
	return names;
}
