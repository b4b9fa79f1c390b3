// PostgREST details apps notice: count=planned/estimated (estimated is exact
// up to max_rows, then the larger of the exact-so-far and the planner's
// estimate) with the Content-Range/206 that follow; embedding a
// self-referencing table (its name gives the children, the foreign-key
// column the parent) and views that add no false candidates; unknown columns
// answering PGRST204 (payloads, columns=) or 42703 (select, filters, order).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient } from '../helpers/stack.ts';
import { restFetch, uniqueName } from '../helpers/rest.ts';

const P = uniqueName('fd');
const small = `${P}_small`;
const big = `${P}_big`;
const tree = `${P}_tree`;
const users = `${P}_users`;
const usersView = `${P}_users_view`;
const messages = `${P}_messages`;
let admin: pg.Pool;
/** The stack's [api] max_rows (supabase/config.toml). */
const MAX_ROWS = 1000;

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${small} (id int primary key);
		insert into public.${small} select generate_series(1, 10);
		create table public.${big} (id int primary key);
		insert into public.${big} select generate_series(1, 1500);
		analyze public.${big};
		create table public.${tree} (id int primary key, name text, parent_id int references public.${tree}(id));
		insert into public.${tree} values (1, 'root', null), (2, 'a', 1), (3, 'b', 1), (4, 'a1', 2);
		create table public.${users} (username text primary key, full_name text);
		create view public.${usersView} as select username, full_name from public.${users};
		create table public.${messages} (id int primary key, username text references public.${users}(username), body text);
		insert into public.${users} values ('ada', 'Ada Lovelace');
		insert into public.${messages} values (1, 'ada', 'hi');
		grant select on public.${small}, public.${big}, public.${tree}, public.${users}, public.${usersView}, public.${messages} to anon;
		grant insert, update on public.${small} to anon;
	`);
});

afterAll(async () => {
	await admin.query(`drop view if exists public.${usersView}; drop table if exists public.${messages}, public.${users}, public.${tree}, public.${big}, public.${small}`);
	await admin.end();
});

describe('counts', () => {
	it('count=estimated is exact under max_rows even when the planner guesses otherwise', async () => {
		// A never-analyzed table: the planner's row estimate is not 10.
		const planned = await restFetch(`/${small}?limit=3`, { headers: { Prefer: 'count=planned' } });
		const plannedTotal = Number((planned.headers.get('content-range') ?? '').split('/')[1]);
		expect(plannedTotal).not.toBe(10);
		const { count, status } = await anonClient().from(small).select('*', { count: 'estimated' }).limit(3);
		expect(count).toBe(10);
		expect(status).toBe(206);
	});

	it('past max_rows, count=estimated gives the larger of the capped count and the plan', async () => {
		const res = await restFetch(`/${big}?limit=25`, { headers: { Prefer: 'count=estimated' } });
		expect(res.status).toBe(206);
		// Analyzed: the plan says 1500, more than the max_rows + 1 rows counted.
		expect(res.headers.get('content-range')).toBe('0-24/1500');
		const exact = await restFetch(`/${big}?limit=25&offset=${MAX_ROWS}`, { headers: { Prefer: 'count=exact' } });
		expect(exact.headers.get('content-range')).toBe(`${MAX_ROWS}-${MAX_ROWS + 24}/1500`);
	});

	it('206 only for a partial page; 416 past the end; */0 for none', async () => {
		const whole = await restFetch(`/${small}`, { headers: { Prefer: 'count=exact' } });
		expect(whole.status).toBe(200);
		expect(whole.headers.get('content-range')).toBe('0-9/10');
		const past = await restFetch(`/${small}?offset=11`, { headers: { Prefer: 'count=exact' } });
		expect(past.status).toBe(416);
		expect(past.headers.get('content-range')).toBe('*/10');
		const none = await restFetch(`/${small}?id=gt.100`, { headers: { Prefer: 'count=exact' } });
		expect(none.status).toBe(200);
		expect(none.headers.get('content-range')).toBe('*/0');
		// Without a count the total is "*" and the status 200 even for a page.
		const page = await restFetch(`/${small}?limit=2`);
		expect(page.status).toBe(200);
		expect(page.headers.get('content-range')).toBe('0-1/*');
	});
});

describe('embedding disambiguation', () => {
	it("a self-referencing table's name embeds the children, its column the parent", async () => {
		const { data, error } = await anonClient().from(tree).select(`name, children:${tree}(name), parent_id(name)`).eq('id', 2);
		expect(error).toBeNull();
		expect(data).toEqual([{ name: 'a', children: [{ name: 'a1' }], parent_id: { name: 'root' } }]);
		const hinted = await anonClient().from(tree).select(`name, kids:${tree}!parent_id(name)`).eq('id', 1);
		expect(hinted.error).toBeNull();
		expect((hinted.data as unknown as Array<{ kids: Array<{ name: string }> }>)[0].kids.map((k) => k.name).sort()).toEqual(['a', 'b']);
	});

	it('a view over the referenced table adds no candidate for column or constraint targets', async () => {
		const { data, error } = await anonClient().from(messages).select('body, username(full_name)');
		expect(error).toBeNull();
		expect(data).toEqual([{ body: 'hi', username: { full_name: 'Ada Lovelace' } }]);
		// The view is still embeddable by its own name.
		const byView = await anonClient().from(messages).select(`body, ${usersView}(full_name)`);
		expect(byView.error).toBeNull();
		expect(byView.data).toEqual([{ body: 'hi', [usersView]: { full_name: 'Ada Lovelace' } }]);
	});
});

describe('unknown columns', () => {
	it('42703 in select, filters, order and embedded filters', async () => {
		for (const query of ['select=nope', 'nope=eq.1', 'order=nope', `select=id,${tree}(id)&${tree}.nope=eq.1`]) {
			const table = query.includes(tree) ? tree : small;
			const res = await restFetch(`/${table}?${query}`);
			expect(res.status, query).toBe(400);
			const body = (await res.json()) as { code: string; message: string };
			expect(body.code, query).toBe('42703');
			expect(body.message, query).toBe(`column ${table}.nope does not exist`);
		}
	});

	it('PGRST204 in insert and update payloads and in columns=', async () => {
		const message = `Could not find the 'nope' column of '${small}' in the schema cache`;
		const insert = await anonClient().from(small).insert({ id: 50, nope: 1 });
		expect(insert.error).toMatchObject({ code: 'PGRST204', message });
		const update = await anonClient().from(small).update({ nope: 1 }).eq('id', 1);
		expect(update.error).toMatchObject({ code: 'PGRST204', message });
		const columns = await restFetch(`/${small}?columns=id,nope`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[{"id": 51}]' });
		expect(columns.status).toBe(400);
		expect(await columns.json()).toMatchObject({ code: 'PGRST204', message });
	});
});
