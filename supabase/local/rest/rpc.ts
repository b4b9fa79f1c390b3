// RPC: which overload of a function the given argument names call (or its
// single unnamed json/jsonb parameter for a whole JSON body), and the FROM
// item that calls it with typed arguments read from one bound JSON value.
import { PgrstError, SchemaMissError } from './errors.ts';
import { closest } from './relationships.ts';
import { relationKey, type RoutineInfo, type SchemaCache } from './schema-cache.ts';
import { SqlParams, qualified, quoteIdent } from './sql.ts';

export interface RoutineChoice {
	routine: RoutineInfo;
	/** The body goes whole to the function's one unnamed json/jsonb parameter. */
	wholeBody: boolean;
}

const JSON_TYPES = new Set(['json', 'jsonb']);

function matchesNamed(routine: RoutineInfo, args: string[]): boolean {
	const names = new Set(routine.params.map((p) => p.name));
	if (routine.params.some((p) => p.name === '')) return args.length === 0 && routine.params.every((p) => p.hasDefault);
	return args.every((a) => names.has(a)) && routine.params.every((p) => p.hasDefault || args.includes(p.name));
}

function isSingleUnnamedJson(routine: RoutineInfo): boolean {
	return routine.params.length === 1 && routine.params[0].name === '' && JSON_TYPES.has(routine.params[0].baseType);
}

export function chooseRoutine(cache: SchemaCache, schema: string, name: string, args: string[], jsonBody: boolean): RoutineChoice {
	const overloads = cache.routines.get(relationKey(schema, name)) ?? [];
	const named = overloads.filter((r) => matchesNamed(r, args));
	if (named.length === 1) return { routine: named[0], wholeBody: false };
	if (named.length > 1) {
		const list = named.map((r) => `${r.schema}.${r.name}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`);
		throw new PgrstError(
			300,
			'PGRST203',
			`Could not choose the best candidate function between: ${list.join(', ')}`,
			null,
			'Try renaming the parameters or the function itself in the database so function overloading can be resolved'
		);
	}
	if (jsonBody) {
		const single = overloads.filter(isSingleUnnamedJson);
		if (single.length === 1) return { routine: single[0], wholeBody: true };
	}
	const sorted = [...args].sort();
	const func = `${schema}.${name}`;
	const prms = sorted.length ? `(${sorted.join(', ')})` : ' without parameters';
	const with_ = sorted.length ? ` with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}` : ' without parameters';
	const details = `Searched for the function ${func}${with_}${jsonBody ? ' or with a single unnamed json/jsonb parameter' : ''}, but no matches were found in the schema cache.`;
	let hint: string | null = null;
	if (overloads.length > 0) {
		const signatures = overloads.map((r) => `(${r.params.map((p) => p.name).sort().join(', ')})`);
		const best = closest(`(${sorted.join(', ')})`, signatures, 0.33);
		if (best) hint = `Perhaps you meant to call the function ${func}${best}`;
	} else {
		const names = [...cache.routines.values()].flat().filter((r) => r.schema === schema).map((r) => r.name);
		const best = closest(name, new Set(names), 0.6);
		if (best) hint = `Perhaps you meant to call the function ${schema}.${best}`;
	}
	throw new SchemaMissError(404, 'PGRST202', `Could not find the function ${func}${prms} in the schema cache`, details, hint);
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
		return `${fn}(${params.add(JSON.stringify(args ?? null))}::${routine.params[0].baseType}) as ${alias}`;
	}
	const given = Object.keys(args as Record<string, unknown>);
	const used = routine.params.filter((p) => given.includes(p.name));
	if (used.length === 0) return `${fn}() as ${alias}`;
	const defs = used.map((p) => `${quoteIdent(p.name)} ${p.type}`).join(', ');
	const call = used.map((p) => `${p.variadic ? 'variadic ' : ''}${quoteIdent(p.name)} := pgrst_args.${quoteIdent(p.name)}`).join(', ');
	return `json_to_record(${params.add(JSON.stringify(args))}::json) as pgrst_args(${defs}) cross join lateral ${fn}(${call}) as ${alias}`;
}
