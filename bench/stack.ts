// `npm run bench:stack`: throughput and latency of the local stack's REST
// service, and how fast `npm run stack` is ready on a second start.
//
//   REST GET of one row through an RLS policy  >= 1,500 req/s, p95 <= 10 ms
//   RPC POST                                   >= 1,000 req/s
//   `npm run stack` ready on a second start    <= 5 s
//
// The load comes from 10 concurrent keep-alive HTTP clients on a worker
// thread (its own event loop), so the stack's event loop is not shared with
// the client. Each figure is the median of several runs.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pg from 'pg';
import { loadConfig, projectRoot } from '../supabase/local/config.ts';
import { signJwt } from '../supabase/local/jwt.ts';
import { startStack } from '../supabase/local/stack.ts';
import { freePort } from '../supabase/local/ports.ts';

const CONCURRENCY = 10;
const RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface LoadSpec {
	url: string;
	method: 'GET' | 'POST';
	headers: Record<string, string>;
	body?: string;
	seconds: number;
	concurrency: number;
	/** A response must have this status, else the run fails. */
	expectStatus: number;
}

interface LoadResult {
	requests: number;
	errors: number;
	seconds: number;
	p50: number;
	p95: number;
	p99: number;
	firstError?: string;
}

// ---------------------------------------------------------------- worker side
async function runLoad(spec: LoadSpec): Promise<LoadResult> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
	const url = new URL(spec.url);
	const latencies: number[] = [];
	let errors = 0;
	let firstError: string | undefined;
	const one = () =>
		new Promise<void>((resolve) => {
			const started = performance.now();
			const req = http.request(
				{ host: url.hostname, port: url.port, path: url.pathname + url.search, method: spec.method, headers: spec.headers, agent },
				(res) => {
					let body = '';
					res.setEncoding('utf8');
					res.on('data', (c: string) => (body += c));
					res.on('end', () => {
						latencies.push(performance.now() - started);
						if (res.statusCode !== spec.expectStatus) {
							errors++;
							firstError ??= `${res.statusCode} ${body.slice(0, 200)}`;
						}
						resolve();
					});
				}
			);
			req.on('error', (e) => {
				errors++;
				firstError ??= e.message;
				resolve();
			});
			req.end(spec.body);
		});
	const deadline = performance.now() + spec.seconds * 1000;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: spec.concurrency }, async () => {
			while (performance.now() < deadline) await one();
		})
	);
	const seconds = (performance.now() - started) / 1000;
	agent.destroy();
	latencies.sort((a, b) => a - b);
	const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
	return { requests: latencies.length, errors, seconds, p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), firstError };
}

// ------------------------------------------------------------------ main side
function load(spec: LoadSpec): Promise<LoadResult> {
	return new Promise((resolve, reject) => {
		const worker = new Worker(new URL(import.meta.url), { workerData: spec });
		worker.once('message', resolve);
		worker.once('error', reject);
	});
}


