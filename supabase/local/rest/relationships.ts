// Which foreign-key relationship an embed (`target!hint(...)`) means, with
// PostgREST's errors when there is none (PGRST200) or more than one (PGRST201).
import { PgrstError, SchemaMissError } from './errors.ts';
import type { Relation, Relationship } from './schema-cache.ts';

/** The relationship's one column on the source side (`client_id(*)`), if it has exactly one. */
function singleColumn(rel: Relationship): string | null {
	return rel.cardinality !== 'm2m' && rel.columns.length === 1 ? rel.columns[0] : null;
}

/** Its one column on the target side (`clients!id(*)`), if it has exactly one. */
function singleTargetColumn(rel: Relationship): string | null {
	return rel.cardinality !== 'm2m' && rel.targetColumns.length === 1 ? rel.targetColumns[0] : null;
}

function isView(relation: Relation): boolean {
	return relation.kind === 'v' || relation.kind === 'm';
}

/**
 * Whether `target!hint` names this relationship, by PostgREST's findRel rules:
 * a self-referencing foreign key gives the children (one-to-many) by the
 * table's name and the parent (many-to-one) by the column's name; otherwise
 * the target's name, or the constraint or column name when the target is not
 * a view (so views over the same table add no false candidates), and a hint
 * naming the constraint, either side's column or the junction.
 */
function matches(rel: Relationship, target: string, hint: string | null): boolean {
	if (rel.computed) return false;
	const self = rel.source === rel.target && rel.cardinality !== 'm2m';
	if (self) {
		if (hint === null) return (rel.target.name === target && rel.cardinality === 'o2m') || (rel.cardinality === 'm2o' && singleColumn(rel) === target);
		return rel.target.name === target && rel.cardinality === 'o2m' && singleTargetColumn(rel) === hint;
	}
	if (hint === null) {
		if (rel.target.name === target) return true;
		if (isView(rel.target)) return false;
		return (rel.cardinality !== 'm2m' && rel.constraint === target) || singleColumn(rel) === target;
	}
	if (rel.target.name !== target) return false;
	if (rel.cardinality === 'm2m') return rel.junction!.relation.name === hint;
	return rel.constraint === hint || singleColumn(rel) === hint || singleTargetColumn(rel) === hint;
}

export function isToOne(rel: Relationship): boolean {
	return rel.cardinality === 'm2o' || rel.cardinality === 'o2o';
}

/** Similarity of two names by shared character bigrams (Dice coefficient). */
export function similarity(a: string, b: string): number {
	const grams = (s: string) => {
		const t = ` ${s.toLowerCase()} `;
		const out: string[] = [];
		for (let i = 0; i < t.length - 1; i++) out.push(t.slice(i, i + 2));
		return out;
	};
	const ga = grams(a);
	const gb = grams(b);
	const pool = new Map<string, number>();
	for (const g of gb) pool.set(g, (pool.get(g) ?? 0) + 1);
	let shared = 0;
	for (const g of ga) {
		const n = pool.get(g) ?? 0;
		if (n > 0) {
			shared++;
			pool.set(g, n - 1);
		}
	}
	return (2 * shared) / (ga.length + gb.length);
}

export function closest(name: string, candidates: Iterable<string>, minScore: number): string | null {
	let best: string | null = null;
	let bestScore = minScore;
	for (const c of candidates) {
		const s = similarity(name, c);
		if (s >= bestScore && c !== name) {
			best = c;
			bestScore = s;
		}
	}
	return best;
}

function describe(rel: Relationship): Record<string, string> {
	const cols = (cs: string[]) => `(${cs.join(', ')})`;
	const embedding = `${rel.source.name} with ${rel.target.name}`;
	if (rel.cardinality === 'm2m') {
		const j = rel.junction!;
		return {
			cardinality: 'many-to-many',
			embedding,
			relationship: `${j.relation.name} using ${j.sourceConstraint}${cols(j.sourceJunctionColumns)} and ${j.targetConstraint}${cols(j.targetJunctionColumns)}`
		};
	}
	const names = { m2o: 'many-to-one', o2m: 'one-to-many', o2o: 'one-to-one' } as const;
	return {
		cardinality: names[rel.cardinality],
		embedding,
		relationship: `${rel.constraint} using ${rel.source.name}${cols(rel.columns)} and ${rel.target.name}${cols(rel.targetColumns)}`
	};
}

export function findRelationship(source: Relation, target: string, hint: string | null, allRelations: Iterable<Relation>, allowComputed = true): Relationship {
	// A computed relationship (a function taking the row) is named by its function and
	// takes precedence over foreign keys to a table of the same name, as in PostgREST.
	if (hint === null && allowComputed) {
		const computed = source.relationships.find((rel) => rel.computed !== undefined && rel.constraint === target);
		if (computed) return computed;
	}
	const found = source.relationships.filter((rel) => matches(rel, target, hint));
	if (found.length === 1) return found[0];
	if (found.length === 0) {
		const schema = source.schema;
		const details = `Searched for a foreign key relationship between '${source.name}' and '${target}'${hint ? ` using the hint '${hint}'` : ''} in the schema '${schema}', but no matches were found.`;
		let suggestion: string | null = null;
		if (source.relationships.length > 0) {
			const found = closest(target, new Set(source.relationships.map((r) => r.target.name)), 0.33);
			if (found) suggestion = `Perhaps you meant '${found}' instead of '${target}'.`;
		} else {
			const parents = [...allRelations].filter((r) => r.schema === schema && r.relationships.length > 0).map((r) => r.name);
			const found = closest(source.name, parents, 0.33);
			if (found) suggestion = `Perhaps you meant '${found}' instead of '${source.name}'.`;
		}
		throw new SchemaMissError(400, 'PGRST200', `Could not find a relationship between '${source.name}' and '${target}' in the schema cache`, details, suggestion);
	}
	const hints = found.map((rel) => `'${rel.target.name}!${rel.cardinality === 'm2m' ? rel.junction!.relation.name : rel.constraint}'`);
	throw new PgrstError(
		300,
		'PGRST201',
		`Could not embed because more than one relationship was found for '${source.name}' and '${target}'`,
		found.map(describe),
		`Try changing '${target}' to one of the following: ${hints.join(', ')}. Find the desired relationship in the 'details' key.`
	);
}
