// Upsert as PostgREST answers it: merge-duplicates updates even when the
// payload holds only the conflict columns, 201 when a row was inserted and
// 200 when every row was updated, missing=default on upserts; PUT upserts one
// row by its primary key and refuses URLs and payloads that disagree. As the
// attacker: an upsert cannot reach a row the caller's RLS policies hide.
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminPool, anonClient } from '../helpers/stack.ts';
import { restFetch, tokenClient, uniqueName, userToken } from '../helpers/rest.ts';

const P = uniqueName('up');
const T = `${P}_things`;
const notes = `${P}_notes`;
let admin: pg.Pool;
const alice = '00000000-0000-4000-8000-0000000000a1';
const bob = '00000000-0000-4000-8000-0000000000b2';

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${T} (id int primary key, name text, qty int default 7, touched int not null default 0);
		create function public.${P}_touch() returns trigger language plpgsql as $$ begin new.touched := old.touched + 1; return new; end $$;
		create trigger ${P}_touch before update on public.${T} for each row execute function public.${P}_touch();
		grant all on public.${T} to anon;
		create table public.${notes} (id int primary key, owner uuid not null default auth.uid(), body text);
		alter table public.${notes} enable row level security;
		create policy ${P}_own on public.${notes} for all to authenticated using (owner = auth.uid()) with check (owner = auth.uid());
		grant all on public.${notes} to authenticated;
	`);
});

beforeEach(async () => {
	await admin.query(`truncate public.${T}; insert into public.${T} (id, name, qty) values (1, 'one', 1), (2, 'two', 2)`);
});

afterAll(async () => {
	await admin.query(`drop table if exists public.${T}, public.${notes}; drop function if exists public.${P}_touch`);
	await admin.end();
});

function put(path: string, body: unknown, prefer = 'return=representation'): Promise<Response> {
	return restFetch(path, { method: 'PUT', headers: { 'Content-Type': 'application/json', Prefer: prefer }, body: JSON.stringify(body) });
}

describe('merge-duplicates', () => {
	it('updates (and returns) a row when the payload holds only the conflict column', async () => {
		const { data, status, error } = await anonClient().from(T).upsert({ id: 1 }).select('id, name, touched');
		expect(error).toBeNull();
		expect(status).toBe(200);
		expect(data).toEqual([{ id: 1, name: 'one', touched: 1 }]);
	});

	it('answers 200 when every row was updated, 201 when any was inserted', async () => {
		const updated = await anonClient().from(T).upsert([{ id: 1, name: 'uno' }, { id: 2, name: 'dos' }]);
		expect(updated.status).toBe(200);
		const mixed = await anonClient().from(T).upsert([{ id: 2, name: 'deux' }, { id: 3, name: 'trois' }]).select('id, name');
		expect(mixed.status).toBe(201);
		expect(mixed.data).toEqual([
			{ id: 2, name: 'deux' },
			{ id: 3, name: 'trois' }
		]);
		const fresh = await anonClient().from(T).upsert({ id: 4, name: 'vier' });
		expect(fresh.status).toBe(201);
		// ignore-duplicates and plain inserts stay 201, as in PostgREST.
		const ignored = await anonClient().from(T).upsert({ id: 1, name: 'x' }, { ignoreDuplicates: true });
		expect(ignored.status).toBe(201);
		expect(ignored.error).toBeNull();
	});

	it('missing=default fills absent keys with the column default, on conflicting rows too (as PostgREST sets every column)', async () => {
		const res = await restFetch(`/${T}?columns=id,name,qty&select=id,name,qty`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Prefer: 'resolution=merge-duplicates,missing=default,return=representation' },
			body: JSON.stringify([{ id: 1, name: 'uno' }, { id: 5, name: 'fünf', qty: 5 }, { id: 6, name: 'sechs' }])
		});
		expect(res.status).toBe(201);
		expect(res.headers.get('preference-applied')).toContain('missing=default');
		const rows = (await res.json()) as Array<{ id: number; qty: number }>;
		expect(rows.sort((a, b) => a.id - b.id)).toEqual([
			{ id: 1, name: 'uno', qty: 7 },
			{ id: 5, name: 'fünf', qty: 5 },
			{ id: 6, name: 'sechs', qty: 7 }
		]);
	});

	it('answers Content-Range */n for inserts, as PostgREST', async () => {
		const { count, status } = await anonClient().from(T).insert([{ id: 8 }, { id: 9 }], { count: 'exact' });
		expect(status).toBe(201);
		expect(count).toBe(2);
		const raw = await restFetch(`/${T}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Prefer: 'count=exact' }, body: '{"id": 10}' });
		expect(raw.headers.get('content-range')).toBe('*/1');
	});
});

