// Renders filters and logic trees of a plan node as SQL conditions. The
// operator SQL comes from the table below; values are bound parameters.
import type { PlanNode } from './plan.ts';
import type { Filter, LogicTree } from './query-params.ts';
import type { Column } from './schema-cache.ts';
import { SqlParams, arrayLiteral, quoteIdent } from './sql.ts';
import type { Field } from './syntax.ts';

const OPERATOR_SQL: Record<string, string> = {
	eq: '=',
	neq: '<>',
	gt: '>',
	gte: '>=',
	lt: '<',
	lte: '<=',
	like: 'like',
	ilike: 'ilike',
	match: '~',
	imatch: '~*',
	cs: '@>',
	cd: '<@',
	ov: '&&',
	sl: '<<',
	sr: '>>',
	nxr: '&<',
	nxl: '&>',
	adj: '-|-',
	isdistinct: 'is distinct from'
};

const FTS_FUNCTION: Record<string, string> = {
	fts: 'to_tsquery',
	plfts: 'plainto_tsquery',
	phfts: 'phraseto_tsquery',
	wfts: 'websearch_to_tsquery'
};

const IS_SQL: Record<string, string> = { null: 'null', true: 'true', false: 'false', unknown: 'unknown' };

/**
 * `"alias"."col"` (or `"schema"."fn"("alias")` for a computed field) followed
 * by its JSON path, keys and indexes as typed parameters.
 */
export function renderField(alias: string, field: Field, params: SqlParams, column?: Column, row?: string): string {
	let sql = column?.computed ? `${column.computed}(${row ?? quoteIdent(alias)})` : `${quoteIdent(alias)}.${quoteIdent(field.name)}`;
	for (const step of field.path) {
		sql += `${step.arrow}${params.add(step.key)}::${step.index ? 'integer' : 'text'}`;
	}
	return field.path.length ? `(${sql})` : sql;
}

function likePattern(value: string): string {
	return value.replaceAll('*', '%');
}

export function renderFilter(node: PlanNode, filter: Filter, params: SqlParams): string {
	const op = filter.operation;
	let cond: string;
	if (!node.source.columns.has(filter.field.name)) {
		// `embed=is.null`: whether the embedded resource matched.
		const embed = node.embeds.find((e) => e.output === filter.field.name || e.rel.target.name === filter.field.name)!;
		cond = `${quoteIdent(embed.node.joinAlias)}.pgrst_body is null`;
	} else {
		const expr = renderField(node.alias, filter.field, params, node.source.columns.get(filter.field.name), node.row ?? undefined);
		switch (op.op) {
			case 'in':
				cond = `${expr} = any(${params.add(arrayLiteral(op.values))})`;
				break;
			case 'is':
				cond = `${expr} is ${IS_SQL[op.value]}`;
				break;
			case 'fts':
			case 'plfts':
			case 'phfts':
			case 'wfts': {
				const config = op.language === null ? '' : `${params.add(op.language)}::regconfig, `;
				const column = node.source.columns.get(filter.field.name)!;
				const vector = column.baseType === 'tsvector' && filter.field.path.length === 0 ? expr : `to_tsvector(${config}${expr})`;
				cond = `${vector} @@ ${FTS_FUNCTION[op.op]}(${config}${params.add(op.value)})`;
				break;
			}
			default: {
				const sqlOp = OPERATOR_SQL[op.op];
				const isLike = op.op === 'like' || op.op === 'ilike';
				if (op.quantifier) {
					const value = isLike ? likePattern(op.value) : op.value;
					cond = `${expr} ${sqlOp} ${op.quantifier}(${params.add(value)})`;
				} else {
					cond = `${expr} ${sqlOp} ${params.add(isLike ? likePattern(op.value) : op.value)}`;
				}
			}
		}
	}
	return filter.negate ? `not (${cond})` : cond;
}

export function renderLogic(node: PlanNode, tree: LogicTree, params: SqlParams): string {
	if (tree.kind === 'filter') return renderFilter(node, tree.filter, params);
	const inner = tree.children.map((c) => `(${renderLogic(node, c, params)})`).join(` ${tree.operator} `);
	return tree.negate ? `not (${inner})` : `(${inner})`;
}
