// `npm run bench:realtime`: the local Realtime server under load.
//
// Starts the local stack in a child process (its own embedded Postgres on free
// ports, in a temporary folder), so the clients measured here do not share an
// event loop with the server. Then:
//  1. 1,000 idle websocket connections (each joined to one channel): the
//     server's resident memory per connection.
//  2. postgres_changes: 100 subscribers (each its own user and websocket) on a
//     table whose RLS policy looks up a membership table; rows are inserted at
//     a steady rate and every change is checked against each subscriber's RLS.
//     Latency is receipt time minus the change's commit_timestamp.
//  3. Broadcast round trip: a self-broadcast sent and received by one client.
// Prints medians and each figure against its goal.
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DEMO_JWT_SECRET, loadConfig, projectRoot } from '../supabase/local/config.ts';
import { signJwt } from '../supabase/local/jwt.ts';
import { freePort } from '../supabase/local/ports.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE ?? 1000);
const ROUND_TRIPS = 300;


function quantile(values: number[], q: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
		promise.then(
			(v) => (clearTimeout(timer), resolve(v)),
			(e) => (clearTimeout(timer), reject(e))
		);
	});
}

function rssKiB(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

const results: Array<{ figure: string; value: string; goal: string; ok: boolean | null }> = [];

const dir = mkdtempSync('/tmp/foldwork-bench-realtime-');
chmodSync(dir, 0o755);
const [apiPort, dbPort, mailPort, smtpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
const env = {
	...process.env,
	API_PORT: String(apiPort),
	DB_PORT: String(dbPort),
	MAIL_PORT: String(mailPort),
	SMTP_PORT: String(smtpPort),
	PGDATA_DIR: path.join(dir, 'postgres'),
	JWT_SECRET: process.env.JWT_SECRET ?? DEMO_JWT_SECRET
};
const config = loadConfig({ env, overrides: { apiPort, dbPort, mailWebPort: mailPort, smtpPort, dataDir: env.PGDATA_DIR } });
const server = spawn(process.execPath, [path.join(projectRoot, 'supabase/local/main.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

	// 2. postgres_changes to many RLS-checked subscribers ----------------------
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

	const received = new Map<number, number>();
	const latencies: number[] = [];
	const subscribe = async (user: string) => {
		const token = signJwt({ sub: user, role: 'authenticated', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3600 }, config.jwtSecret);
		const c = createClient(config.apiUrl, config.anonKey, { accessToken: async () => token });
		clients.push(c);
		await c.realtime.setAuth(token);
		await new Promise<void>((resolve, reject) => {
			const channel: RealtimeChannel = c
				.channel(`bench-${user}`)
				.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'bench_events' }, (p) => {
					const now = Date.now();
					latencies.push(now - Date.parse(p.commit_timestamp));
					const id = Number((p.new as { id: number }).id);
					received.set(id, (received.get(id) ?? 0) + 1);
				})
				.on('system', {}, (m: { message?: string }) => m.message === 'Subscribed to PostgreSQL' && resolve());
			channel.subscribe((status, error) => (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') && reject(error ?? new Error(status)));
		});
	};
	for (let i = 0; i < users.length; i += 20) await deadline(Promise.all(users.slice(i, i + 20).map(subscribe)), 60_000, 'subscribers');
	console.log(`${SUBSCRIBERS} subscribers ready`);

	const total = RATE * SECONDS;
	const started = performance.now();
	const inserts: Promise<unknown>[] = [];
	for (let i = 0; i < total; i++) {
		const due = started + (i * 1000) / RATE;
		const wait = due - performance.now();
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		inserts.push(admin.query('insert into public.bench_events (body) values ($1)', [`event ${i}`]));
	}
	await Promise.all(inserts);
	const writeSeconds = (performance.now() - started) / 1000;
	const expected = total * SUBSCRIBERS;
	await deadline(
		new Promise<void>((resolve) => {
			const poll = setInterval(() => {
				if (latencies.length >= expected) {
					clearInterval(poll);
					resolve();
				}
			}, 20);
		}),
		60_000,
		`all ${expected} deliveries (got ${latencies.length})`
	).catch((e: Error) => console.log(e.message));
	const deliveredSeconds = (performance.now() - started) / 1000;
	const complete = [...received.values()].filter((n) => n === SUBSCRIBERS).length;
	const partial = [...received.entries()].filter(([, n]) => n !== SUBSCRIBERS);
	if (partial.length > 0 || received.size < total) {
		console.log(`incomplete: ${total - received.size} changes reached nobody; partial deliveries: ${JSON.stringify(partial.slice(0, 10))}`);
	}
	const rate = complete / deliveredSeconds;
	const p50 = quantile(latencies, 0.5);
	const p95 = quantile(latencies, 0.95);
	console.log(
		`postgres_changes: ${total} changes in ${writeSeconds.toFixed(1)} s, ${latencies.length}/${expected} deliveries, ` +
			`latency p50 ${p50} ms, p95 ${p95} ms, p99 ${quantile(latencies, 0.99)} ms, max ${Math.max(...latencies)} ms`
	);
	results.push({ figure: `change -> ${SUBSCRIBERS} RLS-checked subscribers, p95 latency`, value: `${p95} ms (median ${p50} ms)`, goal: '<= 100 ms', ok: p95 <= 100 });
	results.push({ figure: 'changes/s delivered to every subscriber', value: rate.toFixed(1), goal: `>= ${RATE}`, ok: rate >= 100 && latencies.length === expected });
	for (const c of clients.splice(0)) await c.removeAllChannels();

	// 3. broadcast round trip ---------------------------------------------------
	const c = createClient(config.apiUrl, config.anonKey);
	clients.push(c);
	let onEcho: (() => void) | null = null;
	const channel = c.channel('bench-rtt', { config: { broadcast: { self: true } } }).on('broadcast', { event: 'ping' }, () => onEcho?.());
	await new Promise<void>((resolve, reject) => channel.subscribe((s, e) => (s === 'SUBSCRIBED' ? resolve() : s !== 'CLOSED' && reject(e ?? new Error(s)))));
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
	const rttP50 = quantile(rtts, 0.5);
	console.log(`broadcast round trip: p50 ${rttP50.toFixed(2)} ms, p95 ${quantile(rtts, 0.95).toFixed(2)} ms over ${ROUND_TRIPS}`);
	results.push({ figure: 'broadcast round trip p50', value: `${rttP50.toFixed(2)} ms`, goal: '<= 5 ms', ok: rttP50 <= 5 });
} finally {
	for (const ws of sockets) ws.close();
	for (const c of clients) await c.removeAllChannels().catch(() => {});
	await admin?.end();
	if (server.exitCode === null) {
		const exited = new Promise((r) => server.once('exit', r));
		server.kill('SIGTERM');
		await deadline(exited, 30_000, 'stack stop').catch(() => server.kill('SIGKILL'));
	}
	rmSync(dir, { recursive: true, force: true });
}

console.log('\nfigure | value | goal | met');
for (const r of results) console.log(`${r.figure} | ${r.value} | ${r.goal} | ${r.ok === null ? '-' : r.ok ? 'yes' : 'NO'}`);
if (results.some((r) => r.ok === false)) process.exitCode = 1;
