// `npm run bench:fairness`: fair share between teams on a real fleet (its
// own embedded Postgres in a temporary folder, real worker processes, jobs
// submitted as each team's user through submit_job), each figure printed
// with its goal:
//   1. team A submits 1,000 jobs, then team B submits 1: B's wait (ms, and
//      in jobs started after B's submit and before B) against 2 slot
//      turnovers (2 x the fleet's slots started; in ms, twice the time a
//      turnover of all slots took just before, from A's start times).
//   2. 10 teams flood (each submits its whole backlog, one team after the
//      other, while no worker runs), then a worker drains: each team's share
//      of the first half of the started jobs against equal (within 10 %).
// Runs: BENCH_RUNS (default 3) of each; medians reported.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../supabase/local/config.ts';
import { prepareDatabase } from '../supabase/local/migrate.ts';
import { startEmbeddedPostgres } from '../supabase/local/postgres.ts';
import { freePort } from '../supabase/local/ports.ts';
import { createUser, prepareWorkerDatabase, root, startWorkerProcess, stopStorageGateways, type TestUser, type WorkerProcess } from '../tests/helpers/worker-fleet.ts';
import { waitFor } from '../tests/helpers/wait.ts';
import { loadAverage, median, reportFigures, type Figure } from './measure.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const SLOTS = 4;
const JOB_MS = 20;
const FLOOD = 1_000;
const TEAMS = 10;
const PER_TEAM = 100;

const dir = mkdtempSync('/tmp/foldwork-bench-fairness-');
chmodSync(dir, 0o755);
const cluster = await startEmbeddedPostgres({
	dataDir: path.join(dir, 'postgres'),
	port: await freePort(),
	host: '127.0.0.1',
	settings: { fsync: 'off', full_page_writes: 'off' }
});
const workers = new Set<WorkerProcess>();
const pools = new Set<pg.Pool>();
let databases = 0;

async function newDatabase(): Promise<{ url: string; pool: pg.Pool }> {
	const name = `bench_fairness_${databases++}`;
	const admin = new pg.Client({ connectionString: cluster.url });
	await admin.connect();
	await admin.query(`create database ${name}`);
	await admin.end();
	const url = cluster.url.replace(/\/postgres$/, `/${name}`);
	await prepareDatabase({ databaseUrl: url, authenticatorPassword: loadConfig().authenticatorPassword, migrationsDir: path.join(root, 'supabase/migrations'), root });
	const pool = new pg.Pool({ connectionString: url, max: 8 });
	pool.on('error', () => {});
	pools.add(pool);
	await prepareWorkerDatabase(pool, { staleAfterSeconds: 15 });
	// The shipped defaults for weights and running limits (prepareWorkerDatabase lifts them for the fleet benches); only the waiting limit is raised, for the 1,000-job flood.
	await pool.query('update private.quota_defaults set running_cpu = 8, running_gpu = 2, max_waiting = 5000');
	return { url, pool };
}

async function startWorker(url: string): Promise<WorkerProcess> {
	const worker = await startWorkerProcess(url, { concurrency: SLOTS, env: { FOLDWORK_CLAIM_POLL_MS: '1000' } });
	workers.add(worker);
	void worker.exited.then(() => workers.delete(worker));
	return worker;
}

/** Submits `count` jobs as the user, one statement each, on one connection signed in as them (as an API client would). */
async function submitMany(url: string, user: TestUser, count: number): Promise<string[]> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: user.id, role: 'authenticated' })]);
		await client.query('set role authenticated');
		const ids: string[] = [];
		for (let i = 0; i < count; i++) {
			const { rows } = await client.query('select id from public.submit_job($1, $2, $3)', ['test-sleep', `job ${i}`, { steps: [{ ms: JOB_MS }] }]);
			ids.push(rows[0].id);
		}
		return ids;
	} finally {
		await client.end();
	}
}

interface LateTeam {
	waitMs: number;
	/** How long one turnover of all slots took just before B's submit (from the start times of A's last 100 jobs then). */
	turnoverMs: number;
	startedBetween: number;
	startedBefore: number;
}

