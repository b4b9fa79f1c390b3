// Smaller PostgREST behaviours apps rely on: form-encoded bodies, the Range
// request header, Prefer: timezone, variadic function arguments repeated in
// the query string, and writes through an auto-updatable view.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient } from '../helpers/stack.ts';
import { restFetch, uniqueName } from '../helpers/rest.ts';

const P = uniqueName('ext');
const T = `${P}_things`;
const V = `${P}_things_view`;
let admin: pg.Pool;

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${T} (id int primary key, name text, at timestamptz default '2026-01-01 12:00:00+00');
		insert into public.${T} (id, name) select g, 'n' || g from generate_series(1, 5) g;
		create view public.${V} as select id, name from public.${T};
		create function public.${P}_total(variadic nums int[]) returns int language sql immutable as $$ select sum(n)::int from unnest(nums) n $$;
		grant select, insert, update on public.${T}, public.${V} to anon;
		grant execute on function public.${P}_total to anon;
	`);
});

afterAll(async () => {
	await admin.query(`drop function if exists public.${P}_total; drop view if exists public.${V}; drop table if exists public.${T}`);
	await admin.end();
});

describe('request forms', () => {
	it('inserts from an application/x-www-form-urlencoded body', async () => {
		const res = await restFetch(`/${T}?select=id,name`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Prefer: 'return=representation' },
			body: 'id=10&name=from+a+form'
		});
		expect(res.status).toBe(201);
		expect(await res.json()).toEqual([{ id: 10, name: 'from a form' }]);
	});

	it('pages with the Range header (Range-Unit: items)', async () => {
		const res = await restFetch(`/${T}?select=id&order=id&id=lte.5`, { headers: { Range: '1-2', 'Range-Unit': 'items', Prefer: 'count=exact' } });
		expect(res.status).toBe(206);
		expect(res.headers.get('content-range')).toBe('1-2/5');
		expect(await res.json()).toEqual([{ id: 2 }, { id: 3 }]);
		// Intersected with limit/offset; a reversed range is refused.
		const both = await restFetch(`/${T}?select=id&order=id&id=lte.5&offset=2`, { headers: { Range: '0-3' } });
		expect(await both.json()).toEqual([{ id: 3 }, { id: 4 }]);
		const reversed = await restFetch(`/${T}`, { headers: { Range: '3-1' } });
		expect(reversed.status).toBe(416);
		expect(await reversed.json()).toMatchObject({
			code: 'PGRST103',
			details: 'The lower boundary must be lower than or equal to the upper boundary in the Range header.'
		});
	});

	it('Prefer: timezone renders timestamptz in that zone', async () => {
		const res = await restFetch(`/${T}?select=at&id=eq.1`, { headers: { Prefer: 'timezone=Asia/Tokyo' } });
		expect(await res.json()).toEqual([{ at: '2026-01-01T21:00:00+09:00' }]);
		expect(res.headers.get('preference-applied')).toBe('timezone=Asia/Tokyo');
		// A zone Postgres does not know is ignored, or refused with handling=strict.
		const unknown = await restFetch(`/${T}?select=at&id=eq.1`, { headers: { Prefer: 'timezone=Mars/Olympus' } });
		expect(unknown.status).toBe(200);
		expect(unknown.headers.get('preference-applied')).toBeNull();
		expect(await unknown.json()).toEqual([{ at: '2026-01-01T12:00:00+00:00' }]);
		const strict = await restFetch(`/${T}?select=at`, { headers: { Prefer: 'handling=strict, timezone=Mars/Olympus' } });
		expect(strict.status).toBe(400);
		expect(await strict.json()).toMatchObject({ code: 'PGRST122', details: 'Invalid preferences: timezone=Mars/Olympus' });
	});

	it('a variadic parameter takes repeated query arguments on GET and an array on POST', async () => {
		const get = await restFetch(`/rpc/${P}_total?nums=1&nums=2&nums=3`);
		expect(await get.json()).toBe(6);
		expect((await anonClient().rpc(`${P}_total`, { nums: [4, 5] })).data).toBe(9);
	});

	it('writes through an auto-updatable view', async () => {
		const { data, error } = await anonClient().from(V).update({ name: 'via view' }).eq('id', 2).select();
		expect(error).toBeNull();
		expect(data).toEqual([{ id: 2, name: 'via view' }]);
		expect((await admin.query(`select name from public.${T} where id = 2`)).rows).toEqual([{ name: 'via view' }]);
	});
});
