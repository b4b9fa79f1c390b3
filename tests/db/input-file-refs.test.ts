// The file references of a job's input (private.input_file_refs): every
// {"$file": ...} object at any depth, and none where the input has no such
// key, whatever its text says elsewhere. Its fast path (an input whose text
// has no "$file" is not walked, 20261210000100_input_file_refs_fast_path.sql)
// must not lose a reference: each case is compared with a walk in
// TypeScript, and a submission still refuses a reference no file backs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, attempt, createUser, openTestDatabase, withActor, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(2);
});
afterAll(async () => {
	await db?.close();
});

function refsOf(value: unknown): unknown[] {
	if (Array.isArray(value)) return value.flatMap(refsOf);
	if (value && typeof value === 'object') {
		const own = Object.hasOwn(value, '$file') ? [value] : [];
		return [...own, ...Object.values(value).flatMap(refsOf)];
	}
	return [];
}

const inputs: Array<[string, unknown]> = [
	['no reference', { sequences: [{ id: 'a', sequence: 'MKV' }] }],
	['"$file" only as a string value', { note: '$file', quoted: '"$file"', key: 'say {"$file": "x"}' }],
	['a reference at the top', { $file: 'top.fasta' }],
	['references deep in arrays and objects', { sequences: [{ id: 'x', sequence: { $file: 'a.fasta' } }, [[{ inner: { $file: 'b.pdb' } }]]] }],
	['a malformed reference', { structure: { $file: 7, extra: true } }],
	['keys that only look like one', { $files: 'x', file: 'y', '$file ': 'z' }],
	['a scalar input', 'just text with $file in it'],
	['unicode around a reference', { 名前: [{ $file: 'données.fasta' }], emoji: '🧪' }]
];

describe('private.input_file_refs', () => {
	it.each(inputs)('finds every reference: %s', async (_label, input) => {
		const { rows } = await db.pool.query<{ r: unknown }>('select r from private.input_file_refs($1::jsonb) r', [JSON.stringify(input)]);
		const key = (v: unknown) => JSON.stringify(v);
		expect(rows.map((row) => key(row.r)).sort()).toEqual(refsOf(input).map(key).sort());
	});

	it('still makes a submission refuse a reference that no file backs', async () => {
		const user = await createUser(db.pool);
		const { error } = await withActor(db.pool, asUser(user), (c) =>
			attempt(c, 'select public.submit_job($1, $2, $3)', ['protein-properties', 'refers to a file', { sequences: [{ id: 'x', sequence: { $file: 'missing.fasta' } }] }])
		);
		expect(error?.message).toMatch(/refers to the file "missing.fasta", which files does not list/);
	});
});
