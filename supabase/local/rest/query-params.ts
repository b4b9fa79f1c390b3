// Splits a PostgREST query string into its parts and parses each: select,
// filters (`col=op.value`, on embeds `embed.col=...`), logic trees
// (`or=(...)`, `embed.and=(...)`), order, limit/offset, columns,
// on_conflict, and the plain parameters that RPC GET uses as arguments.
import { PgrstError } from './errors.ts';
import { parseColumnList, parseSelect, type SelectItem } from './select-parser.ts';
import { Cursor, parseField, parseFieldName, parseIdentifier, parseJsonPath, parseQuoted, type Field } from './syntax.ts';

export const SIMPLE_OPERATORS = [
	'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'isdistinct'
] as const;
export type SimpleOperator = (typeof SIMPLE_OPERATORS)[number];
export const FTS_OPERATORS = ['fts', 'plfts', 'phfts', 'wfts'] as const;
export type FtsOperator = (typeof FTS_OPERATORS)[number];
const QUANTIFIABLE = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);

export type Operation =
	| { op: SimpleOperator; value: string; quantifier: 'any' | 'all' | null }
	| { op: 'in'; values: string[] }
	| { op: 'is'; value: 'null' | 'true' | 'false' | 'unknown' }
	| { op: FtsOperator; value: string; language: string | null };

export interface Filter {
	field: Field;
	negate: boolean;
	operation: Operation;
}

export type LogicTree = { kind: 'filter'; filter: Filter } | { kind: 'logic'; operator: 'and' | 'or'; negate: boolean; children: LogicTree[] };

export interface OrderTerm {
	/** Set when ordering by a column of an embedded to-one resource: `order=author(name)`. */
	relation: string | null;
	field: Field;
	direction: 'asc' | 'desc' | null;
	nulls: 'first' | 'last' | null;
}

export interface QueryParams {
	select: SelectItem[];
	/** Filters by embed path ("" for the root, "author", "author.country"...). */
	filters: Map<string, Filter[]>;
	logic: Map<string, LogicTree[]>;
	order: Map<string, OrderTerm[]>;
	limit: Map<string, number>;
	offset: Map<string, number>;
	columns: string[] | null;
	onConflict: string[] | null;
	/** Parameters without an operator (RPC GET arguments), in order. */
	plain: Array<[string, string]>;
	/** Every non-reserved parameter as given, for RPC GET argument matching. */
	raw: Array<[string, string]>;
}

const RESERVED = new Set(['select', 'columns', 'on_conflict']);
const RESERVED_EMBEDDABLE = new Set(['order', 'limit', 'offset', 'and', 'or']);

function lastSegment(key: string): string {
	const dot = key.lastIndexOf('.');
	return dot < 0 ? key : key.slice(dot + 1);
}

function hasOperator(value: string): boolean {
	const parts = value.split('.');
	if (parts.length >= 2 && parts[0] === 'not') return true;
	if (parts[0] === 'is' || parts[0] === 'in') return true;
	const head = parts[0].replace(/\((any|all)\)$/, '');
	if ((SIMPLE_OPERATORS as readonly string[]).includes(head)) return parts.length >= 2;
	const ftsHead = value.split(/[.(]/)[0];
	return (FTS_OPERATORS as readonly string[]).includes(ftsHead);
}

/** `in.(a,"b,c")`: the list after the operator. */
function parseList(cur: Cursor): string[] {
	cur.skipSpaces();
	cur.expect('(');
	const values: string[] = [];
	for (;;) {
		cur.skipSpaces();
		if (cur.peek() === '"') {
			values.push(parseQuoted(cur));
		} else {
			const start = cur.pos;
			while (!cur.done && cur.peek() !== ',' && cur.peek() !== ')') cur.pos++;
			values.push(cur.input.slice(start, cur.pos));
		}
		cur.skipSpaces();
		if (cur.eat(',')) continue;
		cur.expect(')');
		return values;
	}
}

/** A value inside or=(...): "quoted", {array}, or up to the next ',' or ')'. */
function parseLogicValue(cur: Cursor): string {
	if (cur.peek() === '"') {
		const save = cur.pos;
		const v = parseQuoted(cur);
		if (cur.done || cur.peek() === ',' || cur.peek() === ')') return v;
		cur.pos = save;
	}
	if (cur.peek() === '{') {
		const end = cur.input.indexOf('}', cur.pos);
		if (end >= 0) {
			const v = cur.input.slice(cur.pos, end + 1);
			cur.pos = end + 1;
			return v;
		}
	}
	// Ranges like [1,5) keep their comma.
	if (cur.peek() === '[' || (cur.peek() === '(' && /^\(\s*[^,()]*,[^,()]*[\])]/.test(cur.input.slice(cur.pos)))) {
		const m = /^[[(][^\])]*[\])]/.exec(cur.input.slice(cur.pos));
		if (m) {
			cur.pos += m[0].length;
			return m[0];
		}
	}
	const start = cur.pos;
	while (!cur.done && cur.peek() !== ',' && cur.peek() !== ')') cur.pos++;
	return cur.input.slice(start, cur.pos);
}

