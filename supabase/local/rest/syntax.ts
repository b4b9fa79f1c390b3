// The small grammar pieces shared by PostgREST's query-string parsers: field
// names (plain, dashed or "quoted"), JSON paths (->key, ->>0), and a cursor
// that reports errors the way PostgREST's parser does (PGRST100 with the
// column and what was expected).
import { parseError } from './errors.ts';

export interface JsonStep {
	/** '->' keeps JSON, '->>' yields text. */
	arrow: '->' | '->>';
	key: string;
	/** True when the operand is an array index. */
	index: boolean;
}

export interface Field {
	name: string;
	path: JsonStep[];
}

export class Cursor {
	readonly input: string;
	readonly what: string;
	pos = 0;
	constructor(input: string, what: string) {
		this.input = input;
		this.what = what;
	}
	get done(): boolean {
		return this.pos >= this.input.length;
	}
	peek(offset = 0): string {
		return this.input[this.pos + offset] ?? '';
	}
	startsWith(s: string): boolean {
		return this.input.startsWith(s, this.pos);
	}
	eat(s: string): boolean {
		if (this.input.startsWith(s, this.pos)) {
			this.pos += s.length;
			return true;
		}
		return false;
	}
	skipSpaces(): void {
		while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
	}
	fail(expecting: string, custom?: string): never {
		const unexpected = this.done ? 'unexpected end of input' : `unexpected "${this.peek()}"`;
		throw parseError(this.what, this.input, this.pos + 1, custom ?? `${unexpected} expecting ${expecting}`);
	}
	expect(s: string): void {
		if (!this.eat(s)) this.fail(`"${s}"`);
	}
}

const IDENT_CHAR = /[\p{L}\p{N}_$ ]/u;

function isIdentChar(c: string): boolean {
	return c !== '' && IDENT_CHAR.test(c);
}

/** A double-quoted value with backslash escapes; the cursor is on the opening quote. */
export function parseQuoted(cur: Cursor): string {
	cur.expect('"');
	let out = '';
	for (;;) {
		if (cur.done) cur.fail('"\\""');
		const c = cur.peek();
		if (c === '\\') {
			out += cur.peek(1);
			cur.pos += 2;
			continue;
		}
		cur.pos++;
		if (c === '"') return out;
		out += c;
	}
}

/** Identifier characters, trimmed (PostgREST allows inner spaces). */
export function parseIdentifier(cur: Cursor): string {
	const start = cur.pos;
	while (isIdentChar(cur.peek())) cur.pos++;
	if (cur.pos === start) cur.fail('letter or digit');
	return cur.input.slice(start, cur.pos).trim();
}

/** A field name: "quoted", or identifiers joined by dashes (a dash not starting "->"). */
export function parseFieldName(cur: Cursor): string {
	cur.skipSpaces();
	if (cur.peek() === '"') return parseQuoted(cur);
	const start = cur.pos;
	for (;;) {
		while (isIdentChar(cur.peek())) cur.pos++;
		if (cur.peek() === '-' && cur.peek(1) !== '>' && isIdentChar(cur.peek(1))) {
			cur.pos++;
			continue;
		}
		break;
	}
	const name = cur.input.slice(start, cur.pos).trim();
	if (name === '') cur.fail('field name (* or [a..z0..9_$])');
	return name;
}

const INDEX_END = ['->', '::', '.', ',', ')', ''];

export function parseJsonPath(cur: Cursor): JsonStep[] {
	const steps: JsonStep[] = [];
	for (;;) {
		let arrow: JsonStep['arrow'];
		if (cur.startsWith('->>')) arrow = '->>';
		else if (cur.startsWith('->')) arrow = '->';
		else return steps;
		cur.pos += arrow.length;
		const m = /^-?\d+/.exec(cur.input.slice(cur.pos));
		if (m && INDEX_END.some((e) => (e === '' ? cur.pos + m[0].length === cur.input.length : cur.input.startsWith(e, cur.pos + m[0].length)))) {
			cur.pos += m[0].length;
			steps.push({ arrow, key: m[0], index: true });
			continue;
		}
		steps.push({ arrow, key: parseFieldName(cur), index: false });
	}
}

export function parseField(cur: Cursor): Field {
	cur.skipSpaces();
	const name = parseFieldName(cur);
	const path = parseJsonPath(cur);
	cur.skipSpaces();
	return { name, path };
}

/** Output name PostgREST gives a field: the last JSON key, else the column. */
export function fieldOutputName(field: Field): string {
	for (let i = field.path.length - 1; i >= 0; i--) if (!field.path[i].index) return field.path[i].key;
	return field.name;
}
