// Embedded resources through foreign keys: to-one and to-many, many-to-many,
// !inner/!left, hints, spreads, filters/order/limit on embeds, views.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient } from '../helpers/stack.ts';
import { restFetch, uniqueName } from '../helpers/rest.ts';

const P = uniqueName('re');
const authors = `${P}_authors`;
const books = `${P}_books`;
const tags = `${P}_tags`;
const bookTags = `${P}_book_tags`;
const people = `${P}_people`;
const messages = `${P}_messages`;
const bookView = `${P}_book_view`;
let admin: pg.Pool;

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${authors} (id int primary key, name text not null, country text);
		create table public.${books} (id int primary key, title text not null, author_id int references public.${authors}(id), year int);
		create table public.${tags} (id int primary key, label text not null);
		create table public.${bookTags} (book_id int references public.${books}(id), tag_id int references public.${tags}(id), primary key (book_id, tag_id));
		create table public.${people} (id int primary key, name text);
		create table public.${messages} (
			id int primary key, body text,
			sender_id int constraint ${P}_sender_fk references public.${people}(id),
			receiver_id int constraint ${P}_receiver_fk references public.${people}(id)
		);
		create view public.${bookView} as select id as book_id, title as book_title, author_id as writer_id from public.${books};
		insert into public.${authors} values (1, 'Ann', 'NZ'), (2, 'Bob', 'IT'), (3, 'Cid', 'NZ');
		insert into public.${books} values (10, 'Alpha', 1, 2001), (11, 'Beta', 1, 2005), (12, 'Gamma', 2, 1999), (13, 'Delta', null, 2010);
		insert into public.${tags} values (1, 'classic'), (2, 'new');
		insert into public.${bookTags} values (10, 1), (11, 2), (12, 1), (12, 2);
		insert into public.${people} values (1, 'Pat'), (2, 'Sam');
		insert into public.${messages} values (1, 'hi', 1, 2), (2, 'yo', 2, 1);
	`);
});

afterAll(async () => {
	await admin.query(`drop view if exists public.${bookView}; drop table if exists public.${bookTags}, public.${tags}, public.${books}, public.${authors}, public.${messages}, public.${people}`);
	await admin.end();
});

describe('embedding', () => {
	it('embeds many-to-one as an object (null when absent) and one-to-many as an array', async () => {
		const { data, error } = await anonClient().from(books).select(`id, author:${authors}(name)`).order('id');
		expect(error).toBeNull();
		expect(data).toEqual([
			{ id: 10, author: { name: 'Ann' } },
			{ id: 11, author: { name: 'Ann' } },
			{ id: 12, author: { name: 'Bob' } },
			{ id: 13, author: null }
		]);
		const back = await anonClient().from(authors).select(`name, ${books}(title)`).order('id');
		expect(back.data).toEqual([
			{ name: 'Ann', [books]: [{ title: 'Alpha' }, { title: 'Beta' }] },
			{ name: 'Bob', [books]: [{ title: 'Gamma' }] },
			{ name: 'Cid', [books]: [] }
		]);
	});

	it('embeds many-to-many through a junction table', async () => {
		const { data, error } = await anonClient().from(books).select(`id, ${tags}(label)`).eq('id', 12);
		expect(error).toBeNull();
		expect(data?.[0]).toMatchObject({ id: 12 });
		expect((data![0] as unknown as Record<string, Array<{ label: string }>>)[tags].map((t) => t.label).sort()).toEqual(['classic', 'new']);
	});

	it('filters, orders and limits inside an embed', async () => {
		const { data } = await anonClient()
			.from(authors)
			.select(`name, ${books}(title, year)`)
			.eq('id', 1)
			.gt(`${books}.year`, 2000)
			.order('year', { referencedTable: books, ascending: false })
			.limit(1, { referencedTable: books });
		expect(data).toEqual([{ name: 'Ann', [books]: [{ title: 'Beta', year: 2005 }] }]);
		const orEmbed = await anonClient().from(authors).select(`name, ${books}(title)`).eq('id', 1).or('title.eq.Alpha,year.gt.2004', { referencedTable: books });
		expect((orEmbed.data![0] as unknown as Record<string, unknown>)[books]).toEqual([{ title: 'Alpha' }, { title: 'Beta' }]);
	});

	it('!inner drops parents without a matching embedded row; !left keeps them', async () => {
		const inner = await anonClient().from(books).select(`id, ${authors}!inner(name)`).eq(`${authors}.country`, 'NZ').order('id');
		expect((inner.data as unknown as Array<{ id: number }>).map((r) => r.id)).toEqual([10, 11]);
		const left = await anonClient().from(books).select(`id, ${authors}!left(name)`).eq(`${authors}.country`, 'NZ').order('id');
		expect(left.data).toEqual([
			{ id: 10, [authors]: { name: 'Ann' } },
			{ id: 11, [authors]: { name: 'Ann' } },
			{ id: 12, [authors]: null },
			{ id: 13, [authors]: null }
		]);
		const innerMany = await anonClient().from(authors).select(`name, ${books}!inner(title)`).eq(`${books}.year`, 1999);
		expect(innerMany.data).toEqual([{ name: 'Bob', [books]: [{ title: 'Gamma' }] }]);
		const { count } = await anonClient().from(books).select(`id, ${authors}!inner(name)`, { count: 'exact', head: true }).eq(`${authors}.country`, 'NZ');
		expect(count).toBe(2);
	});

	it('filters parents on whether an embed matched (embed=not.is.null)', async () => {
		const { data } = await anonClient().from(books).select(`id, ${authors}(name)`).eq(`${authors}.country`, 'IT').not(authors, 'is', null);
		expect((data as unknown as Array<{ id: number }>).map((r) => r.id)).toEqual([12]);
	});

	it('spreads a to-one embed into the parent', async () => {
		const { data, error } = await anonClient().from(books).select(`title, ...${authors}(author_name:name, country)`).eq('id', 12).single();
		expect(error).toBeNull();
		expect(data).toEqual({ title: 'Gamma', author_name: 'Bob', country: 'IT' });
	});

	it('orders by a column of a to-one embed', async () => {
		const res = await restFetch(`/${books}?select=id,${authors}(name)&order=${authors}(name).desc,id&author_id=not.is.null`);
		expect((await res.json()).map((r: { id: number }) => r.id)).toEqual([12, 10, 11]);
		const toMany = await restFetch(`/${authors}?select=id,${books}(title)&order=${books}(title)`);
		expect(toMany.status).toBe(400);
		expect((await toMany.json()).code).toBe('PGRST118');
	});

	it('needs a hint when two foreign keys lead to the same table (PGRST201), and takes one', async () => {
		const ambiguous = await anonClient().from(messages).select(`id, ${people}(name)`);
		expect(ambiguous.status).toBe(300);
		expect(ambiguous.error?.code).toBe('PGRST201');
		expect(ambiguous.error?.hint).toContain(`'${people}!${P}_sender_fk'`);
		expect(ambiguous.error?.details).toEqual(
			expect.arrayContaining([expect.objectContaining({ cardinality: 'many-to-one', relationship: `${P}_receiver_fk using ${messages}(receiver_id) and ${people}(id)` })])
		);
		const byConstraint = await anonClient().from(messages).select(`id, sender:${people}!${P}_sender_fk(name), receiver:${people}!receiver_id(name)`).order('id');
		expect(byConstraint.error).toBeNull();
		expect(byConstraint.data).toEqual([
			{ id: 1, sender: { name: 'Pat' }, receiver: { name: 'Sam' } },
			{ id: 2, sender: { name: 'Sam' }, receiver: { name: 'Pat' } }
		]);
		const byColumn = await anonClient().from(messages).select('id, sender_id(name)').eq('id', 1).single();
		expect(byColumn.data).toEqual({ id: 1, sender_id: { name: 'Pat' } });
	});

	it('answers an unrelated embed with PGRST200 and a hint', async () => {
		const { error, status } = await anonClient().from(books).select(`id, ${authors}x(name)`);
		expect(status).toBe(400);
		expect(error).toMatchObject({
			code: 'PGRST200',
			message: `Could not find a relationship between '${books}' and '${authors}x' in the schema cache`,
			hint: `Perhaps you meant '${authors}' instead of '${authors}x'.`
		});
	});

	it('answers a filter on an embed that is not selected with PGRST108', async () => {
		const res = await restFetch(`/${books}?select=id&${authors}.name=eq.Ann`);
		expect(res.status).toBe(400);
		expect((await res.json()).code).toBe('PGRST108');
	});

	it('embeds through views using the base tables’ foreign keys', async () => {
		const { data, error } = await anonClient().from(bookView).select(`book_title, ${authors}(name)`).eq('book_id', 12);
		expect(error).toBeNull();
		expect(data).toEqual([{ book_title: 'Gamma', [authors]: { name: 'Bob' } }]);
		const reverse = await anonClient().from(authors).select(`name, ${bookView}(book_title)`).eq('id', 2);
		expect(reverse.data).toEqual([{ name: 'Bob', [bookView]: [{ book_title: 'Gamma' }] }]);
	});

	it('sees a table and relationship created just before the request', async () => {
		const late = uniqueName('re_late');
		await admin.query(`create table public.${late} (id int primary key, author_id int references public.${authors}(id)); insert into public.${late} values (1, 3)`);
		try {
			const { data, error } = await anonClient().from(late).select(`id, ${authors}(name)`);
			expect(error).toBeNull();
			expect(data).toEqual([{ id: 1, [authors]: { name: 'Cid' } }]);
		} finally {
			await admin.query(`drop table public.${late}`);
		}
	});
});
