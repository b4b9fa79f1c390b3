// supabase/seed.sql applies to a fresh migrated database and leaves a usable
// demo: a confirmed login with a working password, credits that match the
// ledger, and jobs in several states with their timelines.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../supabase/local/config.ts';
import { seed } from '../../supabase/local/migrate.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
	db = await openTestDatabase(1);
	const client = new pg.Client({ connectionString: db.url });
	await client.connect();
	try {
		expect(await seed(client, [path.join(projectRoot, 'supabase/seed.sql')], projectRoot)).toEqual(['supabase/seed.sql']);
	} finally {
		await client.end();
	}
});
afterAll(async () => {
	await db?.close();
});

describe('seed', () => {
	it('creates the confirmed demo login with its email identity', async () => {
		const { rows } = await db.pool.query(
			`select u.email_confirmed_at is not null as confirmed,
			        u.encrypted_password = extensions.crypt('foldwork-demo', u.encrypted_password) as password_ok,
			        i.provider, i.identity_data ->> 'email' as identity_email, p.display_name
			 from auth.users u join auth.identities i on i.user_id = u.id join public.profiles p on p.id = u.id
			 where u.email = 'demo@foldwork.dev'`
		);
		expect(rows).toEqual([{ confirmed: true, password_ok: true, provider: 'email', identity_email: 'demo@foldwork.dev', display_name: 'Demo Scientist' }]);
	});

	it('gives the demo team credits that match its ledger, and jobs in several states', async () => {
		const { rows } = await db.pool.query(
			`select a.balance, (select sum(delta)::int from public.credit_ledger l where l.team_id = t.id) as ledger,
			        (select array_agg(distinct j.status::text order by j.status::text) from public.jobs j where j.team_id = t.id) as statuses,
			        (select count(*)::int from public.job_events e join public.jobs j on j.id = e.job_id where j.team_id = t.id) as events
			 from public.teams t join public.credit_accounts a on a.team_id = t.id
			 where t.created_by = (select id from auth.users where email = 'demo@foldwork.dev')`
		);
		expect(rows).toHaveLength(1);
		expect(rows[0].balance).toBe(rows[0].ledger);
		expect(rows[0].balance).toBeGreaterThan(900);
		expect(rows[0].statuses).toEqual(['cancelled', 'completed', 'failed', 'pending', 'processing']);
		expect(rows[0].events).toBeGreaterThanOrEqual(15);
	});
});
