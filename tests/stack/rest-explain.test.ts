// EXPLAIN through `Accept: application/vnd.pgrst.plan[+json|+text]; for=...;
// options=analyze|verbose|settings|buffers|wal`, off unless the authenticator
// role carries pgrst.db_plan_enabled (PostgREST's db-plan-enabled): off, the
// plan media types are not producible (406 PGRST107). On, the plan runs as the
// caller's role in the caller's transaction, so grants still hold.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, stackInfo } from '../helpers/stack.ts';
import { restFetch, uniqueName } from '../helpers/rest.ts';
import { waitFor } from '../helpers/wait.ts';

const P = uniqueName('ex');
const T = `${P}_items`;
const hidden = `${P}_hidden`;
let admin: pg.Pool;

const PLAN_JSON = 'application/vnd.pgrst.plan+json';

async function setPlan(on: boolean): Promise<void> {
	await admin.query(on ? `alter role authenticator set pgrst.db_plan_enabled = 'true'` : `alter role authenticator reset pgrst.db_plan_enabled`);
	await admin.query(`notify pgrst, 'reload config'`);
	await waitFor(`plan ${on ? 'on' : 'off'}`, async () => {
		const res = await restFetch(`/${T}`, { headers: { Accept: PLAN_JSON } });
		return (res.status === 200) === on;
	});
}

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${T} (id int primary key, name text);
		insert into public.${T} values (1, 'one'), (2, 'two');
		create table public.${hidden} (id int primary key, secret text);
		insert into public.${hidden} values (1, 'top');
		grant select, insert on public.${T} to anon;
		revoke all on public.${hidden} from anon;
		create function public.${P}_names() returns setof public.${T} language sql stable as $$ select * from public.${T} $$;
		grant execute on function public.${P}_names() to anon;
	`);
});

afterAll(async () => {
	await setPlan(false);
	await admin.query(`drop function if exists public.${P}_names; drop table if exists public.${T}, public.${hidden}`);
	await admin.end();
});

describe('explain switched off (the default)', () => {
	it('answers 406 PGRST107 naming the plan media type', async () => {
		const res = await restFetch(`/${T}`, { headers: { Accept: `${PLAN_JSON}; options=analyze` } });
		expect(res.status).toBe(406);
		expect(await res.json()).toEqual({
			code: 'PGRST107',
			message: 'None of these media types are available: application/vnd.pgrst.plan+json; for="application/json"; options=analyze',
			details: null,
			hint: null
		});
	});
});

describe('explain switched on', () => {
	beforeAll(() => setPlan(true));

	it('gives the JSON plan of a read, with the plan media type as Content-Type', async () => {
		const res = await restFetch(`/${T}?select=id,name&id=eq.1`, { headers: { Accept: PLAN_JSON } });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/vnd.pgrst.plan+json; for="application/json"; charset=utf-8');
		const plan = (await res.json()) as Array<{ Plan: Record<string, unknown> }>;
		expect(plan).toHaveLength(1);
		expect(plan[0].Plan['Node Type']).toBe('Aggregate');
		expect(plan[0].Plan['Actual Rows']).toBeUndefined();
	});

	it('text format and options (analyze, verbose, settings, buffers, wal), for another media type', async () => {
		const res = await restFetch(`/${T}`, {
			headers: { Accept: 'application/vnd.pgrst.plan+text; for="text/csv"; options=analyze|verbose|settings|buffers|wal' }
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe(
			'application/vnd.pgrst.plan+text; for="text/csv"; options=analyze|verbose|settings|buffers|wal; charset=utf-8'
		);
		const text = await res.text();
		expect(text).toMatch(/actual time=/);
		expect(text).toMatch(/Output:/);
	});

	it('explains RPCs, and mutations (analyze runs them; tx=rollback undoes)', async () => {
		const rpc = await restFetch(`/rpc/${P}_names`, { method: 'POST', headers: { Accept: PLAN_JSON, 'Content-Type': 'application/json' }, body: '{}' });
		expect(rpc.status).toBe(200);
		expect(((await rpc.json()) as unknown[]).length).toBe(1);
		const insert = await restFetch(`/${T}`, {
			method: 'POST',
			headers: { Accept: `${PLAN_JSON}; options=analyze`, 'Content-Type': 'application/json', Prefer: 'tx=rollback' },
			body: '{"id": 3, "name": "three"}'
		});
		expect(insert.status).toBe(200);
		const plan = (await insert.json()) as Array<{ Plan: Record<string, unknown> }>;
		expect(plan[0].Plan['Actual Loops']).toBe(1);
		expect((await admin.query(`select count(*)::int as n from public.${T} where id = 3`)).rows[0].n).toBe(0);
	});

	it('as the attacker: the plan runs as the caller, so a table anon may not read stays refused', async () => {
		const anon = await restFetch(`/${hidden}`, { headers: { Accept: `${PLAN_JSON}; options=analyze` } });
		expect(anon.status).toBe(401);
		expect((await anon.json()).code).toBe('42501');
		const service = await restFetch(`/${hidden}`, { token: stackInfo().serviceRoleKey, headers: { Accept: PLAN_JSON } });
		expect(service.status).toBe(200);
	});
});
