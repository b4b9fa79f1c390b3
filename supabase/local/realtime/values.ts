// Turns the text form of column values (what pgoutput sends) into the JSON
// values Realtime sends: what `to_jsonb(value::type)` gives in Postgres, so
// numbers are numbers, json is parsed, timestamps are ISO strings and arrays
// are arrays.
import type pg from 'pg';

export interface TypeInfo {
	oid: number;
	name: string;
	/** Element type of an array type, else 0. */
	elem: number;
	/** Base type of a domain, else 0. */
	base: number;
	delim: string;
}

export class TypeCatalog {
	private readonly types = new Map<number, TypeInfo>();
	private readonly pool: pg.Pool;
	private loading: Promise<void> | null = null;

	constructor(pool: pg.Pool) {
		this.pool = pool;
	}

	/** Loads the types named by `oids` that are not known yet (all of pg_type on first use). */
	async ensure(oids: Iterable<number>): Promise<void> {
		const missing = [...oids].filter((oid) => !this.types.has(oid));
		if (missing.length === 0 && this.types.size > 0) return;
		this.loading ??= this.load().finally(() => (this.loading = null));
		await this.loading;
	}

	private async load(): Promise<void> {
		const { rows } = await this.pool.query<{ oid: number; typname: string; typelem: number; typbasetype: number; typdelim: string }>(
			'select oid::int, typname, typelem::int, typbasetype::int, typdelim from pg_catalog.pg_type'
		);
		for (const r of rows) this.types.set(r.oid, { oid: r.oid, name: r.typname, elem: r.typelem, base: r.typbasetype, delim: r.typdelim });
	}

	name(oid: number): string {
		return this.types.get(oid)?.name ?? String(oid);
	}

	/** The JSON value of one column given its text form. */
	toJson(oid: number, text: string | null): unknown {
		if (text === null) return null;
		let info = this.types.get(oid);
		while (info && info.base !== 0) info = this.types.get(info.base);
		if (!info) return text;
		if (info.elem !== 0 && info.name.startsWith('_')) {
			const elem = info.elem;
			return parseArray(text, info.delim || ',', (item) => this.toJson(elem, item));
		}
		return scalarToJson(info.name, text);
	}
}

function scalarToJson(type: string, text: string): unknown {
	switch (type) {
		case 'bool':
			return text === 't' || text === 'true';
		case 'int2':
		case 'int4':
		case 'int8':
		case 'oid':
		case 'float4':
		case 'float8':
		case 'numeric': {
			const n = Number(text);
			return Number.isFinite(n) ? n : text;
		}
		case 'json':
		case 'jsonb':
			try {
				return JSON.parse(text);
			} catch {
				return text;
			}
		case 'timestamp':
			return text.replace(' ', 'T');
		case 'timestamptz':
			return isoOffset(text.replace(' ', 'T'));
		case 'timetz':
			return isoOffset(text);
		default:
			return text;
	}
}

/** "+00" -> "+00:00", "+0530" stays readable as "+05:30", as to_jsonb writes offsets. */
function isoOffset(text: string): string {
	return text.replace(/([+-]\d\d)(?::?(\d\d))?(?::?(\d\d))?$/, (_m, h: string, m?: string, s?: string) => `${h}:${m ?? '00'}${s ? `:${s}` : ''}`);
}

/** Parses a Postgres array literal such as {1,2,NULL} or {"a b","c"} or {{1,2},{3,4}}. */
export function parseArray(text: string, delim: string, convert: (item: string | null) => unknown): unknown {
	let i = 0;
	// Arrays with explicit bounds start with "[1:2]=".
	if (text[0] === '[') i = text.indexOf('=') + 1;
	const parse = (): unknown[] => {
		if (text[i] !== '{') throw new Error(`malformed array literal: ${text}`);
		i++;
		const out: unknown[] = [];
		if (text[i] === '}') {
			i++;
			return out;
		}
		for (;;) {
			if (text[i] === '{') {
				out.push(parse());
			} else if (text[i] === '"') {
				i++;
				let s = '';
				while (text[i] !== '"') {
					if (text[i] === '\\') i++;
					s += text[i++];
				}
				i++;
				out.push(convert(s));
			} else {
				let s = '';
				while (text[i] !== delim && text[i] !== '}') s += text[i++];
				out.push(s === 'NULL' ? null : convert(s.trim()));
			}
			if (text[i] === delim) {
				i++;
				continue;
			}
			if (text[i] === '}') {
				i++;
				return out;
			}
			throw new Error(`malformed array literal: ${text}`);
		}
	};
	try {
		return parse();
	} catch {
		return text;
	}
}
