// `npm run bench:realtime`: the local Realtime server under load.
//
// Starts the local stack in a child process (its own embedded Postgres on free
// ports, in a temporary folder), so the clients measured here do not share an
// event loop with the server. Then:
//  1. 1,000 idle websocket connections (each joined to one channel): the
//     server's resident memory per connection.
//  2. postgres_changes: 100 subscribers (each its own user and websocket) on a
//     table whose RLS policy looks up a membership table; rows are inserted at
//     a steady rate (a little above the goal, so that keeping up can show as
//     >= 100/s) and every change is checked against each subscriber's RLS.
//     Latency is receipt at the subscriber minus the writer's commit
//     acknowledgment (same process, same clock). Every subscriber must get
//     every change exactly once: a lost or repeated delivery fails the run.
//     Each run also prints the CPU time per change of the server, Postgres and
//     the bench itself (all share this machine's cores).
//  3. Broadcast round trip: a self-broadcast sent and received by one client.
//  4. Broadcast from the database: 100 anonymous visitors (each its own
//     websocket) on one public job's private topic `job:<id>`, authorised by
//     the realtime.messages policies; the job's progress is updated at the
//     same steady rate and each update reaches them through the jobs trigger,
//     realtime.send and logical replication. Latency as in part 2. Then the
//     job is made private: the time from that commit until every visitor's
//     channel is closed (the access re-check).
//  5. and 6. Broadcast from the database at scale: one job watched by 1,000
//     viewers, and users online across teams on their team's topic
//     (./realtime-topics.ts says how).
// Parts 2 to 6 run BENCH_RUNS times; each figure is the median of the runs.
// BENCH_PARTS=5,6 runs only those parts (1 to 6; all by default).
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../supabase/local/config.ts';
import { signJwt } from '../supabase/local/jwt.ts';
import { childStackEnv } from './child-stack.ts';
import { deadline, loadAverage, median, quantile, reportFigures, type Figure } from './measure.ts';
import { treeCpuSeconds } from './process-cpu.ts';
import { oneJobManyViewers, teamsOnline } from './realtime-topics.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
/** Offered changes per second; the goal is >= 100 delivered to every subscriber. */
const RATE = Number(process.env.BENCH_RATE ?? 110);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE ?? 1000);
const ROUND_TRIPS = 300;
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,3,4,5,6').split(',').map((p) => Number(p.trim())));

