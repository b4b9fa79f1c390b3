// The two figures of broadcast from the database at scale (issue 15), run by
// `npm run bench:realtime` against the same child stack as its other parts:
//  5. One job watched by BENCH_JOB_VIEWERS viewers (1,000: half of them
//     members of its team, signed in, half anonymous visitors with its link)
//     on its private topic `job:<id>`, while the job changes at
//     BENCH_JOB_RATE (210) changes a second: every change must reach every
//     viewer, once. Then the job is made private: how long until every
//     visitor is cut off. The viewers are lean Phoenix clients
//     (./phoenix-viewer.ts): a thousand supabase-js clients in this process
//     (or even a thousand `ws` clients) would measure the bench, not the
//     server.
//  6. Users online across teams of BENCH_TEAM_SIZE (10), each following their
//     team's private topic `team:<id>` with supabase-js as the app's pages
//     do, while BENCH_TEAM_RATE (500) job changes a second happen across the
//     teams (one running job per team, round robin). Run with 100 and with
//     1,000 users online (10 and 100 teams): each change reaches the same 10
//     people either way, so the server and Postgres CPU per change should not
//     depend on how many are online.
// Part 6's latency is receipt minus the writer's commit acknowledgment (same
// process, same clock); its writers commit synchronously, as on hosted
// Supabase (see bench/realtime.ts). Part 5's writer cannot: one row takes one
// commit after another, and a synchronous commit on this machine's shared
// disk takes 2 to 20 ms (its fsync), fewer than 200 a second. It commits as
// the local stack does (synchronous_commit off), so its latency also holds
// the WAL writer's wait before logical decoding sees the commit
// (wal_writer_delay). And it is measured from the update's start by the
// database's own clock (the job's updated_at, returned by the update), not
// from when this process saw the acknowledgment: with a thousand viewers
// read on the same thread, that was 1.3 ms after the update's start at p50
// and 7 ms at p95, which made the latency look shorter than it is. Receipt
// times are on this process's clock (performance.timeOrigin + now() is the
// machine's time, as PostgreSQL's now() is): a figure on the safe side.
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { signJwt } from '../supabase/local/jwt.ts';
import { deadline, median, type Figure } from './measure.ts';
import { PhoenixViewer } from './phoenix-viewer.ts';
import { treeCpuSeconds } from './process-cpu.ts';


export interface TopicBenchContext {
	admin: pg.Pool;
	/** Superuser URL of the stack's database (the writers open their own connections). */
	databaseUrl: string;
	apiUrl: string;
	anonKey: string;
	jwtSecret: string;
	serverPid: number;
	runs: number;
	seconds: number;
	results: Figure[];
}

const JOB_VIEWERS = Number(process.env.BENCH_JOB_VIEWERS ?? 1000);
const JOB_RATE = Number(process.env.BENCH_JOB_RATE ?? 210);
const TEAM_SIZE = Number(process.env.BENCH_TEAM_SIZE ?? 10);
const TEAM_RATE = Number(process.env.BENCH_TEAM_RATE ?? 500);
const ONLINE = (process.env.BENCH_ONLINE ?? '100,1000').split(',').map(Number);

