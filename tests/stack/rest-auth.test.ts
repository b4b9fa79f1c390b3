// Who the request runs as: RLS really applied per JWT (owner-only rows,
// public rows for anon), refused tokens, roles authenticator cannot take,
// privileges (401 for anon, 403 when signed in), per-role settings.
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signJwt } from '../../supabase/local/jwt.ts';
import { adminPool, anonClient, serviceClient, stackInfo } from '../helpers/stack.ts';
import { restFetch, tokenClient, uniqueName, userToken } from '../helpers/rest.ts';

const T = uniqueName('ra_notes');
const secretTable = uniqueName('ra_secret');
let admin: pg.Pool;
const alice = randomUUID();
const bob = randomUUID();

beforeAll(async () => {
	admin = adminPool();
	await admin.query(`
		create table public.${T} (
			id int generated always as identity primary key,
			owner_id uuid not null default auth.uid(),
			body text not null,
			is_public boolean not null default false
		);
		create index on public.${T} (owner_id);
		alter table public.${T} enable row level security;
		create policy "Owners can view their notes" on public.${T} for select to authenticated using (owner_id = (select auth.uid()));
		create policy "Anyone can view public notes" on public.${T} for select to anon, authenticated using (is_public);
		create policy "Owners can add notes" on public.${T} for insert to authenticated with check (owner_id = (select auth.uid()));
		create policy "Owners can change their notes" on public.${T} for update to authenticated using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
		create policy "Owners can delete their notes" on public.${T} for delete to authenticated using (owner_id = (select auth.uid()));
		create table public.${secretTable} (id int);
		revoke all on public.${secretTable} from anon, authenticated;
		create function public.${T}_whoami() returns json language sql stable as $$
			select json_build_object('role', current_user, 'sub', auth.uid(), 'claims', auth.jwt(), 'timeout', current_setting('statement_timeout'))
		$$;
		grant execute on function public.${T}_whoami() to anon, authenticated;
	`);
});

beforeEach(async () => {
	await admin.query(`
		truncate public.${T};
		insert into public.${T} (owner_id, body, is_public) values
			('${alice}', 'alice private', false), ('${alice}', 'alice public', true), ('${bob}', 'bob private', false);
	`);
});

afterAll(async () => {
	await admin.query(`drop table if exists public.${T}, public.${secretTable}; drop function if exists public.${T}_whoami()`);
	await admin.end();
});

const bodies = (rows: Array<{ body: string }> | null) => (rows ?? []).map((r) => r.body).sort();

describe('row level security', () => {
	it('shows a user their own rows and public rows, anon only public rows, service role all', async () => {
		expect(bodies((await tokenClient(userToken(alice)).from(T).select('body')).data)).toEqual(['alice private', 'alice public']);
		expect(bodies((await tokenClient(userToken(bob)).from(T).select('body')).data)).toEqual(['alice public', 'bob private']);
		expect(bodies((await anonClient().from(T).select('body')).data)).toEqual(['alice public']);
		expect(bodies((await serviceClient().from(T).select('body')).data)).toHaveLength(3);
	});

	it('does not let a user change or delete another user’s rows', async () => {
		const bobClient = tokenClient(userToken(bob));
		const upd = await bobClient.from(T).update({ body: 'hacked' }).eq('body', 'alice public').select();
		expect(upd.error).toBeNull();
		expect(upd.data).toEqual([]);
		const del = await bobClient.from(T).delete({ count: 'exact' }).neq('body', 'nothing');
		expect(del.count).toBe(1);
		const left = (await admin.query(`select body from public.${T} order by body`)).rows.map((r) => r.body);
		expect(left).toEqual(['alice private', 'alice public']);
	});

	it('refuses an insert for someone else with 403 and 42501', async () => {
		const res = await tokenClient(userToken(bob)).from(T).insert({ owner_id: alice, body: 'forged' });
		expect(res.status).toBe(403);
		expect(res.error).toMatchObject({ code: '42501', message: `new row violates row-level security policy for table "${T}"` });
		const ok = await tokenClient(userToken(bob)).from(T).insert({ body: 'mine' }).select('owner_id, body').single();
		expect(ok.data).toEqual({ owner_id: bob, body: 'mine' });
	});

	it('answers missing privileges with 401 for anon and 403 for a signed-in user', async () => {
		const anon = await anonClient().from(secretTable).select();
		expect(anon.status).toBe(401);
		expect(anon.error).toMatchObject({ code: '42501', message: `permission denied for table ${secretTable}` });
		const user = await tokenClient(userToken(alice)).from(secretTable).select();
		expect(user.status).toBe(403);
		const anonWrite = await anonClient().from(T).insert({ body: 'anon' });
		expect(anonWrite.status).toBe(401);
	});

	it('runs as the JWT’s role with its claims and the role’s own settings', async () => {
		const asUser = await tokenClient(userToken(alice, { email: 'a@example.test' })).rpc(`${T}_whoami`);
		expect(asUser.data).toMatchObject({ role: 'authenticated', sub: alice, timeout: '8s', claims: { email: 'a@example.test', role: 'authenticated' } });
		const asAnon = await anonClient().rpc(`${T}_whoami`);
		expect(asAnon.data).toMatchObject({ role: 'anon', sub: null, timeout: '3s' });
		const noToken = await fetch(`${stackInfo().apiUrl}/rest/v1/rpc/${T}_whoami`, { method: 'POST', headers: { apikey: stackInfo().publishableKey, 'Content-Type': 'application/json' }, body: '{}' });
		expect((await noToken.json()).role).toBe('anon');
	});
});

describe('tokens', () => {
	it('refuses an expired token with 401 PGRST303', async () => {
		const expired = userToken(alice, { exp: Math.floor(Date.now() / 1000) - 10 });
		const res = await tokenClient(expired).from(T).select();
		expect(res.status).toBe(401);
		expect(res.error).toMatchObject({ code: 'PGRST303', message: 'JWT expired' });
	});

	it('refuses a token signed with another secret, a forged one and a malformed one with 401 PGRST301', async () => {
		const wrong = userToken(alice, {}, 'another-secret-that-is-at-least-32-characters');
		const [header, , sig] = userToken(alice).split('.');
		const forgedPayload = Buffer.from(JSON.stringify({ sub: alice, role: 'service_role', exp: 9999999999 })).toString('base64url');
		for (const token of [wrong, `${header}.${forgedPayload}.${sig}`, 'not.a-jwt', 'abc']) {
			const res = await restFetch(`/${T}`, { token });
			expect(res.status).toBe(401);
			const body = await res.json();
			expect(body.code).toBe('PGRST301');
			expect(res.headers.get('www-authenticate')).toContain('invalid_token');
		}
	});

	it('refuses a role authenticator cannot switch to', async () => {
		const unknown = signJwt({ role: 'no_such_role', exp: Math.floor(Date.now() / 1000) + 60 }, stackInfo().jwtSecret);
		const res1 = await restFetch(`/${T}`, { token: unknown });
		expect(res1.status).toBe(401);
		expect(await res1.json()).toMatchObject({ code: '22023', message: 'role "no_such_role" does not exist' });
		const superuser = signJwt({ role: 'postgres', exp: Math.floor(Date.now() / 1000) + 60 }, stackInfo().jwtSecret);
		const res2 = await restFetch(`/${T}`, { token: superuser });
		expect(res2.status).toBe(403);
		expect((await res2.json()).code).toBe('42501');
	});
});
