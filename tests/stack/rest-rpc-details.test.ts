// RPC details PostgREST documents: functions with one unnamed parameter take
// the raw body by its Content-Type (json/jsonb, text, xml, bytea), overloads
// resolve by required/optional parameter names with PGRST203 listing the
// candidates, PGRST202's exact message/details/hint, count=exact on
// set-returning functions; and CSV request bodies for tables.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient } from '../helpers/stack.ts';
import { restFetch, uniqueName, grantOwnFunctions } from '../helpers/rest.ts';

const P = uniqueName('rd');
const items = `${P}_items`;
const fn = (name: string) => `${P}_${name}`;
let admin: pg.Pool;

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${items} (id int primary key, name text, note text default 'none');
		insert into public.${items} values (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four');
		create function public.${fn('upper')}(text) returns text language sql immutable as $$ select upper($1) $$;
		create function public.${fn('root')}(xml) returns text language sql immutable as $$ select (xpath('name(/*)', $1))[1]::text $$;
		create function public.${fn('size')}(bytea) returns int language sql immutable as $$ select length($1) $$;
		create function public.${fn('keys')}(jsonb) returns int language sql immutable as $$ select count(*)::int from jsonb_object_keys($1) $$;
		create function public.${fn('pick')}(a int, b int default 1) returns text language sql immutable as $$ select 'ab' $$;
		create function public.${fn('pick')}(a int, c text default 'x') returns text language sql immutable as $$ select 'ac' $$;
		create function public.${fn('from_id')}(min_id int) returns setof public.${items} language sql stable as $$ select * from public.${items} where id >= min_id order by id $$;
		${grantOwnFunctions(P, 'anon')}
		grant select, insert on public.${items} to anon;
	`);
});

afterAll(async () => {
	await admin.query(`
		drop function if exists public.${fn('upper')}, public.${fn('root')}, public.${fn('size')}, public.${fn('keys')},
			public.${fn('pick')}(int, int), public.${fn('pick')}(int, text), public.${fn('from_id')};
		drop table if exists public.${items};
	`);
	await admin.end();
});

function post(path: string, type: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
	return restFetch(path, { method: 'POST', headers: { 'Content-Type': type, ...headers }, body });
}

describe('one unnamed parameter', () => {
	it('takes a text/plain, text/xml, application/octet-stream or JSON body whole', async () => {
		const text = await post(`/rpc/${fn('upper')}`, 'text/plain', 'hello, world');
		expect(text.status).toBe(200);
		expect(await text.json()).toBe('HELLO, WORLD');
		const xml = await post(`/rpc/${fn('root')}`, 'text/xml', '<doc><a/></doc>');
		expect(await xml.json()).toBe('doc');
		const bytes = await post(`/rpc/${fn('size')}`, 'application/octet-stream', new Uint8Array([0, 255, 1, 0, 7]));
		expect(await bytes.json()).toBe(5);
		const json = await anonClient().rpc(fn('keys'), { x: 1, y: 2, z: 3 });
		expect(json.data).toBe(3);
	});

	it('answers PGRST202 naming the raw parameter type when no function takes it', async () => {
		const res = await post(`/rpc/${fn('keys')}`, 'text/plain', 'not json');
		expect(res.status).toBe(404);
		expect(await res.json()).toEqual({
			code: 'PGRST202',
			message: `Could not find the function public.${fn('keys')} in the schema cache`,
			details: `Searched for the function public.${fn('keys')} with a single unnamed text parameter, but no matches were found in the schema cache.`,
			hint: null
		});
	});

	it('refuses raw bodies on tables', async () => {
		const res = await post(`/${items}`, 'text/plain', 'id=9');
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ code: 'PGRST102', message: 'Content-Type not acceptable: text/plain' });
	});
});

describe('overloads and PGRST202', () => {
	it('PGRST203 lists every candidate when the names fit more than one', async () => {
		const { error, status } = await anonClient().rpc(fn('pick'), { a: 1 });
		expect(status).toBe(300);
		expect(error?.code).toBe('PGRST203');
		const listed = (error?.message ?? '').replace('Could not choose the best candidate function between: ', '').split(/, (?=public\.)/).sort();
		expect(listed).toEqual([`public.${fn('pick')}(a => integer, b => integer)`, `public.${fn('pick')}(a => integer, c => text)`]);
		expect(error?.hint).toBe('Try renaming the parameters or the function itself in the database so function overloading can be resolved');
		// An optional parameter's name picks one.
		expect((await anonClient().rpc(fn('pick'), { a: 1, c: 'y' })).data).toBe('ac');
		expect((await anonClient().rpc(fn('pick'), { a: 1, b: 2 })).data).toBe('ab');
	});

	it('PGRST202 hints at the closest parameter set, or the closest function name', async () => {
		const params = await anonClient().rpc(fn('pick'), { a: 1, bb: 2 });
		expect(params.status).toBe(404);
		expect(params.error).toEqual({
			code: 'PGRST202',
			message: `Could not find the function public.${fn('pick')}(a, bb) in the schema cache`,
			details: `Searched for the function public.${fn('pick')} with parameters a, bb or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
			hint: `Perhaps you meant to call the function public.${fn('pick')}(a, b)`
		});
		const name = await anonClient().rpc(fn('uper'), {}, { get: true });
		expect(name.error).toEqual({
			code: 'PGRST202',
			message: `Could not find the function public.${fn('uper')} without parameters in the schema cache`,
			details: `Searched for the function public.${fn('uper')} without parameters, but no matches were found in the schema cache.`,
			hint: `Perhaps you meant to call the function public.${fn('upper')}`
		});
	});
});

describe('count=exact on set-returning functions', () => {
	it('counts the filtered set, not the page, and answers 206 for a partial page', async () => {
		const { data, count, status } = await anonClient().rpc(fn('from_id'), { min_id: 2 }, { count: 'exact' }).neq('name', 'three').range(0, 0);
		expect(data).toEqual([{ id: 2, name: 'two', note: 'none' }]);
		expect(count).toBe(2);
		expect(status).toBe(206);
		const raw = await restFetch(`/rpc/${fn('from_id')}?min_id=1&limit=2`, { headers: { Prefer: 'count=exact' } });
		expect(raw.status).toBe(206);
		expect(raw.headers.get('content-range')).toBe('0-1/4');
	});
});

describe('CSV request bodies', () => {
	it('inserts rows from text/csv, NULL as null, quoted commas and quotes kept', async () => {
		const csv = 'id,name,note\n10,"ten, or X",NULL\n11,"say ""hi""",plain\n';
		const res = await post(`/${items}?select=id,name,note`, 'text/csv', csv, { Prefer: 'return=representation' });
		expect(res.status).toBe(201);
		expect(await res.json()).toEqual([
			{ id: 10, name: 'ten, or X', note: null },
			{ id: 11, name: 'say "hi"', note: 'plain' }
		]);
	});

	it('refuses lines with a different number of fields', async () => {
		const res = await post(`/${items}`, 'text/csv', 'id,name\n12,a,extra\n');
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ code: 'PGRST102', message: 'All lines must have same number of fields' });
		const { count } = await anonClient().from(items).select('*', { count: 'exact', head: true }).eq('id', 12);
		expect(count).toBe(0);
	});
});
