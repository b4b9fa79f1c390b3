// `npm run bench:bulk`: bulk actions on 10,000 selected jobs, one RPC each.
//
// Migrates a fresh database (bench-database.ts: a throwaway embedded
// Postgres, or the server BENCH_DATABASE_URL names), and gives one user two teams: 10,000 failed jobs in one, 10,000
// pending in the other (plus 100,000 finished jobs of other teams around
// them). Then each action runs on the 10,000 as that user, the way the REST
// service runs an RPC (a transaction with the role and the token's claims
// set, one call), rolled back after each run so every run starts alike:
//   retry by ids (10,000 new jobs, each charged, with the preview first),
//   retry by the list's filter (status failed: no ids sent), cancel (the
//   pending team), delete, set visibility, and the retry preview alone.
// Each run is one statement (the RPC): nothing per row crosses the wire. Its
// answer is checked (10,000 done), and its p50 printed against a goal of
// 10 s for a retry (10,000 jobs created and charged) and 2 s for the others.
// BENCH_RUNS (default 5) runs per action; BENCH_ONLY=retry,cancel picks
// actions by name; BENCH_SELECTED (default 10,000) sizes the selection, to
// see how the time grows with it.
import os from 'node:os';
import pg from 'pg';
import { openBenchDatabase } from './bench-database.ts';
import { type Figure, loadAverage, median, quantile, reportFigures } from './measure.ts';

const SELECTED = Number(process.env.BENCH_SELECTED ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());

interface Caller {
	userId: string;
	sessionId: string;
	failedTeam: string;
	pendingTeam: string;
}

