// `npm run bench:worker`: the worker fleet's figures on this machine, each
// printed with its goal. Runs its own embedded Postgres (temporary folder)
// and real worker processes with trivial fixture jobs:
//   1. submit -> processing pickup latency (p50, p99), one job at a time
//   2. sustained throughput submit -> completed with 2 worker processes
//   3. dead-worker job recovery with the production fleet policy (15 s stale)
//   4. soak: 1,000 jobs with 20 random SIGKILLs and a PostgreSQL restart
//      half-way through: lost, charged twice, stuck
//   5. isolation (tools in executors): after
//      cancelling a CPU-bound tool that ignores its signal, how soon the
//      worker's process tree is idle again and a fresh executor is ready;
//      pickup latency while 2 such tools run; a tool allocating without
//      bound stopped at the memory limit
// Parts 1-4 run tools as a worker does by default (isolated in executor
// processes); FOLDWORK_ISOLATE_TOOLS=0 runs them in the worker's own process
// instead, for comparison (run both, alternating: load on the machine varies).
// The throughput part prints the CPU the workers, their executors and
// PostgreSQL used per job, which load on a shared machine disturbs less than
// jobs/s, and PostgreSQL's split between the workers' connections and the
// submitting clients'.
// Options: BENCH_QUICK=1 runs smaller counts; BENCH_SUBMIT_BATCH (10) sets the
// jobs per submitting statement in the throughput part; BENCH_PG_PROFILE=1
// prints, after the throughput part, the statements PostgreSQL spent the most
// time in (pg_stat_statements, nested ones included: trigger and function
// bodies), which is where that figure is decided: PostgreSQL takes 150-190 %
// of the machine's 2 cores during it, the workers and executors 20-40 %.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { startOwnCluster } from '../tests/helpers/own-postgres.ts';
import {
	cancelJob,
	createUser,
	getJob,
	prepareWorkerDatabase,
	startWorkerProcess,
	stopStorageGateways,
	submitJob,
	type TestUser,
	type WorkerProcess
} from '../tests/helpers/worker-fleet.ts';
import { waitFor } from '../tests/helpers/wait.ts';

const quick = process.env.BENCH_QUICK === '1';
const counts = {
	latencyJobs: quick ? 100 : 300,
	throughputJobs: quick ? 2_000 : 5_000,
	soakJobs: 1_000,
	soakKills: 20,
	/** Jobs per submitting statement in the throughput part (BENCH_SUBMIT_BATCH; 1: one job per round trip). */
	submitBatch: Number(process.env.BENCH_SUBMIT_BATCH ?? 10)
};