function rssKiB(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

const results: Figure[] = [];

const loadBefore = loadAverage();
const dir = mkdtempSync('/tmp/foldwork-bench-realtime-');
chmodSync(dir, 0o755);
const { env, config, apiPort, dbPort } = await childStackEnv(dir);
// BENCH_CPU_PROF=<dir>: the server writes a CPU profile there when it stops (node --cpu-prof).
const profileArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
const server = spawn(process.execPath, [...profileArgs, path.join(projectRoot, 'supabase/local/main.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let serverOutput = '';
server.stdout.on('data', (d: Buffer) => (serverOutput += d.toString()));
server.stderr.on('data', (d: Buffer) => (serverOutput += d.toString()));

const clients: SupabaseClient[] = [];
let admin: pg.Pool | null = null;
const sockets: WebSocket[] = [];

try {
	await deadline(
		new Promise<void>((resolve, reject) => {
			const check = () => /ready/.test(serverOutput) && resolve();
			server.stdout.on('data', check);
			server.once('exit', (code) => reject(new Error(`stack exited with ${code}:\n${serverOutput}`)));
		}),
		120_000,
		'stack start'
	);
	console.log(`stack up on ${config.apiUrl} (server pid ${server.pid})`);
	// The local cluster runs with synchronous_commit=off, where a commit reaches logical
	// decoding only at the WAL writer's next flush (wal_writer_delay, 200 ms). Hosted
	// Supabase commits synchronously; so does this writer.
	admin = new pg.Pool({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`, max: 4, options: '-c synchronous_commit=on' });
	admin.on('error', () => {}); // connections cut when the stack stops

	// 1. idle connections (first, on a fresh server, so the memory figure is not hidden by heap already grown) -----------------------------------------------------
	if (PARTS.has(1)) {
		const before = rssKiB(server.pid!);
		const url = `ws://127.0.0.1:${apiPort}/realtime/v1/websocket?apikey=${config.anonKey}&vsn=2.0.0`;
		for (let i = 0; i < IDLE_CONNECTIONS; i += 100) {
			await deadline(
				Promise.all(
					Array.from({ length: Math.min(100, IDLE_CONNECTIONS - i) }, (_, k) => {
						const n = i + k;
						return new Promise<void>((resolve, reject) => {
							const ws = new WebSocket(url);
							sockets.push(ws);
							ws.onerror = () => reject(new Error(`connection ${n} failed`));
							ws.onopen = () => ws.send(JSON.stringify(['1', '1', `realtime:idle-${n}`, 'phx_join', { config: {} }]));
							ws.onmessage = (e) => {
								const [, , , event, payload] = JSON.parse(String(e.data)) as [string, string, string, string, { status: string }];
								if (event === 'phx_reply') (payload.status === 'ok' ? resolve() : reject(new Error(`join ${n} refused`)));
							};
						});
					})
				),
				60_000,
				'idle connections'
			);
		}
		// Let allocations settle before reading the server's memory.
		await new Promise((r) => setTimeout(r, 1_000));
		const after = rssKiB(server.pid!);
		const perConnection = ((after - before) * 1024) / IDLE_CONNECTIONS;
		console.log(`idle: ${IDLE_CONNECTIONS} connections joined; server RSS ${(before / 1024).toFixed(1)} MiB -> ${(after / 1024).toFixed(1)} MiB`);
		results.push({ figure: `${IDLE_CONNECTIONS} idle websocket connections held`, value: `${(perConnection / 1024).toFixed(1)} KiB per connection (RSS)`, goal: 'reported', ok: null });
		for (const ws of sockets.splice(0)) ws.close();
	}

	// 2. postgres_changes to many RLS-checked subscribers ----------------------
	if (PARTS.has(2)) {
		const users = Array.from({ length: SUBSCRIBERS }, () => randomUUID());
		await admin.query(`
			create table public.bench_members (user_id uuid primary key);
			create table public.bench_events (id bigint generated by default as identity primary key, body text not null, created_at timestamptz not null default now());
			alter table public.bench_events enable row level security;
			alter table public.bench_members enable row level security;
			create policy "Members can view events" on public.bench_events for select to authenticated
				using (exists (select 1 from public.bench_members m where m.user_id = (select auth.uid())));
			create policy "Members can view themselves" on public.bench_members for select to authenticated using (user_id = (select auth.uid()));
			alter publication supabase_realtime add table public.bench_events;
		`);
		await admin.query('insert into public.bench_members (user_id) select unnest($1::uuid[])', [users]);

		/** What each subscriber received in this run: change id and receipt time, in arrival order. */
		const inbox: Array<Array<{ id: number; at: number }>> = users.map(() => []);
		let deliveries = 0;
		let onDelivery: (() => void) | null = null;
		const subscribe = async (user: string, index: number) => {
			const token = signJwt({ sub: user, role: 'authenticated', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 }, config.jwtSecret);
			const c = createClient(config.apiUrl, config.anonKey, { accessToken: async () => token });
			clients.push(c);
			await c.realtime.setAuth(token);
			await new Promise<void>((resolve, reject) => {
				const channel: RealtimeChannel = c
					.channel(`bench-${user}`)
					.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'bench_events' }, (p) => {
						inbox[index].push({ id: Number((p.new as { id: number }).id), at: performance.now() });
						deliveries++;
						onDelivery?.();
					})
					.on('system', {}, (m: { message?: string }) => m.message === 'Subscribed to PostgreSQL' && resolve());
				channel.subscribe((status, error) => (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') && reject(error ?? new Error(status)));
			});
		};
		for (let i = 0; i < users.length; i += 20) {
			await deadline(Promise.all(users.slice(i, i + 20).map((u, k) => subscribe(u, i + k))), 60_000, 'subscribers');
		}
		console.log(`${SUBSCRIBERS} subscribers ready`);

		// The writer's connections are opened before the first run: their start-up is the application's, not Realtime's.
		const writerConnections = await Promise.all(Array.from({ length: 4 }, () => admin!.connect()));
		for (const c of writerConnections) c.release();

		const changeRuns: Array<{ p50: number; p95: number; rate: number; lost: number; repeated: number }> = [];
		for (let run = 1; run <= RUNS; run++) {
			for (const list of inbox) list.length = 0;
			deliveries = 0;
			const total = Math.round(RATE * SECONDS);
			const expected = total * SUBSCRIBERS;
			const allDelivered = new Promise<void>((resolve) => {
				onDelivery = () => deliveries >= expected && resolve();
			});
			/** Commit acknowledgment time of each change, by id. */
			const acked = new Map<number, number>();
			const cpuBefore = { stack: treeCpuSeconds(server.pid!), bench: process.cpuUsage() };
			const started = performance.now();
			const inserts: Promise<unknown>[] = [];
			for (let i = 0; i < total; i++) {
				const due = started + (i * 1000) / RATE;
				const wait = due - performance.now();
				if (wait > 0) await new Promise((r) => setTimeout(r, wait));
				inserts.push(
					admin.query<{ id: string }>('insert into public.bench_events (body) values ($1) returning id', [`event ${i}`]).then(({ rows }) => {
						acked.set(Number(rows[0].id), performance.now());
					})
				);
			}
			await Promise.all(inserts);
			const writeSeconds = (performance.now() - started) / 1000;
			await deadline(allDelivered, 30_000, `all ${expected} deliveries`).catch((e: Error) => console.log(`${e.message} (got ${deliveries})`));
			onDelivery = null;
			const cpuAfter = { stack: treeCpuSeconds(server.pid!), bench: process.cpuUsage(cpuBefore.bench) };
			const perChange = (seconds: number) => `${((seconds * 1000) / total).toFixed(2)} ms`;
			const cpu =
				`CPU per change: server ${perChange(cpuAfter.stack.self - cpuBefore.stack.self)}, ` +
				`postgres ${perChange(cpuAfter.stack.below - cpuBefore.stack.below)}, ` +
				`bench (writer and ${SUBSCRIBERS} clients) ${perChange((cpuAfter.bench.user + cpuAfter.bench.system) / 1e6)}`;

			const latencies: number[] = [];
			let lost = 0;
			let repeated = 0;
			let lastReceipt = started;
			const lossBySubscriber: string[] = [];
			const fullyDelivered = new Map<number, number>();
			for (const [index, list] of inbox.entries()) {
				const seen = new Set<number>();
				for (const { id, at } of list) {
					if (seen.has(id) || !acked.has(id)) {
						repeated++;
						continue;
					}
					seen.add(id);
					latencies.push(at - acked.get(id)!);
					fullyDelivered.set(id, (fullyDelivered.get(id) ?? 0) + 1);
					if (at > lastReceipt) lastReceipt = at;
				}
				const missing = [...acked.keys()].filter((id) => !seen.has(id));
				lost += missing.length;
				if (missing.length > 0) lossBySubscriber.push(`subscriber ${index}: ${missing.length} missing (ids ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''})`);
			}
			const complete = [...fullyDelivered.values()].filter((n) => n === SUBSCRIBERS).length;
			// Changes that reached every subscriber, per second from the first write to the last receipt.
			const rate = complete / ((lastReceipt - started) / 1000);
			const p50 = quantile(latencies, 0.5);
			const p95 = quantile(latencies, 0.95);
			console.log(
				`run ${run}: ${total} changes written in ${writeSeconds.toFixed(1)} s; ${latencies.length}/${expected} delivered, ${lost} lost, ${repeated} repeated; ` +
					`${rate.toFixed(1)} changes/s to all; latency from commit p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, ` +
					`p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${latencies.reduce((m, v) => Math.max(m, v), -Infinity).toFixed(1)} ms; ${cpu}`
			);
			if (lost > 0 || repeated > 0) {
				for (const line of lossBySubscriber.slice(0, 10)) console.log(`  ${line}`);
				const serverLines = serverOutput.split('\n').filter((l) => /realtime/.test(l));
				console.log(`  server's realtime log (last 20 lines):\n${serverLines.slice(-20).map((l) => `    ${l}`).join('\n')}`);
			}
			changeRuns.push({ p50, p95, rate, lost, repeated });
		}
		const exact = changeRuns.every((r) => r.lost === 0 && r.repeated === 0);
		const p95 = median(changeRuns.map((r) => r.p95));
		const rate = median(changeRuns.map((r) => r.rate));
		results.push({
			figure: `change -> ${SUBSCRIBERS} RLS-checked subscribers, p95 latency from commit`,
			value: `${p95.toFixed(1)} ms (p50 ${median(changeRuns.map((r) => r.p50)).toFixed(1)} ms)`,
			goal: '<= 100 ms',
			ok: p95 <= 100
		});
		results.push({ figure: `changes/s delivered to every subscriber (offered ${RATE}/s)`, value: rate.toFixed(1), goal: '>= 100', ok: rate >= 100 });
		results.push({
			figure: 'deliveries lost or repeated',
			value: String(changeRuns.reduce((n, r) => n + r.lost + r.repeated, 0)),
			goal: '0',
			ok: exact
		});
		for (const c of clients.splice(0)) {
			await c.removeAllChannels();
			void c.realtime.disconnect();
		}
	}

	// 3. broadcast round trip ---------------------------------------------------
	if (PARTS.has(3)) {
		const c = createClient(config.apiUrl, config.anonKey);
		clients.push(c);
		let onEcho: (() => void) | null = null;
		const channel = c.channel('bench-rtt', { config: { broadcast: { self: true } } }).on('broadcast', { event: 'ping' }, () => onEcho?.());
		await new Promise<void>((resolve, reject) => channel.subscribe((s, e) => (s === 'SUBSCRIBED' ? resolve() : s !== 'CLOSED' && reject(e ?? new Error(s)))));
		const rttP50s: number[] = [];
		for (let run = 1; run <= RUNS; run++) {
			const rtts: number[] = [];
			for (let i = 0; i < ROUND_TRIPS; i++) {
				const t0 = performance.now();
				await deadline(
					new Promise<void>((resolve) => {
						onEcho = resolve;
						void channel.send({ type: 'broadcast', event: 'ping', payload: { i } });
					}),
					5_000,
					'broadcast echo'
				);
				rtts.push(performance.now() - t0);
			}
			rttP50s.push(quantile(rtts, 0.5));
			console.log(`broadcast run ${run}: round trip p50 ${quantile(rtts, 0.5).toFixed(2)} ms, p95 ${quantile(rtts, 0.95).toFixed(2)} ms over ${ROUND_TRIPS}`);
		}
		const rttP50 = median(rttP50s);
		results.push({ figure: 'broadcast round trip p50', value: `${rttP50.toFixed(2)} ms`, goal: '<= 5 ms', ok: rttP50 <= 5 });
		await c.removeChannel(channel);
	}

	// 4. broadcast from the database to a job's topic, and revocation --------------
	if (PARTS.has(4)) {
		const owner = randomUUID();
		await admin.query(
			`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
			 values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '', now(), '{}', '{}', now(), now())`,
			[owner, `bench-${owner.slice(0, 8)}@example.test`]
		);
		const visitors: SupabaseClient[] = Array.from({ length: SUBSCRIBERS }, () =>
			createClient(config.apiUrl, config.anonKey, { auth: { persistSession: false, autoRefreshToken: false } })
		);
		clients.push(...visitors);
		const topicLatencyP50s: number[] = [];
		const topicLatencyP95s: number[] = [];
		const revokeMaxes: number[] = [];
		let topicLost = 0;
		for (let run = 1; run <= RUNS; run++) {
			const { rows: jobRows } = await admin.query<{ id: string }>(
				`insert into public.jobs (team_id, tool_id, submitted_by, name, input, visibility)
				 select t.id, 'molecule-properties', $1, 'bench', '{"molecules":[{"id":"m","smiles":"C"}]}', 'public' from public.teams t where t.created_by = $1 returning id`,
				[owner]
			);
			const jobId = jobRows[0].id;
			await admin.query(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
			await admin.query(`update public.jobs set status = 'processing' where id = $1`, [jobId]);
			/** Commit acknowledgment time of each progress value; receipts are matched to it after the run (one may arrive first). */
			const acked = new Map<number, number>();
			const receipts: Array<Array<{ progress: number; at: number }>> = visitors.map(() => []);
			let received = 0;
			let closedCount = 0;
			let closedAll: () => void = () => {};
			const allClosed = new Promise<void>((resolve) => (closedAll = resolve));
			const closedAt: number[] = [];
			const updates = Math.min(100, Math.max(1, Math.floor(RATE * SECONDS)));
			let onAllReceived: () => void = () => {};
			const allReceived = new Promise<void>((resolve) => (onAllReceived = resolve));
			const channels = await Promise.all(
				visitors.map(
					(v, k) =>
						new Promise<RealtimeChannel>((resolve, reject) => {
							const ch = v
								.channel(`job:${jobId}`, { config: { private: true } })
								.on('broadcast', { event: 'job_updated' }, ({ payload }) => {
									const value = (payload as { job: { progress: number } }).job.progress;
									if (value < 1) return; // the job's own start, before the measured updates
									receipts[k].push({ progress: value, at: performance.now() });
									if (++received === updates * SUBSCRIBERS) onAllReceived();
								});
							ch.subscribe((status, error) => {
								if (status === 'SUBSCRIBED') resolve(ch);
								else if (status === 'CLOSED') {
									closedAt.push(performance.now());
									if (++closedCount === SUBSCRIBERS) closedAll();
								} else if (status === 'CHANNEL_ERROR') reject(error ?? new Error(status));
							});
						})
				)
			);
			const start = performance.now();
			for (let i = 1; i <= updates; i++) {
				const due = start + (i * 1000) / RATE;
				const wait = due - performance.now();
				if (wait > 0) await new Promise((r) => setTimeout(r, wait));
				await admin.query('update public.jobs set progress = $2 where id = $1', [jobId, i]);
				acked.set(i, performance.now());
			}
			await deadline(allReceived, 30_000, `all ${updates * SUBSCRIBERS} deliveries`).catch((e: Error) => console.log(`job topic run ${run}: ${e.message} (got ${received})`));
			const latencies: number[] = [];
			let lost = 0;
			for (const list of receipts) {
				const seen = new Set<number>();
				for (const { progress: value, at } of list) {
					if (seen.has(value)) {
						lost++; // a repeat counts against delivery like a loss
						continue;
					}
					seen.add(value);
					latencies.push(at - acked.get(value)!);
				}
				lost += updates - seen.size;
			}
			if (lost !== 0) console.log(`job topic run ${run}: ${lost} deliveries missing or repeated`);
			topicLost += lost;
			const revokedAt = performance.now();
			await admin.query(`update public.jobs set visibility = 'private' where id = $1`, [jobId]);
			await deadline(allClosed, 10_000, 'every visitor channel closed after the job was made private');
			const revokeMax = closedAt.reduce((m, v) => Math.max(m, v), -Infinity) - revokedAt;
			topicLatencyP50s.push(quantile(latencies, 0.5));
			topicLatencyP95s.push(quantile(latencies, 0.95));
			revokeMaxes.push(revokeMax);
			console.log(
				`job topic run ${run}: ${updates} updates x ${SUBSCRIBERS} visitors, latency p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p95 ${quantile(latencies, 0.95).toFixed(1)} ms; all ${SUBSCRIBERS} closed ${revokeMax.toFixed(0)} ms after the job was made private`
			);
			for (const [i, v] of visitors.entries()) await v.removeChannel(channels[i]);
		}
		const topicP50 = median(topicLatencyP50s);
		results.push({ figure: `job topic update to ${SUBSCRIBERS} visitors, latency p50`, value: `${topicP50.toFixed(1)} ms`, goal: '<= 100 ms', ok: topicP50 <= 100 });
		results.push({ figure: `job topic update to ${SUBSCRIBERS} visitors, latency p95`, value: `${median(topicLatencyP95s).toFixed(1)} ms`, goal: 'reported', ok: null });
		results.push({ figure: 'job topic deliveries lost or repeated', value: String(topicLost), goal: '0', ok: topicLost === 0 });
		const revoke = median(revokeMaxes);
		results.push({ figure: `job made private until all ${SUBSCRIBERS} visitors are cut off`, value: `${revoke.toFixed(0)} ms`, goal: '<= 1000 ms', ok: revoke <= 1000 });
	}

	// 5. and 6. broadcast from the database at scale -------------------------------
	const topicBench = {
		admin,
		databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`,
		apiUrl: config.apiUrl,
		anonKey: config.anonKey,
		jwtSecret: config.jwtSecret,
		serverPid: server.pid!,
		runs: RUNS,
		seconds: SECONDS,
		results
	};
	if (PARTS.has(5)) await oneJobManyViewers(topicBench, `ws://127.0.0.1:${apiPort}/realtime/v1/websocket?apikey=${config.anonKey}&vsn=2.0.0`);
	if (PARTS.has(6)) await teamsOnline(topicBench);
} finally {
	for (const ws of sockets) ws.close();
	for (const c of clients) {
		await c.removeAllChannels().catch(() => {});
		void c.realtime.disconnect();
	}
	await admin?.end();
	if (server.exitCode === null) {
		const exited = new Promise((r) => server.once('exit', r));
		server.kill('SIGTERM');
		await deadline(exited, 30_000, 'stack stop').catch(() => server.kill('SIGKILL'));
	}
	rmSync(dir, { recursive: true, force: true });
}

reportFigures(results, loadBefore);
