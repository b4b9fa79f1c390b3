// `npm run bench:jobs`: the jobs list and submit_job at scale.
//
// Starts a throwaway embedded Postgres (or uses BENCH_DATABASE_URL, a
// superuser URL of a server it may create databases in; BENCH_KEEP=1 keeps
// the foldwork_bench database there afterwards), migrates a fresh
// database, loads 1,000,000 jobs across 1,000 teams with set-based SQL, then
// measures (medians):
//   1. the first page (50 rows + total count) of one team's jobs through
//      list_team_jobs as an authenticated member (RLS on; the token's
//      session_id checked against auth.sessions)            goal: p50 <= 10 ms
//   2. the same query as the superuser (RLS bypassed), and the ratio  goal: <= 1.5x
//   2b. what the session check costs: the same list through RLS with claims
//      that carry no session_id (the check skipped); 1, 2 and 2b take turns,
//      so a busy machine slows them alike
//   3. submit_job calls per second (a transaction each, as the REST service
//      runs them: set role + claims, call, commit)                    goal: >= 500/s
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { prepareDatabase, recreateDatabase } from '../supabase/local/migrate.ts';
import { openBenchServer } from './bench-database.ts';

const TEAMS = Number(process.env.BENCH_TEAMS ?? 1000);
const JOBS = Number(process.env.BENCH_JOBS ?? 1_000_000);
const LIST_SAMPLES = 300;
const SUBMIT_SECONDS = Number(process.env.BENCH_SUBMIT_SECONDS ?? 5);
// One connection per core saturates the machine; more only queue on the CPUs.
const SUBMIT_CONNECTIONS = Number(process.env.BENCH_SUBMIT_CONNECTIONS ?? Math.max(2, os.cpus().length));
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (ns: bigint) => Number(ns) / 1e6;
// As the REST service sets them for a signed-in user: the token's session_id names a live auth.sessions row,
// which the membership helpers check (tokens of ended sessions get nothing).
const claims = (who: { user_id: string; session_id: string }) =>
	JSON.stringify({ sub: who.user_id, role: 'authenticated', aud: 'authenticated', session_id: who.session_id });