async function load(db: pg.Client): Promise<Caller> {
	await db.query(
		`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
		 select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
		        'bench-' || g || '@example.test', '', now(), '{}', jsonb_build_object('display_name', 'Scientist ' || g), now(), now()
		 from generate_series(1, 12) g`
	);
	const { rows: teams } = await db.query<{ team_id: string; user_id: string }>(
		'select t.id as team_id, t.created_by as user_id from public.teams t where t.personal order by t.created_at, t.id'
	);
	const [first, second] = teams;
	const sessionId = (await db.query<{ id: string }>(`insert into auth.sessions (id, user_id, created_at, updated_at, aal) values (gen_random_uuid(), $1, now(), now(), 'aal1') returning id`, [first.user_id])).rows[0].id;
	await db.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'owner')`, [second.team_id, first.user_id]);
	// Enough credits and room under the team limits that nothing is refused for them: this measures the work.
	await db.query(`insert into public.credit_ledger (team_id, delta, reason, memo) select id, 1000000, 'adjustment', 'bench' from public.teams`);
	await db.query(`insert into private.team_quotas (team_id, max_waiting, input_bytes_per_day) select id, 1000000, 1099511627776 from public.teams`);
	// History written as an import would be, triggers off: the selections, and other teams' jobs around them.
	await db.query('begin');
	await db.query('set local session_replication_role = replica');
	const insert = `insert into public.jobs (team_id, tool_id, submitted_by, name, status, input, settings, credits_charged, created_at, finished_at)
		select $1, 'molecule-properties', $2, 'Job ' || g, $3::public.job_status, '{"molecules": [{"id": "m1", "smiles": "CCO"}]}', '{}', 1,
		  now() - g * interval '1 second', case when $3 <> 'pending' then now() end
		from generate_series(1, $4) g`;
	await db.query(insert, [first.team_id, first.user_id, 'failed', SELECTED]);
	await db.query(insert, [second.team_id, first.user_id, 'pending', SELECTED]);
	for (const other of teams.slice(2)) await db.query(insert, [other.team_id, other.user_id, 'failed', 10_000]);
	await db.query('commit');
	await db.query('vacuum analyze public.jobs');
	return { userId: first.user_id, sessionId, failedTeam: first.team_id, pendingTeam: second.team_id };
}

interface Action {
	name: string;
	goalMs: number;
	sql: string;
	params: (ids: { failed: string[]; pending: string[] }, caller: Caller) => unknown[];
	/** What the answer must say, so a run that did nothing is not timed as a fast one. */
	check: (answer: Record<string, unknown>) => boolean;
}

const done = (a: Record<string, unknown>) => a.done === SELECTED && a.refused === 0;
const actions: Action[] = [
	{
		name: 'retry preview (ids)',
		goalMs: 2000,
		sql: 'select public.bulk_retry_preview($1, $2) as a',
		params: (ids, c) => [c.failedTeam, ids.failed],
		check: (a) => a.jobs === SELECTED && a.credits === SELECTED
	},
	{
		name: 'retry (ids)',
		goalMs: 10_000,
		sql: 'select public.bulk_job_action($1, $2, $3, null, null, $4) as a',
		params: (ids, c) => [c.failedTeam, 'retry', ids.failed, SELECTED],
		check: done
	},
	{
		name: 'retry (filter: failed)',
		goalMs: 10_000,
		sql: 'select public.bulk_job_action($1, $2, null, $3) as a',
		params: (_, c) => [c.failedTeam, 'retry', { statuses: ['failed'] }],
		check: done
	},
	{ name: 'cancel (ids)', goalMs: 2000, sql: 'select public.bulk_job_action($1, $2, $3) as a', params: (ids, c) => [c.pendingTeam, 'cancel', ids.pending], check: done },
	{ name: 'delete (ids)', goalMs: 2000, sql: 'select public.bulk_job_action($1, $2, $3) as a', params: (ids, c) => [c.failedTeam, 'delete', ids.failed], check: done },
	{
		name: 'set visibility (ids)',
		goalMs: 2000,
		sql: 'select public.bulk_job_action($1, $2, $3, null, $4) as a',
		params: (ids, c) => [c.failedTeam, 'set_visibility', ids.failed, 'public'],
		check: done
	}
];

/** One action as the user, in a transaction rolled back afterwards: the milliseconds of the one RPC statement. */
async function timeOnce(client: pg.PoolClient, caller: Caller, action: Action, ids: { failed: string[]; pending: string[] }): Promise<number> {
	await client.query('begin');
	try {
		await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
			JSON.stringify({ sub: caller.userId, role: 'authenticated', aud: 'authenticated', session_id: caller.sessionId })
		]);
		const started = process.hrtime.bigint();
		const { rows } = await client.query(action.sql, action.params(ids, caller));
		const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
		if (!action.check(rows[0].a)) throw new Error(`${action.name} did not act on all ${SELECTED} jobs: ${JSON.stringify(rows[0].a).slice(0, 300)}`);
		return elapsed;
	} finally {
		await client.query('rollback');
	}
}

async function main(): Promise<void> {
	const loadBefore = loadAverage();
	const database = await openBenchDatabase('foldwork_bench_bulk');
	const url = database.url;
	const pool = new pg.Pool({ connectionString: url, max: 1 });
	try {
		console.log(`Foldwork bulk actions bench: ${SELECTED.toLocaleString('en')} selected jobs, ${RUNS} runs per action (${os.cpus().length} CPUs)`);
		const db = new pg.Client({ connectionString: url });
		await db.connect();
		let caller: Caller;
		try {
			caller = await load(db);
		} finally {
			await db.end();
		}
		const ids = {
			failed: (await pool.query<{ id: string }>('select id from public.jobs where team_id = $1', [caller.failedTeam])).rows.map((r) => r.id),
			pending: (await pool.query<{ id: string }>('select id from public.jobs where team_id = $1', [caller.pendingTeam])).rows.map((r) => r.id)
		};
		const client = await pool.connect();
		const figures: Figure[] = [];
		try {
			for (const action of actions.filter((a) => !ONLY || ONLY.some((o) => a.name.startsWith(o)))) {
				await timeOnce(client, caller, action, ids); // warm-up, untimed
				const samples: number[] = [];
				for (let i = 0; i < RUNS; i++) samples.push(await timeOnce(client, caller, action, ids));
				const p50 = median(samples);
				console.log(`${action.name}: p50 ${p50.toFixed(0)} ms (min ${Math.min(...samples).toFixed(0)}, max ${quantile(samples, 1).toFixed(0)}) over ${RUNS} runs`);
				figures.push({ figure: `${action.name}, ${SELECTED.toLocaleString('en')} jobs, one RPC`, value: `p50 ${p50.toFixed(0)} ms`, goal: `<= ${action.goalMs} ms at 10,000`, ok: SELECTED === 10_000 ? p50 <= action.goalMs : null });
			}
		} finally {
			client.release();
		}
		reportFigures(figures, loadBefore);
	} finally {
		await pool.end();
		await database.close();
	}
}

await main();
