// postgres_changes filters: `column=op.value`, several joined by commas (AND),
// optionally negated with `not.`, as realtime-js's filter builder writes them.
// Values are compared as the column's type, like Realtime's casts do.

export const FILTER_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface FilterCondition {
	column: string;
	op: FilterOp;
	negate: boolean;
	/** Raw values as written (one, or several for `in`); null for `is.null`. */
	raw: Array<string | null>;
}

/** A condition whose values are already converted to the column's JSON form. */
export interface BoundCondition extends FilterCondition {
	type: string;
	values: unknown[];
}

const CONDITION = /^([^=]+)=(not\.)?([a-z]+)\.([\s\S]*)$/;

/** Splits on top-level commas (outside quotes and parentheses). */
function splitTopLevel(text: string): string[] {
	const parts: string[] = [];
	let depth = 0;
	let quoted = false;
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '\\') i++;
			else if (ch === '"') quoted = false;
		} else if (ch === '"') quoted = true;
		else if (ch === '(') depth++;
		else if (ch === ')') depth--;
		else if (ch === ',' && depth === 0) {
			parts.push(text.slice(start, i));
			start = i + 1;
		}
	}
	parts.push(text.slice(start));
	return parts;
}

function unquote(value: string): string {
	const v = value.trim();
	if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
	return value;
}

function parseCondition(text: string): FilterCondition | null {
	const m = CONDITION.exec(text);
	if (!m) return null;
	const op = m[3] as FilterOp;
	if (!FILTER_OPS.includes(op)) return null;
	const column = m[1].trim();
	const rest = m[4];
	if (op === 'in') {
		const list = /^\(([\s\S]*)\)$/.exec(rest.trim());
		if (!list) return null;
		return { column, op, negate: !!m[2], raw: splitTopLevel(list[1]).map(unquote) };
	}
	if (op === 'is') return { column, op, negate: !!m[2], raw: [rest === 'null' ? null : rest] };
	return { column, op, negate: !!m[2], raw: [unquote(rest)] };
}

/** Parses a filter string; throws with Realtime's wording when it cannot be read. */
export function parseFilter(text: string | undefined): FilterCondition[] {
	if (text === undefined || text === '') return [];
	const parts = splitTopLevel(text);
	const several = parts.length > 1 ? parts.map(parseCondition) : [];
	if (several.length > 1 && several.every((c) => c !== null)) return several as FilterCondition[];
	const single = parseCondition(text);
	if (!single) throw new Error(`Error parsing \`filter\` params: ${text}`);
	return [single];
}

const TIME_TYPES = new Set(['timestamp', 'timestamptz', 'date']);

function compare(a: unknown, b: unknown, type: string): number | null {
	if (a === null || a === undefined || b === null || b === undefined) return null;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
	if (TIME_TYPES.has(type)) {
		const ta = Date.parse(String(a));
		const tb = Date.parse(String(b));
		if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
	}
	const sa = typeof a === 'string' ? a : JSON.stringify(a);
	const sb = typeof b === 'string' ? b : JSON.stringify(b);
	if (type === 'uuid') return sa.toLowerCase() === sb.toLowerCase() ? 0 : sa.toLowerCase() < sb.toLowerCase() ? -1 : 1;
	return sa === sb ? 0 : sa < sb ? -1 : 1;
}

function likeToRegExp(pattern: string, flags: string): RegExp {
	let source = '';
	for (let i = 0; i < pattern.length; i++) {
		const ch = pattern[i];
		if (ch === '\\' && i + 1 < pattern.length) source += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		else if (ch === '%' || ch === '*') source += '[\\s\\S]*';
		else if (ch === '_') source += '[\\s\\S]';
		else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	}
	return new RegExp(`^${source}$`, flags);
}

function test(condition: BoundCondition, value: unknown): boolean {
	const [first] = condition.values;
	switch (condition.op) {
		case 'eq':
			return compare(value, first, condition.type) === 0;
		case 'neq': {
			const c = compare(value, first, condition.type);
			return c !== null && c !== 0;
		}
		case 'lt': {
			const c = compare(value, first, condition.type);
			return c !== null && c < 0;
		}
		case 'lte': {
			const c = compare(value, first, condition.type);
			return c !== null && c <= 0;
		}
		case 'gt': {
			const c = compare(value, first, condition.type);
			return c !== null && c > 0;
		}
		case 'gte': {
			const c = compare(value, first, condition.type);
			return c !== null && c >= 0;
		}
		case 'in':
			return condition.values.some((v) => compare(value, v, condition.type) === 0);
		case 'like':
		case 'ilike':
			return typeof value === 'string' && likeToRegExp(String(condition.raw[0]), condition.op === 'ilike' ? 'i' : '').test(value);
		case 'match':
		case 'imatch':
			try {
				return typeof value === 'string' && new RegExp(String(condition.raw[0]), condition.op === 'imatch' ? 'i' : '').test(value);
			} catch {
				return false;
			}
		case 'is': {
			const raw = condition.raw[0];
			if (raw === null || raw === 'null') return value === null || value === undefined;
			if (raw === 'true') return value === true;
			if (raw === 'false') return value === false;
			return value === null || value === undefined; // unknown
		}
		case 'isdistinct':
			if ((value === null || value === undefined) !== (first === null || first === undefined)) return true;
			return compare(value, first, condition.type) !== 0;
	}
}

/** True when the record passes every condition. A null value passes only `is` and `isdistinct`. */
export function passesFilters(conditions: BoundCondition[], record: Record<string, unknown> | null): boolean {
	if (conditions.length === 0) return true;
	if (!record) return false;
	for (const condition of conditions) {
		const value = record[condition.column];
		const nullable = condition.op === 'is' || condition.op === 'isdistinct';
		if ((value === null || value === undefined) && !nullable) return false;
		const ok = test(condition, value);
		if (condition.negate ? ok : !ok) return false;
	}
	return true;
}
