// RPC through supabase-js: scalar, setof, table and void results, filters on
// set-returning results, overloads, single JSON parameter, GET/HEAD, read-only
// rules, and the errors functions raise.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient } from '../helpers/stack.ts';
import { restFetch, uniqueName, grantOwnFunctions } from '../helpers/rest.ts';

const P = uniqueName('rp');
const items = `${P}_items`;
const owners = `${P}_owners`;
const fn = (name: string) => `${P}_${name}`;
let admin: pg.Pool;

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${owners} (id int primary key, name text);
		create table public.${items} (id int primary key, name text, owner_id int references public.${owners}(id));
		insert into public.${owners} values (1, 'Olga'), (2, 'Omar');
		insert into public.${items} values (1, 'one', 1), (2, 'two', 2), (3, 'three', 1);
		create function public.${fn('add')}(a int, b int default 10) returns int language sql immutable as $$ select a + b $$;
		create function public.${fn('hello')}() returns text language sql stable as $$ select 'hello' $$;
		create function public.${fn('items_from')}(min_id int) returns setof public.${items} language sql stable as $$ select * from public.${items} where id >= min_id order by id $$;
		create function public.${fn('pairs')}() returns table (k text, v int) language sql stable as $$ values ('a', 1), ('b', 2), ('c', 3) $$;
		create function public.${fn('numbers')}() returns setof int language sql stable as $$ select generate_series(1, 3) $$;
		create function public.${fn('first_item')}() returns public.${items} language sql stable as $$ select * from public.${items} order by id limit 1 $$;
		create function public.${fn('touch')}(new_name text) returns void language sql volatile as $$ update public.${items} set name = new_name where id = 1 $$;
		create sequence public.${P}_seq;
		grant usage on sequence public.${P}_seq to anon;
		create function public.${fn('sneaky')}() returns bigint language sql stable as $$ select nextval('public.${P}_seq') $$;
		create function public.${fn('echo')}(json) returns json language sql immutable as $$ select $1 $$;
		create function public.${fn('over')}(x int) returns text language sql immutable as $$ select 'int:' || x $$;
		create function public.${fn('over')}(y text) returns text language sql immutable as $$ select 'text:' || y $$;
		create function public.${fn('fail')}(kind text) returns int language plpgsql as $$
		begin
			if kind = 'raise' then raise exception 'Not enough credits' using detail = 'balance is 3', hint = 'top up first';
			elsif kind = 'pt' then raise sqlstate 'PT402' using message = 'Payment required';
			elsif kind = 'pgrst' then raise sqlstate 'PGRST' using message = '{"code":"C1","message":"custom","details":"d","hint":"h"}', detail = '{"status":418,"headers":{"X-Tea":"pot"}}';
			end if;
			return 1;
		end $$;
		create function public.${fn('headers')}() returns text language sql stable as $$
			select current_setting('request.method', true) || ' ' || current_setting('request.path', true) || ' ' ||
				(current_setting('request.headers', true)::json ->> 'x-trace')
		$$;
		${grantOwnFunctions(P, 'anon')}
	`);
});

afterAll(async () => {
	await admin.query(`
		drop function if exists public.${fn('add')}, public.${fn('hello')}, public.${fn('items_from')}, public.${fn('pairs')}, public.${fn('numbers')},
			public.${fn('first_item')}, public.${fn('touch')}, public.${fn('sneaky')}, public.${fn('echo')}, public.${fn('over')}(int), public.${fn('over')}(text),
			public.${fn('fail')}, public.${fn('headers')};
		drop table if exists public.${items}, public.${owners};
		drop sequence if exists public.${P}_seq;
	`);
	await admin.end();
});

describe('rpc', () => {
	it('calls a scalar function with named arguments (POST) and defaults', async () => {
		expect((await anonClient().rpc(fn('add'), { a: 1, b: 2 })).data).toBe(3);
		expect((await anonClient().rpc(fn('add'), { a: 1 })).data).toBe(11);
		expect((await anonClient().rpc(fn('hello'))).data).toBe('hello');
	});

	it('calls with GET and query arguments, and HEAD', async () => {
		const get = await anonClient().rpc(fn('add'), { a: 5, b: 6 }, { get: true });
		expect(get.data).toBe(11);
		const head = await anonClient().rpc(fn('items_from'), { min_id: 2 }, { head: true, count: 'exact' });
		expect(head.status).toBe(200);
		expect(head.data).toBeNull();
		expect(head.count).toBe(2);
	});

	it('returns setof rows with filters, select, order, range and embeds applied', async () => {
		const { data, error } = await anonClient().rpc(fn('items_from'), { min_id: 1 }).select(`name, ${owners}(name)`).neq('name', 'two').order('id', { ascending: false });
		expect(error).toBeNull();
		expect(data).toEqual([
			{ name: 'three', [owners]: { name: 'Olga' } },
			{ name: 'one', [owners]: { name: 'Olga' } }
		]);
		const ranged = await anonClient().rpc(fn('items_from'), { min_id: 1 }, { count: 'exact' }).select('id').range(0, 0);
		expect(ranged.data).toEqual([{ id: 1 }]);
		expect(ranged.count).toBe(3);
		expect(ranged.status).toBe(206);
	});

	it('returns TABLE results as rows, setof scalars as an array, a composite as an object', async () => {
		expect((await anonClient().rpc(fn('pairs')).gt('v', 1)).data).toEqual([
			{ k: 'b', v: 2 },
			{ k: 'c', v: 3 }
		]);
		expect((await anonClient().rpc(fn('numbers'))).data).toEqual([1, 2, 3]);
		expect((await anonClient().rpc(fn('first_item'))).data).toEqual({ id: 1, name: 'one', owner_id: 1 });
		const single = await anonClient().rpc(fn('items_from'), { min_id: 3 }).single();
		expect(single.data).toEqual({ id: 3, name: 'three', owner_id: 1 });
	});

	it('answers a void function with 204 and writes with a volatile function', async () => {
		const res = await anonClient().rpc(fn('touch'), { new_name: 'uno' });
		expect(res.status).toBe(204);
		expect(res.error).toBeNull();
		expect((await admin.query(`select name from public.${items} where id = 1`)).rows[0].name).toBe('uno');
	});

	it('runs STABLE functions called by POST, and every GET, read-only (405)', async () => {
		const stable = await anonClient().rpc(fn('sneaky'));
		expect(stable.status).toBe(405);
		expect(stable.error).toMatchObject({ code: '25006', message: 'cannot execute nextval() in a read-only transaction' });
		const get = await anonClient().rpc(fn('touch'), { new_name: 'via-get' }, { get: true });
		expect(get.status).toBe(405);
		expect((await admin.query(`select name from public.${items} where id = 1`)).rows[0].name).not.toBe('via-get');
	});

	it('passes the whole body to a single unnamed json parameter', async () => {
		const { data, error } = await anonClient().rpc(fn('echo'), { any: ['shape', 1] } as never);
		expect(error).toBeNull();
		expect(data).toEqual({ any: ['shape', 1] });
	});

	it('picks the overload whose parameter names match', async () => {
		expect((await anonClient().rpc(fn('over'), { x: 4 })).data).toBe('int:4');
		expect((await anonClient().rpc(fn('over'), { y: 'z' })).data).toBe('text:z');
	});

	it('answers an unknown function or argument set with PGRST202 and 404', async () => {
		const res = await anonClient().rpc(fn('add'), { c: 1 });
		expect(res.status).toBe(404);
		expect(res.error).toMatchObject({
			code: 'PGRST202',
			message: `Could not find the function public.${fn('add')}(c) in the schema cache`,
			details: `Searched for the function public.${fn('add')} with parameter c or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`
		});
		const missing = await anonClient().rpc(`${P}_nothing_here`);
		expect(missing.status).toBe(404);
		expect(missing.error?.code).toBe('PGRST202');
	});

	it('reports RAISE errors with their message, detail and hint; PTnnn sets the status', async () => {
		const raised = await anonClient().rpc(fn('fail'), { kind: 'raise' });
		expect(raised.status).toBe(400);
		expect(raised.error).toEqual({ code: 'P0001', message: 'Not enough credits', details: 'balance is 3', hint: 'top up first' });
		const pt = await anonClient().rpc(fn('fail'), { kind: 'pt' });
		expect(pt.status).toBe(402);
		expect(pt.error?.code).toBe('PT402');
		const custom = await restFetch(`/rpc/${fn('fail')}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'pgrst' }) });
		expect(custom.status).toBe(418);
		expect(custom.headers.get('x-tea')).toBe('pot');
		expect(await custom.json()).toEqual({ code: 'C1', message: 'custom', details: 'd', hint: 'h' });
	});

	it('gives functions the request GUCs', async () => {
		const res = await restFetch(`/rpc/${fn('headers')}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc' }, body: '{}' });
		expect(await res.json()).toBe(`POST /rpc/${fn('headers')} abc`);
	});

	it('refuses PATCH on RPC', async () => {
		const res = await restFetch(`/rpc/${fn('hello')}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{}' });
		expect(res.status).toBe(405);
		expect((await res.json()).code).toBe('PGRST101');
	});

	it('sees a function created just before the call', async () => {
		const late = fn('late');
		await admin.query(`create function public.${late}(n int) returns int language sql immutable as $$ select n * 2 $$; grant execute on function public.${late} to anon`);
		try {
			expect((await anonClient().rpc(late, { n: 21 })).data).toBe(42);
		} finally {
			await admin.query(`drop function public.${late}`);
		}
	});
});