/** The value at quantile q of a typed array, sorted in place. */
function quantileOf(values: Float64Array, q: number): number {
	if (values.length === 0) return NaN;
	values.sort();
	return values[Math.min(values.length - 1, Math.floor(q * values.length))];
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

/** `n` confirmed users (the database gives each a profile and a personal team); their ids. */
async function createUsers(admin: pg.Pool, n: number, label: string): Promise<string[]> {
	const { rows } = await admin.query<{ id: string }>(
		`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
		 select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
		        format('bench-%s-%s-%s@example.test', $2::text, g, left(gen_random_uuid()::text, 8)), '', now(), '{}', '{}', now(), now()
		   from generate_series(1, $1::int) g
		 returning id`,
		[n, label]
	);
	return rows.map((r) => r.id);
}

function userToken(ctx: TopicBenchContext, userId: string): string {
	return signJwt({ sub: userId, role: 'authenticated', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 3 * 3600 }, ctx.jwtSecret);
}

/** A running job of `teamId` (pending, queued, processing), `visibility` as given. */
async function runningJob(admin: pg.Pool, teamId: string, submittedBy: string, visibility: string): Promise<string> {
	const { rows } = await admin.query<{ id: string }>(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input, visibility)
		 values ($1, 'molecule-properties', $2, 'bench', '{"molecules":[{"id":"m","smiles":"C"}]}', $3) returning id`,
		[teamId, submittedBy, visibility]
	);
	await admin.query(`update public.jobs set status = 'queued' where id = $1`, [rows[0].id]);
	await admin.query(`update public.jobs set status = 'processing' where id = $1`, [rows[0].id]);
	return rows[0].id;
}

const JOB_UPDATED = Buffer.from('job_updated');

/** Where the change number sits in a job's JSON: the writer puts it in progress_message as "bench <n>". */
const MARK = Buffer.from('"progress_message": "bench ');

/** Where the mark was last found (from the payload's start): every viewer gets the same job's JSON, so it is close by. */
let markAt = 0;

/** The change number in the payload data[start, end). */
function changeNumber(data: Buffer, start: number, end: number): number {
	// Searching each 1.5 kB payload whole for the mark was the bench's largest cost (a thousand times per change);
	// it moves by a few bytes between changes (timestamps and numbers of varying length).
	let at = data.indexOf(MARK, Math.max(start, start + markAt - 32));
	if (at < 0 || at >= end) at = data.indexOf(MARK, start);
	if (at < 0 || at >= end) return -1;
	markAt = at - start;
	let n = 0;
	for (let i = at + MARK.length; i < end; i++) {
		const c = data[i];
		if (c < 48 || c > 57) break;
		n = n * 10 + c - 48;
	}
	return n;
}

function writerPool(ctx: TopicBenchContext, max: number, synchronousCommit = true): pg.Pool {
	// Hosted Supabase commits synchronously (the local cluster runs with synchronous_commit off).
	const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max, options: `-c synchronous_commit=${synchronousCommit ? 'on' : 'off'}` });
	pool.on('error', () => {});
	return pool;
}

function cpuSince(ctx: TopicBenchContext, before: { stack: ReturnType<typeof treeCpuSeconds>; bench: NodeJS.CpuUsage }, changes: number) {
	const stack = treeCpuSeconds(ctx.serverPid);
	const bench = process.cpuUsage(before.bench);
	const per = (seconds: number) => (seconds * 1000) / changes;
	return { server: per(stack.self - before.stack.self), postgres: per(stack.below - before.stack.below), bench: per((bench.user + bench.system) / 1e6) };
}

function cpuNow(ctx: TopicBenchContext) {
	return { stack: treeCpuSeconds(ctx.serverPid), bench: process.cpuUsage() };
}

// 5. One job, many viewers -----------------------------------------------------------------
export async function oneJobManyViewers(ctx: TopicBenchContext, wsUrl: string): Promise<void> {
	const { admin } = ctx;
	const memberCount = Math.floor(JOB_VIEWERS / 2);
	const [owner] = await createUsers(admin, 1, 'job-owner');
	const { rows: team } = await admin.query<{ team_id: string }>('select team_id from public.team_members where user_id = $1', [owner]);
	const teamId = team[0].team_id;
	const members = await createUsers(admin, memberCount, 'job-member');
	await admin.query(`insert into public.team_members (team_id, user_id, role) select $1, unnest($2::uuid[]), 'member'`, [teamId, members]);
	const jobId = await runningJob(admin, teamId, owner, 'public');
	const topic = `job:${jobId}`;

	const total = Math.round(JOB_RATE * ctx.seconds);
	/** Receipt time of each change at each viewer (0: not yet), by viewer * total + change. */
	const arrivals = new Float64Array(JOB_VIEWERS * total);
	let runBase = 0;
	let received = 0;
	let repeated = 0;
	let onReceived: (() => void) | null = null;
	const viewers: PhoenixViewer[] = [];
	let closedLinkViewers = 0;
	let allLinkViewersClosed: () => void = () => {};
	const linkViewersClosed = new Promise<void>((resolve) => (allLinkViewersClosed = resolve));
	let lastClosedAt = 0;
	const connect = (index: number) =>
		PhoenixViewer.join({
			url: wsUrl,
			topic,
			accessToken: index < memberCount ? userToken(ctx, members[index]) : ctx.anonKey,
			onBroadcast: ({ data, eventStart, eventEnd, payloadStart, payloadEnd }) => {
				if (data.compare(JOB_UPDATED, 0, JOB_UPDATED.length, eventStart, eventEnd) !== 0) return;
				const n = changeNumber(data, payloadStart, payloadEnd) - runBase;
				if (n < 0 || n >= total) return;
				const slot = index * total + n;
				if (arrivals[slot] !== 0) {
					repeated++;
					return;
				}
				arrivals[slot] = performance.now();
				received++;
				onReceived?.();
			},
			onClose: () => {
				if (index < memberCount) return;
				lastClosedAt = performance.now();
				if (++closedLinkViewers === JOB_VIEWERS - memberCount) allLinkViewersClosed();
			}
		});
	const joinStarted = performance.now();
	for (let i = 0; i < JOB_VIEWERS; i += 50) {
		viewers.push(...(await deadline(Promise.all(Array.from({ length: Math.min(50, JOB_VIEWERS - i) }, (_, k) => connect(i + k))), 60_000, 'viewers joining')));
	}
	console.log(`one job: ${JOB_VIEWERS} viewers joined ${topic} (${memberCount} team members, ${JOB_VIEWERS - memberCount} anonymous with the link) in ${((performance.now() - joinStarted) / 1000).toFixed(1)} s`);

	const writers = writerPool(ctx, 1, false);
	const writer = await writers.connect();
	const runs: Array<{ p50: number; p95: number; rate: number; lost: number; repeated: number; cpu: ReturnType<typeof cpuSince> }> = [];
	try {
		for (let run = 1; run <= ctx.runs; run++) {
			arrivals.fill(0);
			received = 0;
			repeated = 0;
			runBase = run * 1_000_000;
			const expected = total * JOB_VIEWERS;
			const allReceived = new Promise<void>((resolve) => {
				onReceived = () => received >= expected && resolve();
			});
			const committed = new Float64Array(total);
			const before = cpuNow(ctx);
			const started = performance.now();
			// One connection, one change after another (the job's row is locked by each): a change due while the
			// previous one is still being written waits for it, so a slow database shows as a lower rate.
			let writes: Promise<unknown> = Promise.resolve();
			for (let i = 0; i < total; i++) {
				const wait = started + (i * 1000) / JOB_RATE - performance.now();
				if (wait > 0) await new Promise((r) => setTimeout(r, wait));
				writes = writes.then(() =>
					writer
						.query<{ at: string }>('update public.jobs set progress = $2, progress_message = $3 where id = $1 returning extract(epoch from updated_at) * 1000 as at', [
							jobId,
							1 + (i % 99),
							`bench ${runBase + i}`
						])
						.then(({ rows }) => {
							// The update's start by the database's clock, on this process's clock: just before its commit.
							committed[i] = Number(rows[0].at) - performance.timeOrigin;
						})
				);
			}
			await writes;
			const writeSeconds = (performance.now() - started) / 1000;
			await deadline(allReceived, 30_000, `all ${expected} deliveries`).catch((e: Error) => console.log(`one job run ${run}: ${e.message} (got ${received})`));
			onReceived = null;
			const cpu = cpuSince(ctx, before, total);
			const latencies = new Float64Array(received);
			let k = 0;
			let lost = 0;
			let lastReceipt = started;
			let complete = 0;
			for (let n = 0; n < total; n++) {
				let everyone = true;
				for (let v = 0; v < JOB_VIEWERS; v++) {
					const at = arrivals[v * total + n];
					if (at === 0) {
						lost++;
						everyone = false;
						continue;
					}
					latencies[k++] = at - committed[n];
					if (at > lastReceipt) lastReceipt = at;
				}
				if (everyone) complete++;
			}
			const rate = complete / ((lastReceipt - started) / 1000);
			const p50 = quantileOf(latencies, 0.5);
			const p95 = quantileOf(latencies, 0.95);
			const max = latencies.length ? latencies[latencies.length - 1] : NaN;
			console.log(
				`one job run ${run}: ${total} changes written in ${writeSeconds.toFixed(1)} s; ${received}/${expected} delivered, ${lost} lost, ${repeated} repeated; ` +
					`${rate.toFixed(1)} changes/s to all ${JOB_VIEWERS}; latency from commit p50 ${ms(p50)}, p95 ${ms(p95)}, p99 ${ms(quantileOf(latencies, 0.99))}, max ${ms(max)}; ` +
					`CPU per change: server ${cpu.server.toFixed(2)} ms, postgres ${cpu.postgres.toFixed(2)} ms, bench (writer and ${JOB_VIEWERS} viewers) ${cpu.bench.toFixed(2)} ms`
			);
			runs.push({ p50, p95, rate, lost, repeated, cpu });
		}
	} finally {
		writer.release();
		await writers.end();
	}
	const rate = median(runs.map((r) => r.rate));
	const p95 = median(runs.map((r) => r.p95));
	const missed = runs.reduce((n, r) => n + r.lost + r.repeated, 0);
	ctx.results.push({ figure: `one job -> ${JOB_VIEWERS} viewers (team and link), changes/s delivered to all (offered ${JOB_RATE}/s)`, value: rate.toFixed(1), goal: '>= 200', ok: rate >= 200 });
	ctx.results.push({ figure: `one job -> ${JOB_VIEWERS} viewers, p95 latency from commit`, value: `${ms(p95)} (p50 ${ms(median(runs.map((r) => r.p50)))})`, goal: '<= 50 ms', ok: p95 <= 50 });
	ctx.results.push({ figure: `one job -> ${JOB_VIEWERS} viewers, deliveries lost or repeated`, value: String(missed), goal: '0', ok: missed === 0 });
	ctx.results.push({
		figure: `one job -> ${JOB_VIEWERS} viewers, CPU per change (server / postgres)`,
		value: `${median(runs.map((r) => r.cpu.server)).toFixed(2)} ms / ${median(runs.map((r) => r.cpu.postgres)).toFixed(2)} ms`,
		goal: 'reported',
		ok: null
	});

	// Made private: every visitor with the link is cut off (members keep it).
	const revokedAt = performance.now();
	await admin.query(`update public.jobs set visibility = 'private' where id = $1`, [jobId]);
	await deadline(linkViewersClosed, 10_000, 'every link viewer cut off').catch((e: Error) => console.log(`${e.message} (${closedLinkViewers} closed)`));
	const cutOff = lastClosedAt - revokedAt;
	console.log(`one job: made private; all ${JOB_VIEWERS - memberCount} link viewers cut off after ${cutOff.toFixed(0)} ms; ${viewers.filter((v, i) => i < memberCount && !v.closed).length} members still on`);
	ctx.results.push({ figure: `one job made private until all ${JOB_VIEWERS - memberCount} link viewers are cut off`, value: `${cutOff.toFixed(0)} ms`, goal: '<= 1000 ms', ok: closedLinkViewers === JOB_VIEWERS - memberCount && cutOff <= 1000 });
	for (const v of viewers) v.close();
}

// 6. Users online across teams ---------------------------------------------------------------
interface TeamsRun {
	p50: number;
	p95: number;
	lost: number;
	repeated: number;
	rate: number;
	cpu: ReturnType<typeof cpuSince>;
}

export async function teamsOnline(ctx: TopicBenchContext): Promise<void> {
	const { admin } = ctx;
	const most = Math.max(...ONLINE);
	const teamCount = Math.ceil(most / TEAM_SIZE);
	const users = await createUsers(admin, teamCount * TEAM_SIZE, 'team-member');
	const { rows: teams } = await admin.query<{ id: string }>(
		`insert into public.teams (name, created_by) select format('Bench team %s', g), $1 from generate_series(1, $2::int) g returning id`,
		[users[0], teamCount]
	);
	const memberships = users.map((u, i) => ({ user: u, team: teams[Math.floor(i / TEAM_SIZE)].id }));
	await admin.query(`insert into public.team_members (team_id, user_id, role) select unnest($1::uuid[]), unnest($2::uuid[]), 'member'`, [
		memberships.map((m) => m.team),
		memberships.map((m) => m.user)
	]);
	const jobs: string[] = [];
	for (let t = 0; t < teamCount; t++) jobs.push(await runningJob(admin, teams[t].id, users[t * TEAM_SIZE], 'private'));

	const byOnline = new Map<number, TeamsRun[]>();
	for (const online of ONLINE) {
		const onlineTeams = Math.ceil(online / TEAM_SIZE);
		const people = memberships.slice(0, onlineTeams * TEAM_SIZE);
		const total = Math.round(TEAM_RATE * ctx.seconds);
		const arrivals = new Float64Array(people.length * total);
		let runBase = 0;
		let received = 0;
		let repeated = 0;
		let onReceived: (() => void) | null = null;
		const clients: SupabaseClient[] = [];
		const join = async (index: number) => {
			const token = userToken(ctx, people[index].user);
			const client = createClient(ctx.apiUrl, ctx.anonKey, { accessToken: async () => token });
			clients.push(client);
			await client.realtime.setAuth(token);
			await new Promise<void>((resolve, reject) => {
				const channel: RealtimeChannel = client
					.channel(`team:${people[index].team}`, { config: { private: true } })
					.on('broadcast', { event: 'job_updated' }, (message: { payload?: { job?: { progress_message?: string } } }) => {
						const n = Number(message.payload?.job?.progress_message?.slice('bench '.length)) - runBase;
						if (!(n >= 0 && n < total)) return;
						// Each person's team gets the changes of its own job only: the slot is per person and change.
						const slot = index * total + n;
						if (arrivals[slot] !== 0) {
							repeated++;
							return;
						}
						arrivals[slot] = performance.now();
						received++;
						onReceived?.();
					});
				channel.subscribe((status, error) => {
					if (status === 'SUBSCRIBED') resolve();
					else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status));
				});
			});
		};
		const joinStarted = performance.now();
		for (let i = 0; i < people.length; i += 50) {
			await deadline(Promise.all(Array.from({ length: Math.min(50, people.length - i) }, (_, k) => join(i + k))), 60_000, 'team members joining');
		}
		console.log(`teams: ${people.length} users online in ${onlineTeams} teams of ${TEAM_SIZE}, each on their team's topic (joined in ${((performance.now() - joinStarted) / 1000).toFixed(1)} s)`);

		// Several connections, so that synchronous commits of different jobs overlap (group commit).
		const writers = writerPool(ctx, 8);
		const connections = await Promise.all(Array.from({ length: 8 }, () => writers.connect()));
		for (const c of connections) c.release();
		const runs: TeamsRun[] = [];
		try {
			for (let run = 1; run <= ctx.runs; run++) {
				arrivals.fill(0);
				received = 0;
				repeated = 0;
				runBase = online * 10_000_000 + run * 1_000_000;
				const expected = total * TEAM_SIZE;
				const allReceived = new Promise<void>((resolve) => {
					onReceived = () => received >= expected && resolve();
				});
				const acked = new Float64Array(total);
				const before = cpuNow(ctx);
				const started = performance.now();
				const writes: Promise<unknown>[] = [];
				for (let i = 0; i < total; i++) {
					const wait = started + (i * 1000) / TEAM_RATE - performance.now();
					if (wait > 0) await new Promise((r) => setTimeout(r, wait));
					writes.push(
						writers.query('update public.jobs set progress = $2, progress_message = $3 where id = $1', [jobs[i % onlineTeams], 1 + (i % 99), `bench ${runBase + i}`]).then(() => {
							acked[i] = performance.now();
						})
					);
				}
				await Promise.all(writes);
				const writeSeconds = (performance.now() - started) / 1000;
				await deadline(allReceived, 30_000, `all ${expected} deliveries`).catch((e: Error) => console.log(`teams run ${run}: ${e.message} (got ${received})`));
				onReceived = null;
				const cpu = cpuSince(ctx, before, total);
				// Change i went to team i % onlineTeams: its members, and nobody else, should have it once.
				const latencies = new Float64Array(expected);
				let k = 0;
				let lost = 0;
				let misdelivered = 0;
				let lastReceipt = started;
				for (let p = 0; p < people.length; p++) {
					const teamIndex = Math.floor(p / TEAM_SIZE);
					for (let n = 0; n < total; n++) {
						const at = arrivals[p * total + n];
						const theirs = n % onlineTeams === teamIndex;
						if (!theirs) {
							if (at !== 0) misdelivered++;
							continue;
						}
						if (at === 0) {
							lost++;
							continue;
						}
						latencies[k++] = at - acked[n];
						if (at > lastReceipt) lastReceipt = at;
					}
				}
				const measured = latencies.subarray(0, k);
				const rate = (total - Math.ceil(lost / TEAM_SIZE)) / ((lastReceipt - started) / 1000);
				const p50 = quantileOf(measured, 0.5);
				const p95 = quantileOf(measured, 0.95);
				console.log(
					`teams (${people.length} online) run ${run}: ${total} changes written in ${writeSeconds.toFixed(1)} s; ${k}/${expected} delivered, ${lost} lost, ${repeated} repeated, ${misdelivered} to another team; ` +
						`${rate.toFixed(1)} changes/s; latency from commit p50 ${ms(p50)}, p95 ${ms(p95)}, p99 ${ms(quantileOf(measured, 0.99))}, max ${ms(measured[measured.length - 1] ?? NaN)}; ` +
						`CPU per change: server ${cpu.server.toFixed(2)} ms, postgres ${cpu.postgres.toFixed(2)} ms, bench (writer and ${people.length} supabase-js clients) ${cpu.bench.toFixed(2)} ms`
				);
				runs.push({ p50, p95, lost: lost + misdelivered, repeated, rate, cpu });
			}
		} finally {
			await writers.end();
			for (const c of clients) {
				await c.removeAllChannels().catch(() => {});
				void c.realtime.disconnect();
			}
		}
		byOnline.set(online, runs);
		const p95 = median(runs.map((r) => r.p95));
		const missed = runs.reduce((n, r) => n + r.lost + r.repeated, 0);
		ctx.results.push({ figure: `${people.length} users online in ${onlineTeams} teams, ${TEAM_RATE} job changes/s: p95 latency from commit`, value: `${ms(p95)} (p50 ${ms(median(runs.map((r) => r.p50)))})`, goal: '<= 50 ms', ok: p95 <= 50 });
		ctx.results.push({ figure: `${people.length} users online: job changes/s delivered`, value: median(runs.map((r) => r.rate)).toFixed(1), goal: `>= ${TEAM_RATE * 0.98}`, ok: median(runs.map((r) => r.rate)) >= TEAM_RATE * 0.98 });
		ctx.results.push({ figure: `${people.length} users online: deliveries lost, repeated or to another team`, value: String(missed), goal: '0', ok: missed === 0 });
		ctx.results.push({
			figure: `${people.length} users online: CPU per change, server / postgres`,
			value: `${median(runs.map((r) => r.cpu.server)).toFixed(3)} ms / ${median(runs.map((r) => r.cpu.postgres)).toFixed(3)} ms`,
			goal: 'reported',
			ok: null
		});
	}
	if (ONLINE.length >= 2) {
		const [few, many] = [Math.min(...ONLINE), Math.max(...ONLINE)];
		const perChange = (online: number) => median(byOnline.get(online)!.map((r) => r.cpu.server + r.cpu.postgres));
		const ratio = perChange(many) / perChange(few);
		ctx.results.push({
			figure: `server + postgres CPU per change, ${many} users online / ${few} online`,
			value: `${ratio.toFixed(2)} (${perChange(many).toFixed(3)} ms / ${perChange(few).toFixed(3)} ms)`,
			goal: '<= 1.25 (independent of users online)',
			ok: ratio <= 1.25
		});
	}
}

