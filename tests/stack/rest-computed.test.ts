// Computed fields and computed relationships (PostgREST's "functions on a
// row type"): a function taking a table's row is a column you can select,
// filter and order by; one returning a table's rows embeds like a
// relationship; both apply to RPC results of that table's type. Written as
// the attacker too: neither lets anon see rows or columns it could not read.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient, stackInfo } from '../helpers/stack.ts';
import { restFetch, uniqueName, grantOwnFunctions } from '../helpers/rest.ts';

const P = uniqueName('cf');
const people = `${P}_people`;
const posts = `${P}_posts`;
const accounts = `${P}_accounts`;
const fn = (name: string) => `${P}_${name}`;
let admin: pg.Pool;

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${people} (id int primary key, first_name text, last_name text);
		create table public.${accounts} (id int primary key, owner text, secret text);
		insert into public.${accounts} values (1, 'Ada', 's1');
		create table public.${posts} (id int primary key, author_id int references public.${people}(id), title text, public boolean);
		insert into public.${people} values (1, 'Ada', 'Lovelace'), (2, 'Alan', 'Turing'), (3, 'Grace', 'Hopper');
		insert into public.${posts} values (1, 1, 'Notes', true), (2, 1, 'Draft', false), (3, 2, 'Machines', true), (4, 3, 'Compilers', true);
		alter table public.${posts} enable row level security;
		create policy ${P}_public on public.${posts} for select to anon using (public);
		create function public.${fn('full_name')}(public.${people}) returns text language sql stable as $$ select $1.first_name || ' ' || $1.last_name $$;
		create function public.${fn('all_posts')}(public.${people}) returns setof public.${posts} language sql stable as $$
			select * from public.${posts} where author_id = $1.id order by id $$;
		create function public.${fn('latest_post')}(public.${people}) returns public.${posts} language sql stable as $$
			select * from public.${posts} where author_id = $1.id order by id desc limit 1 $$;
		create function public.${fn('writer')}(public.${posts}) returns setof public.${people} rows 1 language sql stable as $$
			select * from public.${people} where id = $1.author_id $$;
		create function public.${fn('shout')}(public.${posts}) returns text language sql stable as $$ select upper($1.title) $$;
		create function public.${fn('reveal')}(public.${accounts}) returns text language sql stable as $$ select $1.secret $$;
		create function public.${fn('people_from')}(min_id int) returns setof public.${people} language sql stable as $$
			select * from public.${people} where id >= min_id order by id $$;
		grant select on public.${posts} to anon;
		grant select, insert, update, delete on public.${people} to anon;
		revoke all on public.${accounts} from anon;
		grant select (id, owner) on public.${accounts} to anon;
		${grantOwnFunctions(P, 'anon, authenticated')}
		create function public.${fn('staff_only')}(public.${people}) returns text language sql stable as $$ select 'internal' $$;
		revoke execute on function public.${fn('staff_only')}(public.${people}) from public, anon, authenticated;
	`);
});

afterAll(async () => {
	await admin.query(`
		drop function if exists public.${fn('full_name')}, public.${fn('all_posts')}, public.${fn('latest_post')}, public.${fn('writer')},
			public.${fn('shout')}, public.${fn('reveal')}, public.${fn('people_from')}, public.${fn('staff_only')};
		drop table if exists public.${posts}, public.${people}, public.${accounts};
	`);
	await admin.end();
});

/** service_role reads everything (no column grants in the way), as an app's server would. */
function asService(path: string): Promise<Response> {
	return restFetch(path, { token: stackInfo().serviceRoleKey });
}

describe('computed fields', () => {
	it('are selectable by name and alias, and not part of *', async () => {
		const res = await asService(`/${people}?select=id,${fn('full_name')},name:${fn('full_name')}&order=id`);
		expect(res.status).toBe(200);
		const rows = (await res.json()) as Array<Record<string, unknown>>;
		expect(rows[0]).toEqual({ id: 1, [fn('full_name')]: 'Ada Lovelace', name: 'Ada Lovelace' });
		const star = (await (await asService(`/${people}?select=*&id=eq.1`)).json()) as Array<Record<string, unknown>>;
		expect(Object.keys(star[0]).sort()).toEqual(['first_name', 'id', 'last_name']);
	});

	it('filter and order like columns (supabase-js)', async () => {
		const { data, error } = await anonClient()
			.from(people)
			.select(`id, ${fn('full_name')}`)
			.ilike(fn('full_name'), '*r*')
			.order(fn('full_name'), { ascending: false });
		expect(error).toBeNull();
		// "Grace Hopper" and "Alan Turing" hold an r; descending by full name puts Grace first.
		expect(data).toEqual([
			{ id: 3, [fn('full_name')]: 'Grace Hopper' },
			{ id: 2, [fn('full_name')]: 'Alan Turing' }
		]);
	});

	it('work inside an embed and on an RPC returning the table type', async () => {
		const embed = await anonClient().from(posts).select(`id, ${fn('shout')}, ${people}(${fn('full_name')})`).eq('id', 3);
		expect(embed.error).toBeNull();
		expect(embed.data).toEqual([{ id: 3, [fn('shout')]: 'MACHINES', [people]: { [fn('full_name')]: 'Alan Turing' } }]);
		const rpc = await anonClient().rpc(fn('people_from'), { min_id: 2 }).select(`id, ${fn('full_name')}`).like(fn('full_name'), 'G*');
		expect(rpc.error).toBeNull();
		expect(rpc.data).toEqual([{ id: 3, [fn('full_name')]: 'Grace Hopper' }]);
	});

	it('apply to the rows a mutation returns, and filter updates and deletes', async () => {
		const inserted = await anonClient()
			.from(people)
			.insert({ id: 9, first_name: 'Edsger', last_name: 'Dijkstra' })
			.select(`id, ${fn('full_name')}, ${fn('all_posts')}(id)`);
		expect(inserted.error).toBeNull();
		expect(inserted.data).toEqual([{ id: 9, [fn('full_name')]: 'Edsger Dijkstra', [fn('all_posts')]: [] }]);
		const updated = await anonClient()
			.from(people)
			.update({ first_name: 'E. W.' })
			.eq(fn('full_name'), 'Edsger Dijkstra')
			.select(fn('full_name'));
		expect(updated.error).toBeNull();
		expect(updated.data).toEqual([{ [fn('full_name')]: 'E. W. Dijkstra' }]);
		const deleted = await anonClient().from(people).delete().eq(fn('full_name'), 'E. W. Dijkstra').select('id');
		expect(deleted.data).toEqual([{ id: 9 }]);
	});

	it('an unknown name still answers 42703', async () => {
		const { error, status } = await anonClient().from(people).select(`id, ${fn('nope')}`);
		expect(status).toBe(400);
		expect(error?.code).toBe('42703');
		expect(error?.message).toBe(`column ${people}.${fn('nope')} does not exist`);
	});
});

describe('computed relationships', () => {
	it('a set-returning function embeds as to-many, a single-row one as to-one', async () => {
		const { data, error } = await anonClient()
			.from(people)
			.select(`id, ${fn('all_posts')}(id, title), ${fn('latest_post')}(title)`)
			.eq('id', 2);
		expect(error).toBeNull();
		expect(data).toEqual([{ id: 2, [fn('all_posts')]: [{ id: 3, title: 'Machines' }], [fn('latest_post')]: { title: 'Machines' } }]);
	});

	it('`rows 1` makes a set-returning function to-one; embeds take filters, order, !inner and spreads', async () => {
		const one = await anonClient().from(posts).select(`id, ${fn('writer')}(first_name)`).eq('id', 4);
		expect(one.data).toEqual([{ id: 4, [fn('writer')]: { first_name: 'Grace' } }]);
		const inner = await anonClient()
			.from(people)
			.select(`id, ${fn('all_posts')}!inner(title)`)
			.eq(`${fn('all_posts')}.title`, 'Compilers');
		expect(inner.error).toBeNull();
		expect(inner.data).toEqual([{ id: 3, [fn('all_posts')]: [{ title: 'Compilers' }] }]);
		const spread = await anonClient().from(posts).select(`id, ...${fn('writer')}(first_name)`).order('id').limit(1);
		expect(spread.data).toEqual([{ id: 1, first_name: 'Ada' }]);
		// Ordering the parent by a to-one computed embed's column (postgrest-js cannot spell it).
		const ordered = await restFetch(`/${posts}?select=id,${fn('writer')}(last_name)&order=${fn('writer')}(last_name).desc,id&limit=2`);
		expect(ordered.status).toBe(200);
		expect(await ordered.json()).toEqual([
			{ id: 3, [fn('writer')]: { last_name: 'Turing' } },
			{ id: 1, [fn('writer')]: { last_name: 'Lovelace' } }
		]);
	});

	it('embed on the rows of an RPC returning setof the table', async () => {
		const { data, error } = await anonClient().rpc(fn('people_from'), { min_id: 1 }).select(`id, ${fn('all_posts')}(id)`).lte('id', 2);
		expect(error).toBeNull();
		expect(data).toEqual([
			{ id: 1, [fn('all_posts')]: [{ id: 1 }] },
			{ id: 2, [fn('all_posts')]: [{ id: 3 }] }
		]);
	});
});

describe('computed fields and relationships as the attacker', () => {
	it('anon embedding a computed relationship sees only the rows RLS lets it see', async () => {
		const anon = await anonClient().from(people).select(`id, ${fn('all_posts')}(title)`).eq('id', 1);
		expect(anon.data).toEqual([{ id: 1, [fn('all_posts')]: [{ title: 'Notes' }] }]);
		const service = (await (await asService(`/${people}?select=id,${fn('all_posts')}(title)&id=eq.1`)).json()) as unknown;
		expect(service).toEqual([{ id: 1, [fn('all_posts')]: [{ title: 'Notes' }, { title: 'Draft' }] }]);
	});

	it('anon cannot read a column it has no grant on through a computed field', async () => {
		// PostgreSQL's rule, as under PostgREST: passing the whole row needs SELECT on every column.
		const granted = await anonClient().from(accounts).select('id, owner');
		expect(granted.data).toEqual([{ id: 1, owner: 'Ada' }]);
		const { data, error, status } = await anonClient().from(accounts).select(`id, ${fn('reveal')}`).eq('id', 1);
		expect(data).toBeNull();
		expect(status).toBe(401);
		expect(error?.code).toBe('42501');
		const filtered = await anonClient().from(accounts).select('id').eq(fn('reveal'), 's1');
		expect(filtered.error?.code).toBe('42501');
		expect(filtered.data).toBeNull();
		const service = await (await asService(`/${accounts}?select=${fn('reveal')}`)).json();
		expect(service).toEqual([{ [fn('reveal')]: 's1' }]);
	});

	it('anon cannot call a computed field whose function it may not execute', async () => {
		const { data, error } = await anonClient().from(people).select(`id, ${fn('staff_only')}`).eq('id', 1);
		expect(data).toBeNull();
		expect(error?.code).toBe('42501');
		const service = await (await asService(`/${people}?select=${fn('staff_only')}&id=eq.1`)).json();
		expect(service).toEqual([{ [fn('staff_only')]: 'internal' }]);
	});
});