const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function scenario(name: string, spec: Omit<LoadSpec, 'seconds' | 'concurrency'>): Promise<{ rps: number; p95: number }> {
	await load({ ...spec, seconds: 1, concurrency: CONCURRENCY }); // warm up: connections, prepared statements
	const runs: LoadResult[] = [];
	for (let i = 0; i < RUNS; i++) {
		const r = await load({ ...spec, seconds: RUN_SECONDS, concurrency: CONCURRENCY });
		if (r.errors > 0) throw new Error(`${name}: ${r.errors} failed requests, first: ${r.firstError}`);
		runs.push(r);
		console.log(`  ${name} run ${i + 1}: ${(r.requests / r.seconds).toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
	}
	return { rps: median(runs.map((r) => r.requests / r.seconds)), p95: median(runs.map((r) => r.p95)) };
}

/** Spawns `node supabase/local/main.ts` and resolves with the seconds until its "ready" line. */
function timeStackStart(env: NodeJS.ProcessEnv): Promise<{ seconds: number; stop: () => Promise<void> }> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn(process.execPath, [path.join(projectRoot, 'supabase/local/main.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		let ready = false;
		const exited = new Promise<void>((r) => child.once('exit', () => r()));
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			if (!ready && /ready/i.test(output)) {
				ready = true;
				resolve({
					seconds: (performance.now() - started) / 1000,
					stop: async () => {
						child.kill('SIGINT');
						await exited;
					}
				});
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', (code) => {
			if (!ready) reject(new Error(`npm run stack exited with ${code} before ready:\n${output}`));
		});
	});
}

async function benchReadyTime(): Promise<number> {
	const dir = mkdtempSync('/tmp/foldwork-bench-start-');
	chmodSync(dir, 0o755);
	try {
		const env = {
			...process.env,
			API_PORT: String(await freePort()),
			DB_PORT: String(await freePort()),
			MAIL_PORT: String(await freePort()),
			SMTP_PORT: String(await freePort()),
			PGDATA_DIR: path.join(dir, 'postgres')
		};
		const first = await timeStackStart(env);
		console.log(`  first start (new cluster, migrations, seed): ${first.seconds.toFixed(2)} s`);
		await first.stop();
		const seconds: number[] = [];
		for (let i = 0; i < 3; i++) {
			const again = await timeStackStart(env);
			seconds.push(again.seconds);
			console.log(`  start ${i + 2}: ${again.seconds.toFixed(2)} s`);
			await again.stop();
		}
		return median(seconds);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	const dir = mkdtempSync('/tmp/foldwork-bench-');
	chmodSync(dir, 0o755);
	const config = loadConfig({
		overrides: {
			apiPort: await freePort(),
			dbPort: await freePort(),
			mailWebPort: await freePort(),
			smtpPort: await freePort(),
			dataDir: path.join(dir, 'postgres'),
			postgresSettings: { fsync: 'off', full_page_writes: 'off' }
		}
	});
	console.log('Starting a local stack for the benchmark...');
	const stack = await startStack(config, { seed: false });
	const admin = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
	const results: Array<[string, string, boolean]> = [];
	try {
		const owner = '6f1c1d9e-1b7a-4c1e-9a51-6b1e0c8f2a11';
		await admin.query(`
			drop table if exists public.bench_notes;
			create table public.bench_notes (id int primary key, owner_id uuid not null, body text not null, created_at timestamptz not null default now());
			create index on public.bench_notes (owner_id);
			insert into public.bench_notes select g, case when g % 2 = 0 then '${owner}'::uuid else gen_random_uuid() end, 'note ' || g from generate_series(1, 10000) g;
			alter table public.bench_notes enable row level security;
			create policy "Owners can view their notes" on public.bench_notes for select to authenticated using (owner_id = (select auth.uid()));
			grant select on public.bench_notes to authenticated;
			create or replace function public.bench_add(a int, b int) returns int language sql immutable as $$ select a + b $$;
			grant execute on function public.bench_add(int, int) to authenticated;
			analyze public.bench_notes;
		`);
		const token = signJwt({ sub: owner, role: 'authenticated', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 }, config.jwtSecret);
		const headers = { apikey: config.anonKey, Authorization: `Bearer ${token}`, 'Accept-Profile': 'public', 'X-Client-Info': 'bench' };

		console.log(`\nREST GET one row through RLS (${CONCURRENCY} clients, ${RUNS} x ${RUN_SECONDS} s):`);
		const get = await scenario('GET', {
			url: `${config.apiUrl}/rest/v1/bench_notes?select=id,body,created_at&id=eq.42`,
			method: 'GET',
			headers,
			expectStatus: 200
		});
		console.log(`\nRPC POST (${CONCURRENCY} clients, ${RUNS} x ${RUN_SECONDS} s):`);
		const rpc = await scenario('RPC', {
			url: `${config.apiUrl}/rest/v1/rpc/bench_add`,
			method: 'POST',
			headers: { ...headers, 'Content-Type': 'application/json', 'Content-Profile': 'public' },
			body: JSON.stringify({ a: 20, b: 22 }),
			expectStatus: 200
		});
		results.push([`REST GET (RLS) throughput  ${get.rps.toFixed(0).padStart(6)} req/s`, 'goal >= 1500 req/s', get.rps >= 1500]);
		results.push([`REST GET (RLS) p95 latency ${get.p95.toFixed(2).padStart(6)} ms   `, 'goal <= 10 ms', get.p95 <= 10]);
		results.push([`RPC POST throughput        ${rpc.rps.toFixed(0).padStart(6)} req/s`, 'goal >= 1000 req/s', rpc.rps >= 1000]);
	} finally {
		await admin.end();
		await stack.stop();
		rmSync(dir, { recursive: true, force: true });
	}

	console.log('\n`npm run stack` ready time:');
	const ready = await benchReadyTime();
	results.push([`stack ready (second start) ${ready.toFixed(2).padStart(6)} s    `, 'goal <= 5 s', ready <= 5]);

	console.log('\nMedians vs goals:');
	for (const [figure, goal, ok] of results) console.log(`  ${figure}   ${goal.padEnd(20)} ${ok ? 'OK' : 'MISSED'}`);
}

if (!isMainThread) {
	void runLoad(workerData as LoadSpec).then((r) => parentPort!.postMessage(r));
} else {
	await main();
}