function percentile(sorted: number[], p: number): number {
	if (!sorted.length) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function figure(name: string, value: string, ok: boolean, goal: string): void {
	console.log(`${ok ? 'PASS' : 'MISS'}  ${name.padEnd(46)} ${value.padStart(14)}   (goal ${goal})`);
}


// Its own cluster: the soak restarts it (same data folder and port) under load.
const profilePostgres = process.env.BENCH_PG_PROFILE === '1';
/** How often the bench looks whether a run is over (the run's time comes from the database: secondsToLastFinish). */
const WATCH_MS = 250;
const cluster = await startOwnCluster(
	'foldwork-bench-worker',
	profilePostgres ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : {}
);
const workers = new Set<WorkerProcess>();
/** Workers that exited other than by the bench's own SIGKILL or a clean stop: a database blink must not kill one. */
const crashedWorkers: string[] = [];
const pools = new Set<pg.Pool>();

async function newDatabase(name: string, staleAfterSeconds: number): Promise<{ url: string; pool: pg.Pool }> {
	const url = await cluster.createDatabase(name);
	const pool = new pg.Pool({ connectionString: url, max: 8 });
	pool.on('error', () => {});
	await prepareWorkerDatabase(pool, { staleAfterSeconds, maxAttempts: 3 });
	return { url, pool };
}

async function start(url: string, concurrency: number, env: Record<string, string> = {}): Promise<WorkerProcess> {
	const worker = await startWorkerProcess(url, { concurrency, env: { FOLDWORK_CLAIM_POLL_MS: '1000', ...env } });
	workers.add(worker);
	void worker.exited.then((code) => {
		workers.delete(worker);
		if (code !== 0 && code !== 'SIGKILL') crashedWorkers.push(`${worker.workerId} (${code}):\n${worker.logs().slice(-2000)}`);
	});
	return worker;
}

async function stopAll(): Promise<void> {
	await Promise.all([...workers].map((w) => w.stop()));
}

async function countUnfinished(pool: pg.Pool): Promise<number> {
	const { rows } = await pool.query(`select count(*)::int as n from public.jobs where status in ('pending', 'queued', 'processing', 'retry')`);
	return rows[0].n;
}

async function waitAllTerminal(pool: pg.Pool, timeoutMs: number): Promise<void> {
	await waitFor('every job to finish', async () => (await countUnfinished(pool)) === 0, timeoutMs, WATCH_MS);
}

/**
 * Seconds from `since` (the database's clock) to the last finish after it. Timed by the jobs' own
 * finished_at, a run's end is exact however seldom the bench looks for it, so it looks every
 * WATCH_MS rather than every 20 ms: each look counts thousands of live jobs (~7 ms elapsed under
 * load) on the machine it measures.
 */
async function secondsToLastFinish(pool: pg.Pool, since: Date): Promise<number> {
	const { rows } = await pool.query<{ s: number }>(
		`select extract(epoch from max(finished_at) - $1::timestamptz)::float8 as s from public.jobs where finished_at >= $1`,
		[since]
	);
	return rows[0].s;
}

async function latency(): Promise<void> {
	const { url, pool } = await newDatabase('bench_latency', 15);
	pools.add(pool);
	const user = await createUser(pool, 10_000);
	await start(url, 8);
	await start(url, 8);
	// Warm up (JIT, pools, queue caches).
	for (let i = 0; i < 20; i++) {
		const id = await submitJob(pool, user, 'test-echo', { steps: [{ ms: 0 }] });
		await waitFor('warm-up', async () => (await getJob(pool, id)).status === 'completed', 10_000);
	}
	const pickups: number[] = [];
	for (let i = 0; i < counts.latencyJobs; i++) {
		const id = await submitJob(pool, user, 'test-echo', { steps: [{ ms: 0 }] });
		await waitFor('the job to complete', async () => (await getJob(pool, id)).status === 'completed', 10_000);
	}
	// created_at and started_at are the start times of the submitting and the claiming transactions.
	const { rows } = await pool.query(
		`select extract(epoch from started_at - created_at) * 1000 as ms from public.jobs
		 where tool_id = 'test-echo' order by created_at offset 20`
	);
	for (const r of rows) pickups.push(Number(r.ms));
	pickups.sort((a, b) => a - b);
	const p50 = percentile(pickups, 50);
	const p99 = percentile(pickups, 99);
	figure(`pickup latency p50 (${pickups.length} jobs)`, `${p50.toFixed(1)} ms`, p50 <= 25, '<= 25 ms');
	figure(`pickup latency p99 (${pickups.length} jobs)`, `${p99.toFixed(1)} ms`, p99 <= 250, '<= 250 ms');
	await stopAll();
	await pool.end();
	pools.delete(pool);
}

/**
 * A submitting API client: its own connection, signed in as the user for the session. It submits
 * `batch` jobs per statement (one transaction, each job through `public.submit_job` as an API
 * user's transaction submitting many would): six clients sending one job per round trip topped
 * out at ~340-490 submits/s on this machine, below what two workers run, so the figure measured
 * the submitters rather than the fleet.
 */
async function submitter(url: string, user: TestUser): Promise<{ submit(batch: number): Promise<void>; end(): Promise<void> }> {
	const client = new pg.Client({ connectionString: url });
	client.on('error', () => {});
	await client.connect();
	await client.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: user.id, role: 'authenticated' })]);
	await client.query('set role authenticated');
	return {
		async submit(batch) {
			await client.query('select public.submit_job($1, $2, $3) from generate_series(1, $4)', ['test-echo', 'bench job', { steps: [{ ms: 0 }] }, batch]);
		},
		end: () => client.end()
	};
}

/**
 * The statements PostgreSQL spent the most time in since the database was made, per job: a nested
 * statement's time is also in the statement that ran it, and times are elapsed (waits for locks and
 * for the CPU included), so read them as where to look, not as CPU.
 */
async function printStatementProfile(pool: pg.Pool, jobs: number): Promise<void> {
	await pool.query('create extension if not exists pg_stat_statements');
	const { rows } = await pool.query<{ toplevel: boolean; calls: string; total: number; query: string }>(
		`select toplevel, calls, total_exec_time as total, left(regexp_replace(query, '\\s+', ' ', 'g'), 100) as query
		   from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
		  order by total_exec_time desc limit 25`
	);
	console.log(`      PostgreSQL statements by elapsed time (ms per job; calls per job; * top level):`);
	for (const r of rows) console.log(`      ${(r.total / jobs).toFixed(3).padStart(7)} ${(Number(r.calls) / jobs).toFixed(2).padStart(6)} ${r.toplevel ? '*' : ' '} ${r.query}`);
}

