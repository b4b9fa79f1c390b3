// House rules that hold for the whole schema, so a new table or function
// that forgets one fails here: RLS on every table, policies written the one
// way, no client writes except the few column grants, security-definer
// functions with an empty search_path, indexed foreign keys, realtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
	db = await openTestDatabase(1);
});
afterAll(async () => {
	await db?.close();
});

const schemas = ['public', 'private'];

describe('schema rules', () => {
	it('has row level security enabled on every table', async () => {
		const { rows } = await db.pool.query(
			`select n.nspname || '.' || c.relname as name, c.relrowsecurity as rls,
			   exists (select from (values ('anon'), ('authenticated')) r(rolname)
			           where has_table_privilege(r.rolname, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
			              or has_any_column_privilege(r.rolname, c.oid, 'SELECT, INSERT, UPDATE')) as reachable
			 from pg_class c join pg_namespace n on n.oid = c.relnamespace
			 where n.nspname = any ($1) and c.relkind in ('r', 'p') order by 1`,
			[schemas]
		);
		expect(rows.filter((r) => r.name.startsWith('public.')).length).toBeGreaterThanOrEqual(12);
		// Every table in public, and any table elsewhere that a client role can reach.
		const missing = rows.filter((r) => !r.rls && (r.name.startsWith('public.') || r.reachable)).map((r) => r.name);
		expect(missing).toEqual([]);
	});

	it('writes every policy the one way: scoped to a role, auth.uid() evaluated once, named as a sentence', async () => {
		const { rows } = await db.pool.query(
			`select tablename, policyname, roles::text[] as roles, coalesce(qual, '') || ' ' || coalesce(with_check, '') as expr
			 from pg_policies where schemaname = any ($1)`,
			[schemas]
		);
		expect(rows.length).toBeGreaterThan(0);
		for (const p of rows) {
			expect(p.roles, p.policyname).not.toContain('public');
			expect(p.policyname, p.tablename).toMatch(/^[A-Z][a-z'’-]+( [a-z0-9'’-]+)+$/i);
			expect(p.policyname.split(' ').length, p.policyname).toBeGreaterThanOrEqual(4);
			// Every call of auth.uid() sits in a scalar subquery (an initPlan, once per statement).
			const bare = p.expr.replaceAll(/SELECT auth\.uid\(\) AS uid/g, '').match(/auth\.uid\(\)/g);
			expect(bare, `${p.tablename}: ${p.policyname}`).toBeNull();
		}
		// Each table with RLS has a policy for reading it.
		const { rows: unread } = await db.pool.query(
			`select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
			 where n.nspname = 'public' and c.relkind = 'r'
			   and not exists (select from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname and p.cmd in ('SELECT', 'ALL'))`
		);
		expect(unread).toEqual([]);
	});

	it('gives clients no write on any table except the column grants they need', async () => {
		const { rows } = await db.pool.query(
			`select r.rolname as role, c.relname as table, priv
			 from pg_class c join pg_namespace n on n.oid = c.relnamespace
			 cross join (values ('anon'), ('authenticated')) r(rolname)
			 cross join unnest(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) priv
			 where n.nspname = 'public' and c.relkind in ('r', 'v', 'm')
			   and (has_table_privilege(r.rolname, c.oid, priv)
			        or (priv in ('INSERT', 'UPDATE') and has_any_column_privilege(r.rolname, c.oid, priv)))
			 order by 1, 2, 3`
		);
		expect(rows).toEqual([
			{ role: 'authenticated', table: 'profiles', priv: 'UPDATE' },
			{ role: 'authenticated', table: 'teams', priv: 'UPDATE' }
		]);
		const { rows: columns } = await db.pool.query(
			`select table_name, column_name from information_schema.column_privileges
			 where grantee = 'authenticated' and privilege_type = 'UPDATE' and table_schema = 'public' order by 1, 2`
		);
		expect(columns).toEqual([
			{ table_name: 'profiles', column_name: 'display_name' },
			{ table_name: 'teams', column_name: 'name' }
		]);
	});

	it('lets the API roles execute only the functions meant for them', async () => {
		const executable = async (role: string) =>
			(
				await db.pool.query(
					`select p.proname::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
					 where n.nspname = 'public' and has_function_privilege($1, p.oid, 'EXECUTE') order by 1`,
					[role]
				)
			).rows.map((r) => r.name);
		// Anonymous visitors open a public job (and its files) by its link.
		// And unsubscribe from notification emails by the token in an email's link.
		expect(await executable('anon')).toEqual(['get_job', 'job_file_locations', 'job_status_is_terminal', 'job_transition_allowed', 'unsubscribe_notifications']);
		const clientRpcs = ['accept_team_invite', 'create_team', 'invite_team_member', 'remove_team_member', 'revoke_team_invite', 'set_team_member_role', 'cancel_job', 'delete_job', 'duplicate_job', 'estimate_job_cost', 'get_job', 'job_file_locations', 'list_shared_jobs', 'list_team_jobs', 'rename_job', 'retry_job', 'set_job_visibility', 'share_job', 'submit_job', 'team_storage_use', 'unshare_job'];
		const authenticated = await executable('authenticated');
		expect(authenticated).toEqual(expect.arrayContaining(clientRpcs));
		// Trigger functions and internals are never callable by clients.
		const { rows } = await db.pool.query(
			`select n.nspname || '.' || p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 where n.nspname in ('public', 'private') and p.prorettype = 'trigger'::regtype
			   and (has_function_privilege('anon', p.oid, 'EXECUTE') or has_function_privilege('authenticated', p.oid, 'EXECUTE'))`
		);
		expect(rows).toEqual([]);
	});

	it('pins search_path to empty on every function (security definer ones above all)', async () => {
		const { rows } = await db.pool.query(
			`select n.nspname || '.' || p.proname as name, p.prosecdef as definer, p.proconfig
			 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 where n.nspname = any ($1) and p.prokind = 'f'`,
			[schemas]
		);
		expect(rows.filter((r) => r.definer).length).toBeGreaterThan(10);
		expect(rows.filter((r) => !(r.proconfig ?? []).includes('search_path=""')).map((r) => r.name)).toEqual([]);
	});

	it('indexes every foreign key (policies and cascades filter on them)', async () => {
		const { rows } = await db.pool.query(
			`select c.conrelid::regclass::text as table, a.attname as column
			 from pg_constraint c
			 join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
			 join pg_namespace n on n.oid = c.connamespace
			 where c.contype = 'f' and n.nspname = 'public'
			   and not exists (select from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1])
			 order by 1, 2`
		);
		// Tools are never deleted (the catalog only grows; tools are disabled instead).
		expect(rows).toEqual([{ table: 'jobs', column: 'tool_id' }]);
	});

	it('publishes jobs, their timeline, shares, team invites and members to realtime', async () => {
		const { rows } = await db.pool.query(`select tablename from pg_publication_tables where pubname = 'supabase_realtime' order by 1`);
		expect(rows.map((r) => r.tablename)).toEqual(['job_events', 'job_shares', 'jobs', 'team_invites', 'team_members']);
	});
});
