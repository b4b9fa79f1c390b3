// RPC: which overload of a function the given argument names call (or its
// single unnamed json/jsonb parameter for a whole JSON body), and the FROM
// item that calls it with typed arguments read from one bound JSON value.
import { PgrstError, SchemaMissError } from './errors.ts';
import { closest } from './relationships.ts';
import { relationKey, type RoutineInfo, type SchemaCache } from './schema-cache.ts';
import { SqlParams, qualified, quoteIdent } from './sql.ts';

export interface RoutineChoice {
	routine: RoutineInfo;
	/** The body goes whole to the function's one unnamed parameter. */
	wholeBody: boolean;
}

/**
 * How a POST body reached the function: parsed JSON (its keys are the
 * arguments), or raw text/xml/bytes for a function with one unnamed parameter
 * of that type. Null for GET/HEAD (query arguments) and form bodies.
 */
export type BodyKind = 'json' | 'text' | 'xml' | 'bytea' | null;

const UNNAMED_TYPES: Record<Exclude<BodyKind, null>, string[]> = {
	json: ['json', 'jsonb'],
	text: ['text'],
	xml: ['xml'],
	bytea: ['bytea']
};

/** PostgREST's rule: every required parameter named, the rest optional ones. */
function matchesNamed(routine: RoutineInfo, args: Set<string>, body: BodyKind): boolean {
	if (routine.params.length === 0) return args.size === 0 && (body === null || body === 'json');
	const required = routine.params.filter((p) => !p.hasDefault).map((p) => p.name);
	const optional = new Set(routine.params.filter((p) => p.hasDefault).map((p) => p.name));
	const rest = [...args].filter((a) => !optional.has(a));
	return rest.length === required.length && required.every((r) => args.has(r));
}

function takesWholeBody(routine: RoutineInfo, body: BodyKind): boolean {
	if (body === null || routine.params.length !== 1 || routine.params[0].name !== '') return false;
	return UNNAMED_TYPES[body].includes(routine.params[0].type);
}

function signature(r: RoutineInfo): string {
	return `${r.schema}.${r.name}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`;
}

export function chooseRoutine(cache: SchemaCache, schema: string, name: string, argKeys: string[], body: BodyKind): RoutineChoice {
	const overloads = cache.routines.get(relationKey(schema, name)) ?? [];
	const args = new Set(body === 'json' || body === null ? argKeys : []);
	const named = overloads.filter((r) => matchesNamed(r, args, body));
	const whole = named.length === 0 ? overloads.filter((r) => takesWholeBody(r, body)) : [];
	const found = named.length ? named : whole;
	if (found.length === 1) return { routine: found[0], wholeBody: named.length === 0 };
	if (found.length > 1) {
		throw new PgrstError(
			300,
			'PGRST203',
			`Could not choose the best candidate function between: ${found.map(signature).join(', ')}`,
			null,
			'Try renaming the parameters or the function itself in the database so function overloading can be resolved'
		);
	}
	const sorted = [...args].sort();
	const func = `${schema}.${name}`;
	const rawOnly = body === 'text' || body === 'xml' || body === 'bytea';
	const listed = sorted.length ? `(${sorted.join(', ')})` : ' without parameters';
	const withParams = sorted.length ? ` with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}` : ' without parameters';
	const searched = rawOnly ? ` with a single unnamed ${body} parameter` : `${withParams}${body === 'json' ? ' or with a single unnamed json/jsonb parameter' : ''}`;
	const details = `Searched for the function ${func}${searched}, but no matches were found in the schema cache.`;
	let hint: string | null = null;
	if (rawOnly) hint = null;
	else if (overloads.length > 0) {
		const signatures = overloads.map((r) => `(${r.params.map((p) => p.name).sort().join(', ')})`);
		const best = closest(`(${sorted.join(', ')})`, signatures, 0.33);
		if (best) hint = `Perhaps you meant to call the function ${func}${best}`;
	} else {
		const names = [...cache.routines.values()].flat().filter((r) => r.schema === schema).map((r) => r.name);
		const best = closest(name, new Set(names), 0.6);
		if (best) hint = `Perhaps you meant to call the function ${schema}.${best}`;
	}
	throw new SchemaMissError(404, 'PGRST202', `Could not find the function ${func}${rawOnly ? '' : listed} in the schema cache`, details, hint);
}

/**
 * FROM item calling the routine, aliased "pgrst_0" (scalar results are the
 * column pgrst_scalar). Named arguments come from json_to_record over the
 * one JSON parameter, typed by the function's own parameter types.
 */
export function callFrom(choice: RoutineChoice, args: Record<string, unknown> | unknown, params: SqlParams): string {
	const { routine } = choice;
	const fn = qualified(routine.schema, routine.name);
	const alias = routine.returnKind === 'composite' ? '"pgrst_0"' : '"pgrst_0"(pgrst_scalar)';
	if (choice.wholeBody) {
		// Raw bodies (text, xml, bytes) go as they are; a JSON body as its text.
		// Bytes travel as bytea's hex text form.
		const value = Buffer.isBuffer(args) ? `\\x${args.toString('hex')}` : typeof args === 'string' ? args : JSON.stringify(args ?? null);
		return `${fn}(${params.add(value)}::${routine.params[0].baseType}) as ${alias}`;
	}
	const given = Object.keys(args as Record<string, unknown>);
	const used = routine.params.filter((p) => given.includes(p.name));
	if (used.length === 0) return `${fn}() as ${alias}`;
	const defs = used.map((p) => `${quoteIdent(p.name)} ${p.type}`).join(', ');
	const call = used.map((p) => `${p.variadic ? 'variadic ' : ''}${quoteIdent(p.name)} := pgrst_args.${quoteIdent(p.name)}`).join(', ');
	return `json_to_record(${params.add(JSON.stringify(args))}::json) as pgrst_args(${defs}) cross join lateral ${fn}(${call}) as ${alias}`;
}
