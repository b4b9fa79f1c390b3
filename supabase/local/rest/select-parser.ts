// Parses `select=` into a tree: fields (alias:col->json::cast), embedded
// resources (alias:target!hint!inner(...)) and spreads (...target(...)).
import { Cursor, parseField, parseFieldName, parseIdentifier, type Field } from './syntax.ts';

export type AggregateFunction = 'avg' | 'count' | 'max' | 'min' | 'sum';

export interface SelectField {
	kind: 'field';
	/** `count()` alone is the field "*" with the count aggregate. */
	field: Field;
	alias: string | null;
	cast: string | null;
	/** `col.sum()` and the like; only allowed when aggregates are enabled (see plan.ts). */
	aggregate?: AggregateFunction | null;
	/** `col.sum()::int`: cast of the aggregate's result. */
	aggregateCast?: string | null;
}

const AGGREGATES: AggregateFunction[] = ['avg', 'count', 'max', 'min', 'sum'];

/** `.sum()` after a field, then an optional `::cast` of the result. */
function parseAggregate(cur: Cursor): { aggregate: AggregateFunction | null; aggregateCast: string | null } {
	if (cur.peek() !== '.') return { aggregate: null, aggregateCast: null };
	cur.pos++;
	const fn = AGGREGATES.find((a) => cur.startsWith(`${a}()`));
	if (!fn) cur.fail('"avg()", "count()", "max()", "min()" or "sum()"');
	cur.pos += fn.length + 2;
	let aggregateCast: string | null = null;
	if (cur.eat('::')) aggregateCast = parseIdentifier(cur);
	return { aggregate: fn, aggregateCast };
}

export interface SelectStar {
	kind: 'star';
}

export interface SelectEmbed {
	kind: 'embed';
	target: string;
	alias: string | null;
	hint: string | null;
	joinType: 'inner' | 'left' | null;
	spread: boolean;
	children: SelectItem[];
}

export type SelectItem = SelectField | SelectStar | SelectEmbed;

function parseEmbedParams(cur: Cursor): { hint: string | null; joinType: 'inner' | 'left' | null } {
	let hint: string | null = null;
	let joinType: 'inner' | 'left' | null = null;
	for (let k = 0; k < 2 && cur.peek() === '!'; k++) {
		cur.pos++;
		const name = parseFieldName(cur);
		if (name === 'inner' || name === 'left') joinType = name;
		else hint = name;
	}
	return { hint, joinType };
}

function parseItem(cur: Cursor): SelectItem {
	cur.skipSpaces();
	if (cur.eat('...')) {
		const target = parseFieldName(cur);
		const { hint, joinType } = parseEmbedParams(cur);
		if (cur.peek() !== '(') cur.fail('"(" after a spread relation');
		return { kind: 'embed', target, alias: null, hint, joinType, spread: true, children: parseChildren(cur) };
	}
	if (cur.peek() === '*') {
		cur.pos++;
		cur.skipSpaces();
		return { kind: 'star' };
	}
	// alias:  (a single ':' not followed by another)
	let alias: string | null = null;
	const save = cur.pos;
	const first = parseFieldName(cur);
	if (cur.peek() === ':' && cur.peek(1) !== ':') {
		cur.pos++;
		alias = first;
	} else {
		cur.pos = save;
	}
	if (cur.eat('count()')) {
		let aggregateCast: string | null = null;
		if (cur.eat('::')) aggregateCast = parseIdentifier(cur);
		return { kind: 'field', field: { name: '*', path: [] }, alias, cast: null, aggregate: 'count', aggregateCast };
	}
	const fieldStart = cur.pos;
	const name = parseFieldName(cur);
	if (cur.peek() === '!' || cur.peek() === '(') {
		const { hint, joinType } = parseEmbedParams(cur);
		if (cur.peek() !== '(') cur.fail('"("');
		return { kind: 'embed', target: name, alias, hint, joinType, spread: false, children: parseChildren(cur) };
	}
	cur.pos = fieldStart;
	const field = parseField(cur);
	let cast: string | null = null;
	if (cur.eat('::')) cast = parseIdentifier(cur);
	const { aggregate, aggregateCast } = parseAggregate(cur);
	cur.skipSpaces();
	return { kind: 'field', field, alias, cast, aggregate, aggregateCast };
}

function parseChildren(cur: Cursor): SelectItem[] {
	cur.expect('(');
	cur.skipSpaces();
	// An empty embed `rel()` selects nothing from it (PostgREST allows it for filtering).
	if (cur.eat(')')) return [];
	const items = parseList(cur);
	cur.skipSpaces();
	cur.expect(')');
	return items;
}

function parseList(cur: Cursor): SelectItem[] {
	const items: SelectItem[] = [parseItem(cur)];
	for (;;) {
		cur.skipSpaces();
		if (!cur.eat(',')) return items;
		items.push(parseItem(cur));
	}
}

export function parseSelect(input: string): SelectItem[] {
	const cur = new Cursor(input, 'select parameter');
	if (input.trim() === '') return [{ kind: 'star' }];
	const items = parseList(cur);
	cur.skipSpaces();
	if (!cur.done) cur.fail('",", "(" or end of input');
	return items;
}

/** `columns=` and `on_conflict=`: comma-separated field names. */
export function parseColumnList(input: string, what: string): string[] {
	const cur = new Cursor(input, what);
	const names = [parseFieldName(cur)];
	for (;;) {
		cur.skipSpaces();
		if (cur.done) return names;
		cur.expect(',');
		names.push(parseFieldName(cur));
	}
}