async function lateTeam(): Promise<LateTeam> {
	const { url, pool } = await newDatabase();
	const a = await createUser(pool, 10 * FLOOD);
	const b = await createUser(pool);
	const worker = await startWorker(url);
	await submitMany(url, a, FLOOD);
	const [jobB] = await submitMany(url, b, 1);
	const started = await waitFor('B to start', async () => {
		const { rows } = await pool.query('select created_at, started_at from public.jobs where id = $1 and started_at is not null', [jobB]);
		return rows[0];
	}, 60_000);
	const { rows } = await pool.query(
		`select count(*) filter (where started_at > $1 and started_at < $2)::int as between,
		   count(*) filter (where started_at < $2)::int as before
		 from public.jobs where id <> $3 and started_at is not null`,
		[started.created_at, started.started_at, jobB]
	);
	const { rows: pace } = await pool.query(
		`select extract(epoch from max(started_at) - min(started_at)) * 1000 as span_ms, count(*)::int as n from (
		   select started_at from public.jobs where started_at < $1 order by started_at desc limit 100
		 ) s`,
		[started.created_at]
	);
	await pool.query(`update public.jobs set status = 'cancelled' where status in ('pending', 'queued')`);
	await worker.stop();
	return {
		waitMs: started.started_at.getTime() - started.created_at.getTime(),
		turnoverMs: (Number(pace[0].span_ms) / Math.max(1, pace[0].n - 1)) * SLOTS,
		startedBetween: rows[0].between,
		startedBefore: rows[0].before
	};
}

/** Largest deviation, in %, of a team's share of the first half of the started jobs from an equal share. */
async function floodShares(): Promise<number> {
	const { url, pool } = await newDatabase();
	const teams = await Promise.all(Array.from({ length: TEAMS }, () => createUser(pool, 10 * PER_TEAM)));
	for (const team of teams) await submitMany(url, team, PER_TEAM);
	const counted = (TEAMS * PER_TEAM) / 2;
	const worker = await startWorker(url);
	await waitFor('half the jobs to start', async () => {
		const { rows } = await pool.query('select count(*)::int as n from public.jobs where started_at is not null');
		return rows[0].n >= counted;
	}, 120_000);
	const { rows } = await pool.query(
		`select team_id, count(*)::int as n from (
		   select team_id from public.jobs where started_at is not null order by started_at, id limit $1
		 ) s group by team_id`,
		[counted]
	);
	await pool.query(`update public.jobs set status = 'cancelled' where status in ('pending', 'queued')`);
	await worker.stop();
	const equal = counted / TEAMS;
	const shares = teams.map((t) => rows.find((r) => r.team_id === t.teamId)?.n ?? 0);
	console.log(`      started per team (first ${counted}): ${shares.join(', ')}`);
	return Math.max(...shares.map((n) => (Math.abs(n - equal) / equal) * 100));
}

const loadBefore = loadAverage();
try {
	console.log(`Fairness bench: ${SLOTS} slots, ${JOB_MS} ms jobs, ${runs} run(s) of each`);
	const late: LateTeam[] = [];
	for (let i = 0; i < runs; i++) {
		late.push(await lateTeam());
		console.log(`      run ${i + 1}: B waited ${late.at(-1)!.waitMs} ms (a slot turnover took ${late.at(-1)!.turnoverMs.toFixed(0)} ms then); ${late.at(-1)!.startedBetween} job(s) started after B's submit and before B (${late.at(-1)!.startedBefore} in all)`);
	}
	const deviations: number[] = [];
	for (let i = 0; i < runs; i++) deviations.push(await floodShares());
	const waitMs = median(late.map((l) => l.waitMs));
	const turnoverMs = median(late.map((l) => l.turnoverMs));
	const between = median(late.map((l) => l.startedBetween));
	const before = median(late.map((l) => l.startedBefore));
	const deviation = median(deviations);
	// Two slot turnovers: every slot frees twice, i.e. 2 x SLOTS jobs start; in time, twice what a turnover took on this
	// (shared, loaded) machine just before B's submit, measured from A's start times.
	const figures: Figure[] = [
		{ figure: `A floods ${FLOOD}, then B submits 1: jobs started after B's submit, before B (median)`, value: String(between), goal: `<= ${2 * SLOTS} (2 slot turnovers of ${SLOTS} slots)`, ok: between <= 2 * SLOTS },
		{ figure: 'B: jobs started before it in all (median)', value: String(before), goal: 'reported', ok: null },
		{ figure: "B's wait, submit -> started (median)", value: `${waitMs.toFixed(0)} ms`, goal: `<= ${(2 * turnoverMs).toFixed(0)} ms (2 slot turnovers of ${turnoverMs.toFixed(0)} ms, measured)`, ok: waitMs <= 2 * turnoverMs },
		{ figure: `${TEAMS} teams flood: largest deviation of a team's share from equal (median)`, value: `${deviation.toFixed(1)} %`, goal: '<= 10 %', ok: deviation <= 10 }
	];
	reportFigures(figures, loadBefore);
} finally {
	await Promise.all([...workers].map((w) => w.kill()));
	await stopStorageGateways();
	for (const pool of pools) await pool.end().catch(() => {});
	await cluster.stop();
	rmSync(dir, { recursive: true, force: true });
}