async function throughput(): Promise<void> {
	const { url, pool } = await newDatabase('bench_throughput', 15);
	pools.add(pool);
	const clients: Array<{ submit(batch: number): Promise<void>; end(): Promise<void> }> = [];
	for (let i = 0; i < 6; i++) clients.push(await submitter(url, await createUser(pool, 2 * counts.throughputJobs)));
	const submitAll = async (n: number) => {
		let next = 0;
		await Promise.all(
			clients.map(async (c) => {
				while (next < n) {
					const batch = Math.min(counts.submitBatch, n - next);
					next += batch;
					await c.submit(batch);
				}
			})
		);
	};

	// Sustained: six API clients submit at full speed (counts.submitBatch jobs per statement) while two workers run the jobs.
	await start(url, 64);
	await start(url, 64);
	// Warm up: each worker's executors import the tool on their first run of it (a worker that
	// runs tools itself imported them before it said ready); 200 jobs give every executor one.
	await submitAll(200);
	await waitAllTerminal(pool, 60_000);
	const { rows: marks } = await pool.query('select clock_timestamp() as since');
	const cpuBefore = workerTreesTicks();
	const started = performance.now();
	await submitAll(counts.throughputJobs);
	const submitted = (performance.now() - started) / 1000;
	await waitAllTerminal(pool, 120_000);
	const seconds = await secondsToLastFinish(pool, marks[0].since);
	const { rows } = await pool.query(
		`select count(*) filter (where status = 'completed')::int as ok, count(*)::int as n from public.jobs where created_at >= $1`,
		[marks[0].since]
	);
	const rate = rows[0].ok / seconds;
	console.log(
		`      submitted ${rows[0].n} jobs in ${submitted.toFixed(2)} s (${(rows[0].n / submitted).toFixed(0)}/s); all completed ${(seconds - submitted).toFixed(2)} s after the last submit`
	);
	figure('throughput submit -> completed (2 workers)', `${rate.toFixed(0)} jobs/s`, rate >= 500, '>= 500 jobs/s');
	if (profilePostgres) await printStatementProfile(pool, rows[0].n);
	console.log(`      CPU per job: ${cpuPerJob(cpuBefore, rows[0].n)}`);
	console.log(`      PostgreSQL CPU per job by connection: ${await postgresCpuByClient(pool, cpuBefore, rows[0].n)}`);
	console.log(`      executor processes after the run, per worker: ${[...workers].map((w) => childrenOf(w.pid).length).join(', ')}`);

	// Backlog: the same number of jobs submitted with no worker running, then drained by two workers.
	await stopAll();
	await submitAll(counts.throughputJobs);
	await Promise.all([start(url, 64), start(url, 64)]);
	// From the moment both workers are ready (the first has started on the backlog meanwhile).
	const { rows: drainMarks } = await pool.query('select clock_timestamp() as since');
	const drainCpuBefore = workerTreesTicks();
	const backlog = await countUnfinished(pool);
	await waitAllTerminal(pool, 120_000);
	const drainRate = backlog / (await secondsToLastFinish(pool, drainMarks[0].since));
	figure(`backlog drain, ${backlog} jobs (2 workers)`, `${drainRate.toFixed(0)} jobs/s`, drainRate >= 500, '>= 500 jobs/s');
	console.log(`      CPU per job while draining: ${cpuPerJob(drainCpuBefore, backlog)}`);
	for (const c of clients) await c.end();
	await stopAll();
	await pool.end();
	pools.delete(pool);
}

async function recovery(): Promise<void> {
	// The production fleet policy: a heartbeat is stale after 15 s.
	const { url, pool } = await newDatabase('bench_recovery', 15);
	pools.add(pool);
	const user = await createUser(pool, 100);
	const doomed = await start(url, 1);
	const jobId = await submitJob(pool, user, 'test-sleep', { steps: [{ ms: 60_000 }] });
	await waitFor('the job to run', async () => (await getJob(pool, jobId)).worker_id === doomed.workerId);
	const survivor = await start(url, 1);
	const killedAt = performance.now();
	await doomed.kill();
	await waitFor('the job to run again', async () => {
		const job = await getJob(pool, jobId);
		return job.status === 'processing' && job.worker_id === survivor.workerId;
	}, 60_000);
	const seconds = (performance.now() - killedAt) / 1000;
	figure('dead-worker job recovery (stale after 15 s)', `${seconds.toFixed(1)} s`, seconds <= 30, '<= 30 s');
	await stopAll();
	await pool.end();
	pools.delete(pool);
}

