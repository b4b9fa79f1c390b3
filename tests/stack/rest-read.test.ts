// REST reads through the real supabase-js client: select shapes, every
// filter operator, order, ranges and counts, response formats, profiles.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient, serviceClient } from '../helpers/stack.ts';
import { restFetch, uniqueName } from '../helpers/rest.ts';

const T = uniqueName('rr_items');
let admin: pg.Pool;

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${T} (
			id int primary key,
			name text not null,
			category text,
			price numeric,
			tags text[],
			data jsonb,
			period int4range,
			body text,
			active boolean,
			"Mixed Case" text
		);
		insert into public.${T} values
			(1, 'Apple', 'fruit', 1.5, '{red,sweet}', '{"origin":{"country":"NZ"},"stock":[5,6]}', '[1,5)', 'the quick brown fox', true, 'a'),
			(2, 'Banana', 'fruit', 0.5, '{yellow,sweet}', '{"origin":{"country":"EC"},"stock":[1]}', '[5,10)', 'lazy dogs sleep', false, 'b'),
			(3, 'Carrot', 'vegetable', 0.8, '{orange}', '{"origin":{"country":"NZ"}}', '[10,20)', 'a quick carrot', null, null),
			(4, 'Daikon, long', null, null, null, null, null, null, true, null),
			(5, 'eggplant', 'vegetable', 2.25, '{purple}', '{"origin":{"country":"IT"}}', '[20,30)', 'fox and dog', true, 'c');
		alter table public.${T} enable row level security;
		create policy "Anyone can read" on public.${T} for select to anon, authenticated using (true);
	`);
});

afterAll(async () => {
	await admin.query(`drop table if exists public.${T}`);
	await admin.end();
});

const ids = (rows: Array<{ id: number }> | null) => (rows ?? []).map((r) => r.id);

describe('select', () => {
	it('returns chosen columns, aliases, casts and JSON paths', async () => {
		const { data, error } = await anonClient()
			.from(T)
			.select('id, label:name, price::text, country:data->origin->>country, stock:data->stock->0, origin:data->origin')
			.eq('id', 1)
			.single();
		expect(error).toBeNull();
		expect(data).toEqual({ id: 1, label: 'Apple', price: '1.5', country: 'NZ', stock: 5, origin: { country: 'NZ' } });
	});

	it('reads columns whose names need quoting', async () => {
		const { data, error } = await anonClient().from(T).select('id,"Mixed Case"').eq('id', 2);
		expect(error).toBeNull();
		expect(data).toEqual([{ id: 2, 'Mixed Case': 'b' }]);
	});

	it('answers an unknown column with 400 and a parse error with PGRST100', async () => {
		const missing = await anonClient().from(T).select('id, nope');
		expect(missing.status).toBe(400);
		expect(missing.error).toMatchObject({ code: '42703', message: `column ${T}.nope does not exist` });
		const bad = await anonClient().from(T).select('id,,name');
		expect(bad.status).toBe(400);
		expect(bad.error?.code).toBe('PGRST100');
		expect(bad.error?.message).toContain('failed to parse select parameter (id,,name)');
	});

	it('refuses a cast to a type that does not exist', async () => {
		const res = await anonClient().from(T).select('id::nosuchtype');
		expect(res.status).toBe(400);
		expect(res.error?.code).toBe('42704');
	});

	it('answers an unknown table with PGRST205 and 404', async () => {
		const { error, status } = await anonClient().from(`${T}_nope`).select();
		expect(status).toBe(404);
		expect(error).toMatchObject({ code: 'PGRST205', message: `Could not find the table 'public.${T}_nope' in the schema cache` });
	});
});

describe('filters', () => {
	const cases: Array<[string, (q: any) => any, number[]]> = [
		['eq', (q) => q.eq('category', 'fruit'), [1, 2]],
		['neq', (q) => q.neq('category', 'fruit'), [3, 5]],
		['gt', (q) => q.gt('price', 0.8), [1, 5]],
		['gte', (q) => q.gte('price', 0.8), [1, 3, 5]],
		['lt', (q) => q.lt('price', 0.8), [2]],
		['lte', (q) => q.lte('price', 0.8), [2, 3]],
		['like with *', (q) => q.like('name', '*an*'), [2, 5]],
		['ilike', (q) => q.ilike('name', 'a*'), [1]],
		['like(any)', (q) => q.likeAnyOf('name', ['A*', 'C*']), [1, 3]],
		['ilike(all)', (q) => q.ilikeAllOf('name', ['*a*', '*n*']), [2, 4, 5]],
		['match', (q) => q.filter('name', 'match', '^[A-C]'), [1, 2, 3]],
		['imatch', (q) => q.filter('name', 'imatch', '^e'), [5]],
		['is null', (q) => q.is('category', null), [4]],
		['is true', (q) => q.is('active', true), [1, 4, 5]],
		['is false', (q) => q.is('active', false), [2]],
		['is unknown', (q) => q.filter('active', 'is', 'unknown'), [3]],
		['not is null', (q) => q.not('category', 'is', null), [1, 2, 3, 5]],
		['isdistinct', (q) => q.filter('active', 'isdistinct', 'true'), [2, 3]],
		['in with quoted comma', (q) => q.in('name', ['Apple', 'Daikon, long']), [1, 4]],
		['not in', (q) => q.not('id', 'in', '(1,2,3)'), [4, 5]],
		['cs array', (q) => q.contains('tags', ['sweet']), [1, 2]],
		['cd array', (q) => q.containedBy('tags', ['red', 'sweet', 'orange']), [1, 3]],
		['ov array', (q) => q.overlaps('tags', ['red', 'purple']), [1, 5]],
		['cs jsonb', (q) => q.contains('data', { origin: { country: 'NZ' } }), [1, 3]],
		['sl range', (q) => q.rangeLt('period', '[10,11)'), [1, 2]],
		['sr range', (q) => q.rangeGt('period', '[10,11)'), [5]],
		['nxl range', (q) => q.rangeGte('period', '[10,11)'), [3, 5]],
		['nxr range', (q) => q.rangeLte('period', '[10,11)'), [1, 2]],
		['adj range', (q) => q.rangeAdjacent('period', '[30,40)'), [5]],
		['ov range', (q) => q.overlaps('period', '[4,6)'), [1, 2]],
		['fts', (q) => q.textSearch('body', 'quick & fox'), [1]],
		['plfts with config', (q) => q.textSearch('body', 'quick fox', { type: 'plain', config: 'english' }), [1]],
		['phfts', (q) => q.textSearch('body', 'lazy dogs', { type: 'phrase', config: 'english' }), [2]],
		['wfts', (q) => q.textSearch('body', 'fox -quick', { type: 'websearch' }), [5]],
		['JSON path filter', (q) => q.eq('data->origin->>country', 'NZ'), [1, 3]],
		['or', (q) => q.or('id.eq.1,price.gt.2'), [1, 5]],
		['or with nested and', (q) => q.or('id.eq.1,and(category.eq.vegetable,price.lt.1)'), [1, 3]],
		['or with negated member', (q) => q.or('id.not.gte.2,name.eq.Banana'), [1, 2]]
	];
	for (const [name, apply, expected] of cases) {
		it(name, async () => {
			const { data, error } = await apply(anonClient().from(T).select('id')).order('id');
			expect(error).toBeNull();
			expect(ids(data)).toEqual(expected);
		});
	}

	it('negates or-trees and applies and= trees', async () => {
		const notOr = await restFetch(`/${T}?select=id&not.or=(id.eq.1,id.eq.2)&order=id`);
		expect((await notOr.json()).map((r: { id: number }) => r.id)).toEqual([3, 4, 5]);
		const and = await restFetch(`/${T}?select=id&and=(price.gt.0.6,or(category.eq.fruit,id.eq.3))&order=id`);
		expect((await and.json()).map((r: { id: number }) => r.id)).toEqual([1, 3]);
	});

	it('answers an unknown operator with PGRST100 instead of ignoring the filter', async () => {
		const res = await restFetch(`/${T}?id=eqq.1`);
		expect(res.status).toBe(400);
		const body = await res.json();
		expect(body.code).toBe('PGRST100');
		expect(body.message).toContain('failed to parse filter (eqq.1)');
		expect(body.details).toContain('unknown single value operator eqq');
	});
});

describe('order, limit, offset, count', () => {
	it('orders by several columns with nulls placement and by JSON paths', async () => {
		const byCategory = await anonClient().from(T).select('id').order('category', { ascending: false, nullsFirst: true }).order('id');
		expect(ids(byCategory.data)).toEqual([4, 3, 5, 1, 2]);
		const byJson = await anonClient().from(T).select('id').not('data', 'is', null).order('data->origin->>country').order('id', { ascending: false });
		expect(ids(byJson.data)).toEqual([2, 5, 3, 1]);
	});

	it('pages with range() and reports Content-Range, 206 and the count', async () => {
		const { data, count, status } = await anonClient().from(T).select('id', { count: 'exact' }).order('id').range(1, 2);
		expect(ids(data)).toEqual([2, 3]);
		expect(count).toBe(5);
		expect(status).toBe(206);
		const res = await restFetch(`/${T}?select=id&order=id&offset=1&limit=2`, { headers: { Prefer: 'count=exact' } });
		expect(res.headers.get('content-range')).toBe('1-2/5');
		const all = await restFetch(`/${T}?select=id`);
		expect(all.status).toBe(200);
		expect(all.headers.get('content-range')).toBe('0-4/*');
		const none = await restFetch(`/${T}?select=id&id=eq.99`, { headers: { Prefer: 'count=exact' } });
		expect(none.headers.get('content-range')).toBe('*/0');
	});

	it('answers an offset past the end with 416 PGRST103', async () => {
		const res = await restFetch(`/${T}?select=id&offset=10`, { headers: { Prefer: 'count=exact' } });
		expect(res.status).toBe(416);
		expect(await res.json()).toMatchObject({ code: 'PGRST103', details: 'An offset of 10 was requested, but there are only 5 rows.' });
		expect(res.headers.get('content-range')).toBe('*/5');
	});

	it('gives planned and estimated counts', async () => {
		for (const kind of ['planned', 'estimated'] as const) {
			const { count, error } = await anonClient().from(T).select('id', { count: kind, head: true });
			expect(error).toBeNull();
			expect(typeof count).toBe('number');
		}
	});

	it('caps results at max_rows (1000)', async () => {
		const big = uniqueName('rr_big');
		await admin.query(`create table public.${big} as select g as id from generate_series(1, 1005) g`);
		try {
			const { data, count } = await serviceClient().from(big).select('id', { count: 'exact' });
			expect(data).toHaveLength(1000);
			expect(count).toBe(1005);
		} finally {
			await admin.query(`drop table public.${big}`);
		}
	});

	it('counts with HEAD without a body', async () => {
		const { data, count, status } = await anonClient().from(T).select('*', { count: 'exact', head: true }).eq('category', 'fruit');
		expect(status).toBe(200);
		expect(data).toBeNull();
		expect(count).toBe(2);
	});
});

describe('formats', () => {
	it('single() returns one object, and 406 PGRST116 otherwise', async () => {
		const one = await anonClient().from(T).select('id,name').eq('id', 3).single();
		expect(one.data).toEqual({ id: 3, name: 'Carrot' });
		const many = await anonClient().from(T).select('id').single();
		expect(many.status).toBe(406);
		expect(many.error).toMatchObject({ code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 5 rows' });
		const zero = await anonClient().from(T).select('id').eq('id', 42).single();
		expect(zero.error?.details).toBe('The result contains 0 rows');
	});

	it('maybeSingle() gives null for no row', async () => {
		const { data, error } = await anonClient().from(T).select('id').eq('id', 42).maybeSingle();
		expect(error).toBeNull();
		expect(data).toBeNull();
	});

	it('csv() returns text/csv with a header line', async () => {
		const { data, error } = await anonClient().from(T).select('id,name,active').in('id', [1, 4]).order('id').csv();
		expect(error).toBeNull();
		expect(data).toBe('id,name,active\n1,Apple,t\n4,"Daikon, long",t');
	});

	it('stripNulls() leaves out null fields', async () => {
		const { data } = await anonClient().from(T).select('id,category,price').eq('id', 4).stripNulls();
		expect(data).toEqual([{ id: 4 }]);
	});

	it('refuses media types it cannot produce with 406 PGRST107', async () => {
		const res = await restFetch(`/${T}`, { headers: { Accept: 'application/xml' } });
		expect(res.status).toBe(406);
		expect((await res.json()).code).toBe('PGRST107');
	});
});

describe('profiles', () => {
	it('serves an exposed schema named by Accept-Profile', async () => {
		const { data, error } = await anonClient().schema('public').from(T).select('id').eq('id', 1);
		expect(error).toBeNull();
		expect(data).toEqual([{ id: 1 }]);
	});

	it('refuses a schema that is not exposed with 406 PGRST106', async () => {
		const { error, status } = await anonClient().schema('auth').from('users').select('id');
		expect(status).toBe(406);
		expect(error).toMatchObject({ code: 'PGRST106', message: 'Invalid schema: auth', hint: 'Only the following schemas are exposed: public, graphql_public' });
		const write = await anonClient().schema('auth').from('users').insert({ id: 'x' });
		expect(write.status).toBe(406);
	});
});