/** `[not.]op[(any|all)].value`, `in.(...)`, `is.null`, `fts(config).value`. */
function parseOperation(cur: Cursor, inLogic: boolean): { negate: boolean; operation: Operation } {
	let negate = false;
	if (cur.startsWith('not.')) {
		negate = true;
		cur.pos += 4;
	}
	const rest = () => (inLogic ? parseLogicValue(cur) : cur.input.slice(cur.pos, (cur.pos = cur.input.length)));
	if (cur.eat('in.')) return { negate, operation: { op: 'in', values: parseList(cur) } };
	if (cur.eat('is.')) {
		const start = cur.pos;
		const word = rest().toLowerCase();
		if (word === 'null' || word === 'true' || word === 'false' || word === 'unknown') return { negate, operation: { op: 'is', value: word } };
		cur.pos = start;
		cur.fail('null or trilean value (unknown, true, false)');
	}
	const opStart = cur.pos;
	while (!cur.done && cur.peek() !== '.' && cur.peek() !== '(') cur.pos++;
	const name = cur.input.slice(opStart, cur.pos);
	if ((FTS_OPERATORS as readonly string[]).includes(name)) {
		let language: string | null = null;
		if (cur.eat('(')) {
			language = parseIdentifier(cur);
			cur.expect(')');
		}
		if (!cur.eat('.')) cur.fail('delimiter (.)');
		return { negate, operation: { op: name as FtsOperator, value: rest(), language } };
	}
	if ((SIMPLE_OPERATORS as readonly string[]).includes(name)) {
		let quantifier: 'any' | 'all' | null = null;
		if (cur.peek() === '(') {
			if (cur.eat('(any)')) quantifier = 'any';
			else if (cur.eat('(all)')) quantifier = 'all';
			else cur.fail('"(any)" or "(all)"');
			if (!QUANTIFIABLE.has(name)) cur.fail('', `unknown single value operator ${name}`);
		}
		if (!cur.eat('.')) cur.fail('delimiter (.)');
		return { negate, operation: { op: name as SimpleOperator, value: rest(), quantifier } };
	}
	cur.pos = opStart;
	cur.fail('operator (eq, gt, ...)', `unknown single value operator ${name}`);
}

function parseFilterValue(field: Field, value: string): Filter {
	const cur = new Cursor(value, 'filter');
	const { negate, operation } = parseOperation(cur, false);
	return { field, negate, operation };
}

/** `a.b.col->x` as a filter key: the embed path and the field. */
function parseTreePath(key: string): { path: string; field: Field } {
	const cur = new Cursor(key, 'tree path');
	const names = [parseFieldName(cur)];
	while (cur.peek() === '.') {
		cur.pos++;
		names.push(parseFieldName(cur));
	}
	const last = names.pop()!;
	const path = parseJsonPath(cur);
	cur.skipSpaces();
	if (!cur.done) cur.fail('delimiter (.), "->" or end of input');
	return { path: names.join('.'), field: { name: last, path } };
}

function parseLogicTree(cur: Cursor): LogicTree {
	cur.skipSpaces();
	let negate = false;
	const save = cur.pos;
	if (cur.eat('not.')) negate = true;
	for (const operator of ['and', 'or'] as const) {
		if (cur.startsWith(`${operator}(`)) {
			cur.pos += operator.length + 1;
			const children = [parseLogicTree(cur)];
			for (;;) {
				cur.skipSpaces();
				if (cur.eat(',')) {
					children.push(parseLogicTree(cur));
					continue;
				}
				cur.expect(')');
				return { kind: 'logic', operator, negate, children };
			}
		}
	}
	cur.pos = save;
	const field = parseField(cur);
	if (!cur.eat('.')) cur.fail('delimiter (.)');
	const { negate: neg, operation } = parseOperation(cur, true);
	return { kind: 'filter', filter: { field, negate: neg, operation } };
}