async function soak(): Promise<void> {
	const { url, pool } = await newDatabase('bench_soak', 2);
	pools.add(pool);
	const user = await createUser(pool, counts.soakJobs * 2);
	const alive: WorkerProcess[] = [];
	for (let i = 0; i < 3; i++) alive.push(await start(url, 4));
	const jobIds: string[] = [];
	// ~0.35 s per job on 12 slots: about half a minute of work, long enough to spread the kills over it.
	for (let i = 0; i < counts.soakJobs; i++) {
		jobIds.push(await submitJob(pool, user, 'test-sleep', { steps: [{ ms: 100 + Math.floor(Math.random() * 500) }] }));
	}
	console.log(`      soak: ${jobIds.length} jobs submitted; killing ${counts.soakKills} busy workers, one a second, and restarting PostgreSQL half-way`);
	let kills = 0;
	let restarts = 0;
	const replacements: Promise<unknown>[] = [];
	while (kills < counts.soakKills) {
		// Kill a worker that is running something, so each kill interrupts jobs; its replacement starts meanwhile.
		const victim = await waitFor('a busy worker', async () => {
			const { rows } = await pool.query(`select distinct worker_id from public.jobs where status = 'processing'`);
			const busy = new Set(rows.map((r) => r.worker_id));
			const candidates = alive.filter((w) => busy.has(w.workerId));
			return candidates.length ? candidates[Math.floor(Math.random() * candidates.length)] : undefined;
		}, 20_000).catch(() => undefined);
		if (!victim) break;
		alive.splice(alive.indexOf(victim), 1);
		await victim.kill();
		kills += 1;
		replacements.push(start(url, 4).then((w) => alive.push(w)));
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		if (kills === Math.floor(counts.soakKills / 2)) {
			// Half-way: PostgreSQL restarts (a failover, an upgrade) under the running fleet.
			const downMs = await cluster.restart();
			restarts += 1;
			console.log(`      soak: PostgreSQL restarted after ${kills} SIGKILLs (down ${downMs.toFixed(0)} ms)`);
		}
	}
	await Promise.all(replacements);
	console.log(`      soak: ${kills} SIGKILLs done; waiting for every job to finish`);
	await waitAllTerminal(pool, 120_000).catch(() => {});
	const stuck = await countUnfinished(pool);
	const { rows: statuses } = await pool.query(`select status, count(*)::int as n from public.jobs group by status order by status`);
	const { rows: twice } = await pool.query(
		`select count(*)::int as n from (select job_id from public.credit_ledger where reason = 'charge' group by job_id having count(*) > 1) x`
	);
	const { rows: retried } = await pool.query(`select count(distinct job_id)::int as n from public.job_events where to_status = 'retry'`);
	// Accounted for: completed, or failed saying its workers kept dying (refunded). Anything else is lost.
	const { rows: accounted } = await pool.query(
		`select count(*)::int as n from public.jobs where id = any($1) and (status = 'completed' or error_code = 'worker_lost')`,
		[jobIds]
	);
	const lost = jobIds.length - accounted[0].n;
	const { rows: gaveUp } = await pool.query(`select count(*)::int as n from public.jobs where error_code = 'worker_lost'`);
	console.log(
		`      ${kills} SIGKILLs; ${retried[0].n} jobs retried; final statuses: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')} ` +
			`(${gaveUp[0].n} failed, refunded, because their worker died max_attempts = 3 times)`
	);
	const exitedOnTheirOwn = crashedWorkers.length;
	for (const crash of crashedWorkers) console.log(`      worker died: ${crash}`);
	figure('soak: PostgreSQL restarts survived', String(restarts), restarts === 1, '1');
	figure('soak: workers that died unkilled', String(exitedOnTheirOwn), exitedOnTheirOwn === 0, '0');
	figure('soak: jobs lost', String(lost), lost === 0, '0');
	figure('soak: jobs charged twice', String(twice[0].n), twice[0].n === 0, '0');
	figure('soak: jobs stuck', String(stuck), stuck === 0, '0');
	await stopAll();
	await pool.end();
	pools.delete(pool);
}

