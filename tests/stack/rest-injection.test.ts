// SQL injection through every part of a REST request is refused or treated
// as data: afterwards the canary table still exists with its one row.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient } from '../helpers/stack.ts';
import { restFetch, uniqueName } from '../helpers/rest.ts';

const T = uniqueName('ri_items');
const canary = uniqueName('ri_canary');
const drop = `drop table public.${canary}`;
let admin: pg.Pool;

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${canary} (id int);
		insert into public.${canary} values (1);
		create table public.${T} (id int primary key, name text, data jsonb, doc text);
		insert into public.${T} values (1, 'one', '{"a":"x"}', 'hello world');
		create function public.${T}_add(a int, b int) returns int language sql immutable as $$ select a + b $$;
		create function public.${T}_echo(t text) returns text language sql immutable as $$ select t $$;
		grant execute on function public.${T}_add, public.${T}_echo to anon;
	`);
});

afterAll(async () => {
	await admin.query(`drop table if exists public.${T}, public.${canary}; drop function if exists public.${T}_add, public.${T}_echo`);
	await admin.end();
});

async function canaryAlive(): Promise<void> {
	const { rows } = await admin.query(`select count(*)::int as n from public.${canary}`);
	expect(rows[0].n).toBe(1);
	const items = await admin.query(`select count(*)::int as n from public.${T}`);
	expect(items.rows[0].n).toBe(1);
}

const attempts: Array<[string, string, RequestInit?]> = [
	['filter value', `/${T}?id=eq.1;${drop}`],
	['quoted filter value', `/${T}?name=eq.x' or '1'='1`],
	['in list', `/${T}?id=in.(1);${drop};--)`],
	['filter column', `/${T}?${encodeURIComponent(`id";${drop};--`)}=eq.1`],
	['json path key', `/${T}?${encodeURIComponent(`data->>a');${drop};--`)}=eq.x`],
	['like pattern', `/${T}?name=like.${encodeURIComponent(`%'; ${drop}; --`)}`],
	['fts config', `/${T}?doc=fts(english);${drop}.hello`],
	['or tree', `/${T}?or=(id.eq.1,id.eq.2);${drop}`],
	['select', `/${T}?select=id,${encodeURIComponent(`name);${drop};--`)}`],
	['select cast', `/${T}?select=id::text;${drop}`],
	['select alias', `/${T}?select=${encodeURIComponent(`"x\\"; ${drop}; --":id`)}`],
	['select embed', `/${T}?select=id,pg_sleep(id)`],
	['order', `/${T}?order=id;${drop}`],
	['order expression', `/${T}?order=${encodeURIComponent('(select 1)')}`],
	['limit', `/${T}?limit=1;${drop}`],
	['offset', `/${T}?offset=0);${drop}`],
	['accept-profile', `/${T}`, { headers: { 'Accept-Profile': `public; ${drop}` } }],
	['content-profile', `/${T}`, { method: 'POST', headers: { 'Content-Profile': `public"; ${drop}; --`, 'Content-Type': 'application/json' }, body: '{"id":2}' }],
	['prefer', `/${T}`, { headers: { Prefer: `count=exact; ${drop}` } }],
	['header GUC', `/${T}`, { headers: { 'X-Evil': `'); ${drop}; --` } }],
	['on_conflict', `/${T}?on_conflict=${encodeURIComponent(`id) do nothing; ${drop}; --`)}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Prefer: 'resolution=merge-duplicates' }, body: '{"id":1,"name":"one"}' }],
	['columns', `/${T}?columns=${encodeURIComponent(`id,"name); ${drop}; --"`)}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[{"id":3}]' }],
	['payload key', `/${T}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ [`id") values (9); ${drop}; --`]: 1 }) }],
	['payload value', `/${T}?id=eq.1`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: `x'; ${drop}; --` }) }],
	['rpc arg value', `/rpc/${T}_add`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ a: `1); ${drop}; --`, b: 1 }) }],
	['rpc arg name', `/rpc/${T}_add`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ [`a := 1); ${drop}; --`]: 1, b: 1 }) }],
	['rpc GET arg', `/rpc/${T}_echo?t=${encodeURIComponent(`'); ${drop}; --`)}`],
	['function name', `/rpc/${encodeURIComponent(`${T}_add(1,1); ${drop}; --`)}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }],
	['table name', `/${encodeURIComponent(`${T}; ${drop}; --`)}`]
];

describe('SQL injection', () => {
	for (const [name, path, init] of attempts) {
		it(`treats the ${name} as data or refuses it`, async () => {
			const res = await restFetch(path, init);
			expect(res.status).toBeLessThan(500);
			await res.text();
			await canaryAlive();
		});
	}

	it('keeps a value that looks like SQL as plain data', async () => {
		const evil = `x'); ${drop}; --`;
		const { data } = await anonClient().rpc(`${T}_echo`, { t: evil });
		expect(data).toBe(evil);
		const none = await anonClient().from(T).select('id').eq('name', `one' or '1'='1`);
		expect(none.data).toEqual([]);
		await canaryAlive();
	});

	it('refuses the unknown identifiers with the matching errors', async () => {
		expect((await restFetch(`/${T}?select=${encodeURIComponent(`name);${drop};--`)}`)).status).toBe(400);
		expect((await restFetch(`/${T}?order=id;${drop}`)).status).toBe(400);
		expect((await restFetch(`/${T}`, { headers: { 'Accept-Profile': `public; ${drop}` } })).status).toBe(406);
		expect((await restFetch(`/${encodeURIComponent(`${T}; ${drop}; --`)}`)).status).toBe(404);
	});
});
