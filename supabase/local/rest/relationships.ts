// Which foreign-key relationship an embed (`target!hint(...)`) means, with
// PostgREST's errors when there is none (PGRST200) or more than one (PGRST201).
import { PgrstError, SchemaMissError } from './errors.ts';
import type { Relation, Relationship } from './schema-cache.ts';

function fkColumns(rel: Relationship): string[] {
	return rel.fkInSource ? rel.columns : rel.targetColumns;
}

function matchesHint(rel: Relationship, hint: string): boolean {
	if (rel.cardinality === 'm2m') return rel.junction!.relation.name === hint;
	if (rel.constraint === hint) return true;
	const fk = fkColumns(rel);
	return fk.length === 1 && fk[0] === hint;
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
	const matches = source.relationships.filter((rel) => {
		if (rel.computed) return false;
		if (rel.target.name === target) return hint === null || matchesHint(rel, hint);
		if (hint !== null) return false;
		// The foreign key's name as the target: `fk_name(*)`.
		if (rel.cardinality !== 'm2m' && rel.constraint === target) return true;
		// A foreign-key column as the target: `author_id(*)` embeds the row it references.
		return rel.fkInSource && rel.columns.length === 1 && rel.columns[0] === target;
	});
	if (matches.length === 1) return matches[0];
	if (matches.length === 0) {
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
	const hints = matches.map((rel) => `'${rel.target.name}!${rel.cardinality === 'm2m' ? rel.junction!.relation.name : rel.constraint}'`);
	throw new PgrstError(
		300,
		'PGRST201',
		`Could not embed because more than one relationship was found for '${source.name}' and '${target}'`,
		matches.map(describe),
		`Try changing '${target}' to one of the following: ${hints.join(', ')}. Find the desired relationship in the 'details' key.`
	);
}