/** Child processes of a process (a worker's executors). */
function childrenOf(parent: number): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
			if (Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
		} catch {
			// gone meanwhile
		}
	}
	return pids;
}

/**
 * CPU ticks used so far by each live worker and each of its executors, and by each PostgreSQL
 * process (the bench's own cluster is the only one running), keyed by pid.
 */
function workerTreesTicks(): Map<number, number> {
	return new Map([...[...workers].flatMap((w) => [...liveTreeTicks(w.pid)]), ...postgresTicks()]);
}

/** CPU ticks of every process named postgres. */
function postgresTicks(): Map<number, number> {
	const ticks = new Map<number, number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
			if (text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) !== 'postgres') continue;
			const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
			ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
		} catch {
			// gone meanwhile
		}
	}
	return ticks;
}

/**
 * PostgreSQL's CPU (ms) per job since `before`, split between the workers' connections (named
 * foldwork-worker ...: dispatch, claim, finish) and the others (the submitting clients, and the
 * bench's own look at the jobs): where a run's database time goes.
 */
async function postgresCpuByClient(pool: pg.Pool, before: Map<number, number>, jobs: number): Promise<string> {
	const { rows } = await pool.query<{ pid: number }>(`select pid from pg_stat_activity where application_name like 'foldwork-worker%'`);
	const fleet = new Set(rows.map((r) => r.pid));
	let workers = 0;
	let others = 0;
	for (const [pid, ticks] of postgresTicks()) {
		const used = (ticks - (before.get(pid) ?? 0)) * 10;
		if (fleet.has(pid)) workers += used;
		else others += used;
	}
	return `${(workers / jobs).toFixed(3)} ms for the workers, ${(others / jobs).toFixed(3)} ms for the submitting clients and the rest`;
}

/** Worker, executor and PostgreSQL CPU (ms) per job since `before` (PostgreSQL's connections that closed meanwhile are not counted). */
function cpuPerJob(before: Map<number, number>, jobs: number): string {
	const workerPids = new Set([...workers].map((w) => w.pid));
	const postgres = postgresTicks();
	let worker = 0;
	let executors = 0;
	let database = 0;
	for (const [pid, ticks] of workerTreesTicks()) {
		const used = (ticks - (before.get(pid) ?? 0)) * 10;
		if (workerPids.has(pid)) worker += used;
		else if (postgres.has(pid)) database += used;
		else executors += used;
	}
	return `${(worker / jobs).toFixed(3)} ms in workers, ${(executors / jobs).toFixed(3)} ms in executors, ${(database / jobs).toFixed(3)} ms in PostgreSQL`;
}

/** CPU ticks (1/100 s) used so far by each live process of a tree: the worker and its executors. */
function liveTreeTicks(root: number): Map<number, number> {
	const procs = new Map<number, { ppid: number; ticks: number }>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
			procs.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
		} catch {
			// gone meanwhile
		}
	}
	const tree = new Map<number, number>([[root, procs.get(root)?.ticks ?? 0]]);
	const visit = (parent: number) => {
		for (const [pid, p] of procs) {
			if (p.ppid !== parent) continue;
			tree.set(pid, p.ticks);
			visit(pid);
		}
	};
	visit(root);
	return tree;
}

/**
 * ms from `since` to the start of the first 200 ms window in which the tree used under 10 % of
 * a core: what each process that is alive at the window's end used in it (a process that
 * started meanwhile, the fresh executor, counts all it used; the killed one has nothing left to use).
 */
async function untilIdle(root: number, since: number, timeoutMs = 10_000): Promise<number> {
	for (;;) {
		const before = liveTreeTicks(root);
		const windowStart = performance.now();
		await new Promise((resolve) => setTimeout(resolve, 200));
		let used = 0;
		for (const [pid, ticks] of liveTreeTicks(root)) used += Math.max(0, ticks - (before.get(pid) ?? 0));
		if (used * 10 < 0.1 * (performance.now() - windowStart)) return windowStart - since;
		if (performance.now() - since > timeoutMs) return Infinity;
	}
}

