// Aggregate functions in `select` (avg, count, max, min, sum) as PostgREST 12
// documents them: grouping by the other selected columns and embeds, casts of
// the column and of the result, aggregates inside embeds and hoisted out of
// to-one spreads. Off unless the authenticator role carries
// pgrst.db_aggregates_enabled (PostgREST's in-database configuration); when
// off they answer PGRST123. As the attacker: aggregates see only the rows
// and columns the caller may read.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient, stackInfo } from '../helpers/stack.ts';
import { restFetch, uniqueName } from '../helpers/rest.ts';
import { waitFor } from '../helpers/wait.ts';

const P = uniqueName('ag');
const customers = `${P}_customers`;
const orders = `${P}_orders`;
let admin: pg.Pool;

async function setAggregates(on: boolean): Promise<void> {
	await admin.query(on ? `alter role authenticator set pgrst.db_aggregates_enabled = 'true'` : `alter role authenticator reset pgrst.db_aggregates_enabled`);
	await admin.query(`notify pgrst, 'reload config'`);
	// The reload is asynchronous: wait until requests see the new setting.
	await waitFor(`aggregates ${on ? 'on' : 'off'}`, async () => {
		const res = await restFetch(`/${customers}?select=count()`);
		return (res.status === 200) === on;
	});
}

function asService(path: string): Promise<Response> {
	return restFetch(path, { token: stackInfo().serviceRoleKey });
}

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${customers} (id int primary key, name text, city text);
		create table public.${orders} (id int primary key, customer_id int references public.${customers}(id), amount numeric, order_date date, note text, public boolean, cost int);
		insert into public.${customers} values (1, 'Acme', 'Oslo'), (2, 'Bolt', 'Oslo'), (3, 'Cargo', 'Rome');
		insert into public.${orders} values
			(1, 1, 10.5, '2026-01-01', 'a', true, 1), (2, 1, 20, '2026-01-01', null, true, 2), (3, 1, 5, '2026-01-02', 'c', true, 3),
			(4, 2, 100, '2026-01-01', 'd', true, 4), (5, 2, 1000, '2026-01-02', 'e', false, 5), (6, 3, 1, '2026-01-03', 'f', true, 6);
		alter table public.${orders} enable row level security;
		create policy ${P}_public on public.${orders} for select to anon using (public);
		grant select on public.${customers} to anon;
		revoke all on public.${orders} from anon;
		grant select (id, customer_id, amount, order_date, note, public) on public.${orders} to anon;
	`);
});

afterAll(async () => {
	await setAggregates(false);
	await admin.query(`drop table if exists public.${orders}, public.${customers}`);
	await admin.end();
});

describe('aggregates switched off (the default)', () => {
	it('answer PGRST123, in embeds too', async () => {
		for (const select of ['amount.sum()', 'count()', `id,${orders}(amount.max())`]) {
			const table = select.startsWith('id,') ? customers : orders;
			const res = await asService(`/${table}?select=${select}`);
			expect(res.status, select).toBe(400);
			expect(await res.json()).toEqual({ code: 'PGRST123', message: 'Use of aggregate functions is not allowed', details: null, hint: null });
		}
	});
});

describe('aggregates switched on', () => {
	beforeAll(() => setAggregates(true));

	it('sum, avg, min, max and count over the whole table, with aliases and casts', async () => {
		const res = await asService(`/${orders}?select=amount.sum(),avg:amount.avg()::int,amount.min(),amount.max(),count(),notes:note.count(),top:cost::text.max()`);
		expect(res.status).toBe(200);
		// count() counts rows, note.count() the non-null notes; cost::text.max() compares text.
		expect(await res.json()).toEqual([{ sum: 1136.5, avg: 189, min: 1, max: 1000, count: 6, notes: 5, top: '6' }]);
	});

	it('group by the other selected columns (supabase-js)', async () => {
		const { data, error } = await anonClient().from(orders).select('order_date, amount.sum(), count()').order('order_date');
		expect(error).toBeNull();
		// anon sees the public orders only: order 5 (1000 on 2026-01-02) is not counted.
		expect(data).toEqual([
			{ order_date: '2026-01-01', sum: 130.5, count: 3 },
			{ order_date: '2026-01-02', sum: 5, count: 1 },
			{ order_date: '2026-01-03', sum: 1, count: 1 }
		]);
	});

	it('aggregate inside a to-many embed, per parent row', async () => {
		const { data, error } = await anonClient().from(customers).select(`name, ${orders}(amount.sum(), order_date)`).order('id').limit(2);
		expect(error).toBeNull();
		const rows = data as unknown as Array<{ name: string; [k: string]: unknown }>;
		const sorted = (v: unknown) => (v as Array<{ order_date: string }>).sort((a, b) => a.order_date.localeCompare(b.order_date));
		expect(rows.map((r) => ({ name: r.name, orders: sorted(r[orders]) }))).toEqual([
			{
				name: 'Acme',
				orders: [
					{ sum: 30.5, order_date: '2026-01-01' },
					{ sum: 5, order_date: '2026-01-02' }
				]
			},
			{ name: 'Bolt', orders: [{ sum: 100, order_date: '2026-01-01' }] }
		]);
	});

	it('group by a to-one embed, and by a to-one spread with hoisted aggregates', async () => {
		const embed = await asService(`/${orders}?select=amount.sum(),${customers}(city)`);
		expect(embed.status).toBe(200);
		const byCity = ((await embed.json()) as Array<{ sum: number; [k: string]: unknown }>).sort((a, b) => a.sum - b.sum);
		expect(byCity).toEqual([
			{ sum: 1, [customers]: { city: 'Rome' } },
			{ sum: 1135.5, [customers]: { city: 'Oslo' } }
		]);
		const spread = await asService(`/${orders}?select=amount.sum(),...${customers}(city)`);
		expect(spread.status).toBe(200);
		const spreadRows = ((await spread.json()) as Array<{ sum: number }>).sort((a, b) => a.sum - b.sum);
		expect(spreadRows).toEqual([
			{ sum: 1, city: 'Rome' },
			{ sum: 1135.5, city: 'Oslo' }
		]);
		// Aggregates inside a to-one spread group by the parent's columns.
		const hoisted = await asService(`/${orders}?select=order_date,...${customers}(id.max(),id.min())&order=order_date`);
		expect(await hoisted.json()).toEqual([
			{ order_date: '2026-01-01', max: 2, min: 1 },
			{ order_date: '2026-01-02', max: 2, min: 1 },
			{ order_date: '2026-01-03', max: 3, min: 3 }
		]);
	});

	it('refuses aggregates in a to-many spread with PGRST127', async () => {
		const res = await asService(`/${customers}?select=name,...${orders}(amount.sum())`);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			code: 'PGRST127',
			message: 'Feature not implemented',
			details: 'Aggregates are not implemented for one-to-many or many-to-many spreads.',
			hint: null
		});
	});

	it('as the attacker: RLS bounds what anon sums, column grants what it may aggregate', async () => {
		const anon = await restFetch(`/${orders}?select=amount.sum(),count()`);
		expect(await anon.json()).toEqual([{ sum: 136.5, count: 5 }]);
		const hidden = await restFetch(`/${orders}?select=cost.sum()`);
		expect(hidden.status).toBe(401);
		expect((await hidden.json()).code).toBe('42501');
		const service = await asService(`/${orders}?select=cost.sum()`);
		expect(await service.json()).toEqual([{ sum: 21 }]);
	});
});