describe('PUT', () => {
	it('inserts (201) or replaces (200) the row the primary key filter names', async () => {
		const inserted = await put(`/${T}?id=eq.7`, { id: 7, name: 'seven', qty: 70 });
		expect(inserted.status).toBe(201);
		expect(await inserted.json()).toEqual([{ id: 7, name: 'seven', qty: 70, touched: 0 }]);
		const replaced = await put(`/${T}?id=eq.1`, { id: 1, name: 'ONE', qty: 11, touched: 0 });
		expect(replaced.status).toBe(200);
		expect(await replaced.json()).toEqual([{ id: 1, name: 'ONE', qty: 11, touched: 1 }]);
		const minimal = await put(`/${T}?id=eq.2`, { id: 2, name: 'TWO', qty: 22, touched: 0 }, 'return=minimal');
		expect(minimal.status).toBe(204);
		expect((await admin.query(`select name from public.${T} where id = 2`)).rows).toEqual([{ name: 'TWO' }]);
	});

	it('answers PGRST115 when the payload key differs from the URL, and changes nothing', async () => {
		const res = await put(`/${T}?id=eq.1`, { id: 2, name: 'hijack', qty: 0, touched: 0 });
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ code: 'PGRST115', message: 'Payload values do not match URL in primary key column(s)', details: null, hint: null });
		expect((await admin.query(`select id, name from public.${T} order by id`)).rows).toEqual([
			{ id: 1, name: 'one' },
			{ id: 2, name: 'two' }
		]);
	});

	it('answers PGRST105 unless the filters are exactly the primary key with eq, PGRST114 for limit', async () => {
		const expected = { code: 'PGRST105', message: "Filters must include all and only primary key columns with 'eq' operators", details: null, hint: null };
		for (const query of ['name=eq.one', 'id=gt.1', 'id=eq.1&name=eq.one', '', 'id=not.eq.1', 'or=(id.eq.1)']) {
			const res = await put(`/${T}?${query}`, { id: 1, name: 'x' });
			expect(res.status, query).toBe(405);
			expect(await res.json()).toEqual(expected);
		}
		const limited = await put(`/${T}?id=eq.1&limit=1`, { id: 1, name: 'x' });
		expect(limited.status).toBe(400);
		expect(await limited.json()).toMatchObject({ code: 'PGRST114', message: 'limit/offset querystring parameters are not allowed for PUT' });
	});
});

describe('upsert as the attacker', () => {
	it("another user cannot overwrite or take a row RLS hides from them, by POST upsert or PUT", async () => {
		const aliceClient = tokenClient(userToken(alice));
		expect((await aliceClient.from(notes).insert({ id: 1, body: 'mine' })).status).toBe(201);
		const bobClient = tokenClient(userToken(bob));
		const upsert = await bobClient.from(notes).upsert({ id: 1, owner: bob, body: 'stolen' });
		expect(upsert.error?.code).toBe('42501');
		const byPut = await restFetch(`/${notes}?id=eq.1`, {
			method: 'PUT',
			token: userToken(bob),
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ id: 1, owner: bob, body: 'stolen' })
		});
		expect(byPut.status).toBe(403);
		expect((await byPut.json()).code).toBe('42501');
		expect((await admin.query(`select owner, body from public.${notes}`)).rows).toEqual([{ owner: alice, body: 'mine' }]);
	});
});