async function isolation(): Promise<void> {
	const { url, pool } = await newDatabase('bench_isolation', 15);
	pools.add(pool);
	const user = await createUser(pool, 1_000);
	const worker = await start(url, 4, { FOLDWORK_ISOLATE_TOOLS: '1', FOLDWORK_EXECUTOR_MEMORY_MB: '512' });
	// Warm: every slot's executor started once.
	const warm = await Promise.all(Array.from({ length: 4 }, () => submitJob(pool, user, 'test-sleep', { steps: [{ ms: 300 }] })));
	await waitFor('warm-up', async () => (await Promise.all(warm.map((id) => getJob(pool, id)))).every((j) => j.status === 'completed'), 30_000);

	const idle: number[] = [];
	const replaced: number[] = [];
	for (let i = 0; i < 5; i++) {
		const jobId = await submitJob(pool, user, 'test-spin', { steps: [{ ms: 60_000 }] });
		await waitFor('the spinning job to run', async () => (await getJob(pool, jobId)).status === 'processing', 10_000);
		// Let it burn for a moment, so the tree is busy when the cancel arrives.
		await new Promise((resolve) => setTimeout(resolve, 300));
		const logged = worker.logs().length;
		const cancelled = performance.now();
		await cancelJob(pool, user, jobId);
		idle.push(await untilIdle(worker.pid, cancelled));
		const line = await waitFor('the executor to be replaced', () => /killed and replaced by \d+ in (\d+) ms/.exec(worker.logs().slice(logged)) ?? undefined, 10_000);
		replaced.push(Number(line[1]));
	}
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	figure('isolation: cancel -> worker tree idle (median of 5)', `${median(idle).toFixed(0)} ms`, median(idle) <= 1_000, '<= 1 s');
	figure('isolation: kill -> fresh executor ready (median)', `${median(replaced).toFixed(0)} ms`, median(replaced) <= 1_000, '<= 1 s');

	// Pickup while 2 CPU-bound tools run on the same worker.
	const spinners = await Promise.all([0, 1].map(() => submitJob(pool, user, 'test-spin', { steps: [{ ms: 120_000 }] })));
	await waitFor('both CPU tools to run', async () => (await Promise.all(spinners.map((id) => getJob(pool, id)))).every((j) => j.status === 'processing'), 10_000);
	const echoes: string[] = [];
	for (let i = 0; i < 100; i++) {
		const id = await submitJob(pool, user, 'test-echo', { steps: [{ ms: 0 }] });
		echoes.push(id);
		await waitFor('the job to complete', async () => (await getJob(pool, id)).status === 'completed', 10_000);
	}
	const { rows } = await pool.query(`select extract(epoch from started_at - created_at) * 1000 as ms from public.jobs where id = any ($1)`, [echoes]);
	const pickups = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
	const p50 = percentile(pickups, 50);
	const p99 = percentile(pickups, 99);
	console.log(`      pickup p50 with 2 CPU tools running: ${p50.toFixed(1)} ms (${pickups.length} jobs)`);
	figure('isolation: pickup p99 with 2 CPU tools running', `${p99.toFixed(1)} ms`, p99 <= 250, '<= 250 ms');
	for (const id of spinners) await cancelJob(pool, user, id);

	const hog = await submitJob(pool, user, 'test-hog', { steps: [{ ms: 0 }] });
	const hogStarted = performance.now();
	const ended = await waitFor('the hog to end', async () => {
		const job = await getJob(pool, hog);
		return ['completed', 'failed', 'timeout'].includes(job.status) ? job : undefined;
	}, 60_000);
	const stopped = ended.error_code === 'memory_limit';
	figure('isolation: unbounded allocation stopped at 512 MiB', stopped ? `yes, ${((performance.now() - hogStarted) / 1000).toFixed(1)} s` : ended.status, stopped, 'failed with memory_limit');
	await stopAll();
	await pool.end();
	pools.delete(pool);
}

try {
	const tools = process.env.FOLDWORK_ISOLATE_TOOLS === '0' ? 'tools in the worker process (FOLDWORK_ISOLATE_TOOLS=0)' : 'tools isolated in executors (default)';
	console.log(`Worker fleet bench (${quick ? 'quick' : 'full'}), ${process.env.BENCH_ONLY ?? 'all figures'}; ${tools}`);
	const only = process.env.BENCH_ONLY?.split(',');
	if (!only || only.includes('latency')) await latency();
	if (!only || only.includes('throughput')) await throughput();
	if (!only || only.includes('recovery')) await recovery();
	if (!only || only.includes('soak')) await soak();
	if (!only || only.includes('isolation')) await isolation();
} finally {
	await Promise.all([...workers].map((w) => w.kill()));
	await stopStorageGateways();
	for (const pool of pools) await pool.end().catch(() => {});
	await cluster.stop();
}
