// SQL text helpers. Every identifier written into SQL is one the schema
// cache knows (or an alias we make up) and goes through quoteIdent; every
// value the client sends is a bound parameter.

export function quoteIdent(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

export function qualified(schema: string, name: string): string {
	return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A SQL string literal for catalog-sourced text (never for client values). */
export function quoteLiteral(text: string): string {
	return `'${text.replaceAll("'", "''")}'`;
}

/** Bound parameters of one statement. */
export class SqlParams {
	readonly values: Array<string | null> = [];
	/** Adds a value (sent as text; Postgres infers or casts its type) and returns its placeholder ($n). */
	add(value: string | null): string {
		this.values.push(value);
		return `$${this.values.length}`;
	}
}

/** A Postgres array literal from text elements (each quoted, so commas and braces are data). */
export function arrayLiteral(values: string[]): string {
	return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}
