// supabase/seed.sql applies to a fresh migrated database and leaves a usable
// demo: a confirmed login with a working password, credits that match the
// ledger, jobs in several states with their timelines, and completed jobs
// whose results are what the tools compute for their inputs today.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../supabase/local/config.ts';
import { seed } from '../../supabase/local/migrate.ts';
import { COMPLETED_DEMO_JOBS, refreshedSeed, runForDemo } from '../../scripts/demo-results.ts';
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

	it('shows completed jobs with the results, files and timeline the tools give for their inputs', async () => {
		const { rows: jobs } = await db.pool.query(
			`select j.id, j.name, j.tool_id, j.input, j.settings, j.result,
			        (select e.message from public.job_events e where e.job_id = j.id and e.to_status = 'completed') as finished
			 from public.jobs j join public.teams t on t.id = j.team_id
			 where t.created_by = (select id from auth.users where email = 'demo@foldwork.dev') and j.status = 'completed'
			 order by j.created_at`
		);
		expect(jobs.map((j) => j.name)).toEqual(['Lysozyme and ubiquitin', 'Globin family against HBA']);
		expect(jobs).toHaveLength(COMPLETED_DEMO_JOBS.length);
		const behind = 'the demo results in supabase/seed.sql are behind the tools: run npm run seed:results';
		for (const job of jobs) {
			const expected = await runForDemo(job.tool_id, job.input, job.settings);
			expect(job.result, `${job.name}: ${behind}`).toEqual(expected.result);
			expect(job.finished, job.name).toBe(expected.message);
			const { rows: files } = await db.pool.query(
				`select name, media_type as "mediaType", convert_from(content, 'utf8') as text from public.job_files where job_id = $1 order by name`,
				[job.id]
			);
			expect(files, `${job.name}: ${behind}`).toEqual(expected.files);
		}
	});

	it('is what npm run seed:results writes', async () => {
		const seedSql = readFileSync(path.join(projectRoot, 'supabase/seed.sql'), 'utf8');
		expect(await refreshedSeed(seedSql), 'run npm run seed:results').toBe(seedSql);
	});
});
