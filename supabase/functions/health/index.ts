// GET or POST /functions/v1/health: is the platform up? Reports the database
// (a round trip and its latency) and the worker fleet (workers by compute
// class, and how many heartbeated recently). Public (verify_jwt = false), so
// it reveals counts only, never hosts or ids. 200 when the database answers,
// 503 when it does not.
//
// The database is reached with postgres.js (npm:postgres): pure JavaScript,
// no native add-on, so it runs unchanged on Deno and on Supabase's edge
// runtime, and the one small package is a fast cold start.
import postgres from 'postgres';
import { jsonResponse, preflight } from '../_shared/cors.ts';

/** A worker that heartbeated within this many seconds counts as online. */
const ONLINE_WITHIN_S = 60;
/** A health check answers promptly even when the database does not. */
const CHECK_TIMEOUT_MS = 5000;

const databaseUrl = Deno.env.get('SUPABASE_DB_URL');
// One connection, reused while the function stays warm. Supabase's pooler in
// transaction mode does not keep prepared statements, hence prepare: false.
const sql = databaseUrl ? postgres(databaseUrl, { max: 1, idle_timeout: 30, connect_timeout: 5, prepare: false }) : null;

interface DatabaseStatus {
	ok: boolean;
	latency_ms: number;
	error?: string;
}

type ClassCounts = Record<string, { online: number; total: number }>;
type FleetStatus =
	| { status: 'unknown'; reason: string }
	| { status: 'reported'; online: number; total: number; online_within_s: number; classes: ClassCounts };

function describe(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** The promise's value, or a rejection once `ms` have passed (postgres.js backs off between reconnects). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
	});
	return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function checkDatabase(): Promise<DatabaseStatus> {
	const started = performance.now();
	if (!sql) return { ok: false, latency_ms: 0, error: 'SUPABASE_DB_URL is not set' };
	try {
		await withDeadline(sql`select 1`.execute(), CHECK_TIMEOUT_MS);
		return { ok: true, latency_ms: Math.round(performance.now() - started) };
	} catch (error) {
		return { ok: false, latency_ms: Math.round(performance.now() - started), error: describe(error) };
	}
}

async function checkFleet(): Promise<FleetStatus> {
	if (!sql) return { status: 'unknown', reason: 'no database' };
	try {
		return await withDeadline(countWorkers(sql), CHECK_TIMEOUT_MS);
	} catch (error) {
		return { status: 'unknown', reason: describe(error) };
	}
}

async function countWorkers(db: postgres.Sql): Promise<FleetStatus> {
	const [{ present }] = await db<{ present: boolean }[]>`select to_regclass('public.workers') is not null as present`;
	if (!present) return { status: 'unknown', reason: 'the workers table does not exist yet' };
	const rows = await db<{ compute_class: string; online: number; total: number }[]>`
		select compute_class::text as compute_class,
		       count(*)::int as total,
		       count(*) filter (where last_seen_at > now() - make_interval(secs => ${ONLINE_WITHIN_S}))::int as online
		from public.workers
		group by compute_class
		order by compute_class`;
	const classes: ClassCounts = {};
	for (const row of rows) classes[row.compute_class] = { online: row.online, total: row.total };
	return {
		status: 'reported',
		online: rows.reduce((n, row) => n + row.online, 0),
		total: rows.reduce((n, row) => n + row.total, 0),
		online_within_s: ONLINE_WITHIN_S,
		classes
	};
}

Deno.serve(async (request) => {
	const answer = preflight(request);
	if (answer) return answer;
	if (request.method !== 'GET' && request.method !== 'POST') return jsonResponse({ error: 'Use GET or POST' }, 405);
	const database = await checkDatabase();
	const fleet = database.ok ? await checkFleet() : { status: 'unknown', reason: 'no database' };
	return jsonResponse({ status: database.ok ? 'ok' : 'degraded', database, fleet }, database.ok ? 200 : 503);
});