function parseOrder(value: string): OrderTerm[] {
	const cur = new Cursor(value, 'order');
	const terms: OrderTerm[] = [];
	for (;;) {
		cur.skipSpaces();
		let relation: string | null = null;
		const save = cur.pos;
		const first = parseFieldName(cur);
		let field: Field;
		if (cur.peek() === '(') {
			cur.pos++;
			relation = first;
			field = parseField(cur);
			cur.expect(')');
		} else {
			cur.pos = save;
			field = parseField(cur);
		}
		let direction: OrderTerm['direction'] = null;
		let nulls: OrderTerm['nulls'] = null;
		if (cur.eat('.asc')) direction = 'asc';
		else if (cur.eat('.desc')) direction = 'desc';
		if (cur.eat('.nullsfirst')) nulls = 'first';
		else if (cur.eat('.nullslast')) nulls = 'last';
		terms.push({ relation, field, direction, nulls });
		cur.skipSpaces();
		if (cur.done) return terms;
		if (!cur.eat(',')) cur.fail(direction || nulls ? '"," or end of input' : '"asc", "desc", "nullsfirst" or "nullslast"');
	}
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
	const list = map.get(key);
	if (list) list.push(value);
	else map.set(key, [value]);
}

function parseCount(value: string, what: 'limit' | 'offset'): number | null {
	if (!/^\s*-?\d+\s*$/.test(value)) return null;
	const n = Number(value);
	if (n < 0) {
		throw new PgrstError(416, 'PGRST103', 'Requested range not satisfiable', what === 'limit' ? 'Limit should be greater than or equal to zero.' : 'Offset should be greater than or equal to zero.');
	}
	return n;
}

/**
 * `forRpc`: parameters without an operator are function arguments. For
 * tables every other parameter is a filter, so a mistyped operator is an
 * error instead of a filter silently dropped (which would widen a DELETE).
 */
export function parseQueryParams(search: URLSearchParams, forRpc: boolean): QueryParams {
	const result: QueryParams = {
		select: [{ kind: 'star' }],
		filters: new Map(),
		logic: new Map(),
		order: new Map(),
		limit: new Map(),
		offset: new Map(),
		columns: null,
		onConflict: null,
		plain: [],
		raw: []
	};
	for (const [key, value] of search) {
		if (key === 'select') {
			result.select = parseSelect(value);
			continue;
		}
		if (key === 'columns') {
			result.columns = parseColumnList(value, 'columns parameter');
			continue;
		}
		if (key === 'on_conflict') {
			result.onConflict = parseColumnList(value, 'on_conflict parameter');
			continue;
		}
		if (RESERVED.has(key)) continue;
		const last = lastSegment(key);
		const prefix = key.length > last.length ? key.slice(0, key.length - last.length - 1) : '';
		if (RESERVED_EMBEDDABLE.has(last)) {
			if (value === '') continue;
			if (last === 'order') {
				for (const term of parseOrder(value)) pushTo(result.order, prefix, term);
			} else if (last === 'limit') {
				const n = parseCount(value, 'limit');
				if (n !== null) result.limit.set(prefix, n);
			} else if (last === 'offset') {
				const n = parseCount(value, 'offset');
				if (n !== null) result.offset.set(prefix, n);
			} else {
				// and/or, possibly negated: `not.or=(...)`, `author.not.and=(...)`.
				const segments = key.split('.');
				const negate = segments.includes('not');
				const path = segments.slice(0, -1).filter((s) => s !== 'not').join('.');
				const cur = new Cursor(`${last}${value}`, 'logic tree');
				const tree = parseLogicTree(cur);
				cur.skipSpaces();
				if (!cur.done) cur.fail('end of input');
				if (tree.kind === 'logic') tree.negate = negate;
				pushTo(result.logic, path, tree);
			}
			continue;
		}
		result.raw.push([key, value]);
		if (!forRpc || key.includes('.') || hasOperator(value)) {
			const { path, field } = parseTreePath(key);
			pushTo(result.filters, path, parseFilterValue(field, value));
		} else {
			result.plain.push([key, value]);
		}
	}
	return result;
}