async function load(db: pg.Client): Promise<void> {
	const started = Date.now();
	// Users sign up as the auth service does; the triggers make profiles, teams and credit accounts.
	await db.query(
		`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
		 select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
		        'bench-' || g || '@example.test', '', now(), '{}', jsonb_build_object('display_name', 'Scientist ' || g), now(), now()
		 from generate_series(1, $1) g`,
		[TEAMS]
	);
	await db.query(`create table bench_teams as
		select (row_number() over (order by t.created_at, t.id) - 1)::int as n, t.id as team_id, t.created_by as user_id
		from public.teams t where t.personal`);
	// One signed-in session per user, as the auth service keeps them.
	await db.query(`alter table bench_teams add column session_id uuid not null default gen_random_uuid()`);
	await db.query(`insert into auth.sessions (id, user_id, created_at, updated_at, aal)
		select session_id, user_id, now(), now(), 'aal1' from bench_teams`);
	// Everyone is also a member of the next team, so membership lists are not trivially one row.
	await db.query(`insert into public.team_members (team_id, user_id, role)
		select b.team_id, prev.user_id, 'member' from bench_teams b join bench_teams prev on prev.n = (b.n + $1 - 1) % $1`, [TEAMS]);
	console.log(`  ${TEAMS} users and teams in ${((Date.now() - started) / 1000).toFixed(1)} s`);

	const t0 = Date.now();
	// Bulk history: written as a migration-era import would be, with triggers off (the state
	// machine and timeline are for live changes; these rows are already finished history).
	await db.query('begin');
	await db.query('set local session_replication_role = replica');
	await db.query(
		`insert into public.jobs (id, team_id, tool_id, submitted_by, name, status, progress, input, settings, result,
		   error_message, credits_charged, visibility, attempt, created_at, queued_at, started_at, finished_at, updated_at)
		 select gen_random_uuid(), b.team_id, (array['protein-properties', 'sequence-tools', 'pairwise-alignment', 'molecule-properties'])[1 + g % 4],
		   b.user_id, 'Job ' || g, s.status, case when s.status = 'completed' then 100 else 0 end,
		   '{"molecules": [{"id": "m1", "smiles": "CCO"}]}', '{}',
		   case when s.status = 'completed' then '{"rows": [{"id": "m1"}]}'::jsonb end,
		   case when s.status = 'failed' then 'line 3: ''J'' is not an amino acid' end,
		   g % 4, case when g % 100 = 7 then 'authenticated' when g % 200 = 9 then 'public' else 'private' end::public.job_visibility,
		   1, c.at, c.at + interval '1 second', c.at + interval '2 seconds',
		   case when s.status in ('completed', 'failed', 'cancelled') then c.at + interval '40 seconds' end, c.at + interval '40 seconds'
		 from generate_series(0, $1 - 1) g
		 join bench_teams b on b.n = g % $2
		 cross join lateral (select timestamptz '2026-01-01' + g * interval '30 seconds' as at) c
		 cross join lateral (select (case when g % 20 = 0 then 'failed' when g % 50 = 1 then 'cancelled'
		                                 when g % 1000 = 2 then 'processing' when g % 1000 = 3 then 'pending'
		                                 else 'completed' end)::public.job_status as status) s`,
		[JOBS, TEAMS]
	);
	await db.query('commit');
	console.log(`  ${JOBS.toLocaleString('en')} jobs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	await db.query('vacuum analyze');
}

type Variant = 'rls' | 'plain' | 'rlsNoSession';

/**
 * Times the list query for many teams, rotating through RLS on (as the member,
 * with the token's session_id, so the session is checked), RLS off (as the
 * superuser), and RLS on without a session_id (the check skipped), so a busy
 * machine slows all three alike.
 */
async function listLatency(pool: pg.Pool, teams: { team_id: string; user_id: string; session_id: string }[]): Promise<Record<Variant, number[]>> {
	const client = await pool.connect();
	const times: Record<Variant, number[]> = { rls: [], plain: [], rlsNoSession: [] };
	const once = async (team: { team_id: string; user_id: string; session_id: string }, variant: Variant): Promise<number> => {
		await client.query('begin');
		if (variant !== 'plain') {
			const asMember = variant === 'rls' ? claims(team) : JSON.stringify({ sub: team.user_id, role: 'authenticated', aud: 'authenticated' });
			await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [asMember]);
		}
		const t = process.hrtime.bigint();
		const { rows } = await client.query('select * from public.list_team_jobs($1)', [team.team_id]);
		const elapsed = ms(process.hrtime.bigint() - t);
		await client.query('commit');
		if (rows.length !== 50 || Number(rows[0].total_count) !== JOBS / TEAMS) {
			throw new Error(`list returned ${rows.length} rows, total ${rows[0]?.total_count}; expected 50 and ${JOBS / TEAMS}`);
		}
		return elapsed;
	};
	const variants: Variant[] = ['rls', 'plain', 'rlsNoSession'];
	try {
		for (let i = 0; i < LIST_SAMPLES + 30; i++) {
			const team = teams[(i * 7919) % teams.length];
			for (let k = 0; k < variants.length; k++) {
				const variant = variants[(i + k) % variants.length];
				const elapsed = await once(team, variant);
				if (i >= 30) times[variant].push(elapsed);
			}
		}
	} finally {
		client.release();
	}
	return times;
}

async function submitRate(pool: pg.Pool, pick: () => { user_id: string; team_id: string; session_id: string }): Promise<{ perSecond: number; calls: number; failures: number }> {
	const input = { molecules: [{ id: 'a', smiles: 'CCO' }, { id: 'b', smiles: 'CCN' }] };
	const deadline = Date.now() + SUBMIT_SECONDS * 1000;
	let calls = 0;
	let failures = 0;
	const started = process.hrtime.bigint();
	await Promise.all(
		Array.from({ length: SUBMIT_CONNECTIONS }, async () => {
			const client = await pool.connect();
			try {
				while (Date.now() < deadline) {
					const who = pick();
					await client.query('begin');
					try {
						await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [claims(who)]);
						await client.query(`select id from public.submit_job('molecule-properties', 'bench', $1, '{}', $2)`, [input, who.team_id]);
						await client.query('commit');
						calls++;
					} catch (error) {
						await client.query('rollback');
						failures++;
						if (failures === 1) console.error(`  submit failed: ${(error as Error).message}`);
					}
				}
			} finally {
				client.release();
			}
		})
	);
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	return { perSecond: calls / seconds, calls, failures };
}

async function main(): Promise<void> {
	const server = await openBenchServer('foldwork_bench');
	const { adminUrl } = server;
	const url = new URL(server.url);
	const pool = new pg.Pool({ connectionString: url.toString(), max: SUBMIT_CONNECTIONS + 1 });
	try {
		console.log(`Foldwork jobs bench: ${JOBS.toLocaleString('en')} jobs across ${TEAMS} teams (${os.cpus().length} CPUs)`);
		await recreateDatabase(adminUrl, 'foldwork_bench');
		await prepareDatabase({ databaseUrl: url.toString(), authenticatorPassword: 'bench', migrationsDir: path.join(root, 'supabase/migrations'), root });
		const db = new pg.Client({ connectionString: url.toString() });
		await db.connect();
		try {
			await load(db);
		} finally {
			await db.end();
		}
		const { rows: teams } = await pool.query<{ team_id: string; user_id: string; session_id: string }>('select team_id, user_id, session_id from bench_teams order by n');

		const { rls: withRls, plain: withoutRls, rlsNoSession } = await listLatency(pool, teams);
		const p50Rls = median(withRls);
		const p50Plain = median(withoutRls);

		// Enough credits everywhere so that no call is refused for money.
		await pool.query(`insert into public.credit_ledger (team_id, delta, reason, memo) select team_id, 1000000, 'adjustment', 'bench' from bench_teams`);
		// Nor for the per-team limits (jobs waiting, input per day): this measures submit_job, and no worker drains the queue.
		await pool.query(`insert into private.team_quotas (team_id, max_waiting, input_bytes_per_day) select team_id, 100000000, 1099511627776 from bench_teams on conflict (team_id) do nothing`);
		let next = 0;
		const manyTeams = await submitRate(pool, () => teams[next++ % teams.length]);
		const oneTeam = await submitRate(pool, () => teams[0]);

		console.log('');
		console.log(`jobs list, first page (50 rows + total of ${JOBS / TEAMS}), as a member through RLS: p50 ${p50Rls.toFixed(2)} ms (p95 ${percentile(withRls, 95).toFixed(2)} ms)  goal <= 10 ms  ${p50Rls <= 10 ? 'ok' : 'MISSED'}`);
		console.log(`jobs list, same query without RLS (superuser):                   p50 ${p50Plain.toFixed(2)} ms (p95 ${percentile(withoutRls, 95).toFixed(2)} ms)`);
		console.log(`RLS over no RLS:                                                   ${(p50Rls / p50Plain).toFixed(2)}x  goal <= 1.5x  ${p50Rls / p50Plain <= 1.5 ? 'ok' : 'MISSED'}`);
		console.log(`jobs list through RLS with no session_id (session check skipped): p50 ${median(rlsNoSession).toFixed(2)} ms: the check costs ${(p50Rls - median(rlsNoSession)).toFixed(3)} ms`);
		console.log(`submit_job, ${SUBMIT_CONNECTIONS} connections, a different team each call:   ${manyTeams.perSecond.toFixed(0)} calls/s (${manyTeams.calls} calls, ${manyTeams.failures} failed)  goal >= 500/s  ${manyTeams.perSecond >= 500 ? 'ok' : 'MISSED'}`);
		console.log(`submit_job, ${SUBMIT_CONNECTIONS} connections, all into one team (serialised on its credit account): ${oneTeam.perSecond.toFixed(0)} calls/s (${oneTeam.calls} calls, ${oneTeam.failures} failed)`);
	} finally {
		await pool.end();
		await server.close();
	}
}

await main();
