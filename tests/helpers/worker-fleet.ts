// Worker tests and the worker bench: real worker processes on a database of
// their own, users who submit and cancel through the real RPCs, and waits on
// conditions with deadlines (never sleeps).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { tools as fixtureTools } from '../fixtures/worker-tools.ts';
import { startStorageGateway, type StorageGateway } from './storage-gateway.ts';
import { waitFor } from './wait.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE_TOOLS_MODULE = path.join(root, 'tests/fixtures/worker-tools.ts');

/** Registers the fixture tools in this database (tests/fixtures/worker-tools.ts) and shortens the fleet's stale limit. */
export async function prepareWorkerDatabase(db: pg.Pool, options: { staleAfterSeconds?: number; maxAttempts?: number } = {}): Promise<void> {
	for (const tool of fixtureTools) {
		const c = tool.catalog;
		await db.query(
			`insert into public.tools (id, name, category, description, compute_class, input_kind, items_field, pricing_kind,
			   pricing_credits, time_limit_seconds, max_input_bytes, max_items, enabled)
			 values ($1, $2, $3, $4, $5, $6, $7, 'flat', $8, $9, $10, $11, true) on conflict (id) do nothing`,
			[c.id, c.name, c.category, c.description, c.computeClass, c.inputKind, c.itemsField, c.pricing.kind === 'flat' ? c.pricing.credits : 1, c.timeLimitSeconds, c.maxInputBytes, c.maxItems]
		);
	}
	await db.query('update private.fleet_policy set stale_after_seconds = $1, max_attempts = $2', [options.staleAfterSeconds ?? 3, options.maxAttempts ?? 3]);
	// Fleet tests and benches load the fleet from one team; the per-team limits have their own tests (tests/db/team-quotas, fair-dispatch).
	await db.query('update private.quota_defaults set running_cpu = 100000, running_gpu = 100000, max_waiting = 1000000, input_bytes_per_day = 1099511627776');
}

export interface TestUser {
	id: string;
	teamId: string;
}

/** A confirmed user with a personal team; `credits` tops the team up (it starts with 100). */
export async function createUser(db: pg.Pool, credits = 0): Promise<TestUser> {
	const id = randomUUID();
	await db.query(
		`insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data, created_at, updated_at)
		 values ($1, 'authenticated', 'authenticated', $2, now(), '{}', now(), now())`,
		[id, `worker-${id.slice(0, 8)}@example.test`]
	);
	const { rows } = await db.query('select team_id from public.team_members where user_id = $1', [id]);
	const teamId = rows[0].team_id as string;
	if (credits > 0) await db.query(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, $2, 'grant', 'test')`, [teamId, credits]);
	return { id, teamId };
}

/** Runs sql as the signed-in user (role authenticated with their JWT claims), like a PostgREST request. */
export async function asUser<T extends pg.QueryResultRow>(db: pg.Pool, user: TestUser, sql: string, params: unknown[]): Promise<T[]> {
	const client = await db.connect();
	try {
		await client.query('begin');
		await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
			JSON.stringify({ sub: user.id, role: 'authenticated' })
		]);
		const { rows } = await client.query<T>(sql, params);
		await client.query('commit');
		return rows;
	} catch (error) {
		await client.query('rollback').catch(() => {});
		throw error;
	} finally {
		client.release();
	}
}

export async function submitJob(db: pg.Pool, user: TestUser, toolId: string, input: object, settings: object = {}): Promise<string> {
	const rows = await asUser<{ id: string }>(db, user, 'select id from public.submit_job($1, $2, $3, $4)', [toolId, `${toolId} job`, input, settings]);
	return rows[0].id;
}

export async function cancelJob(db: pg.Pool, user: TestUser, jobId: string): Promise<void> {
	await asUser(db, user, 'select public.cancel_job($1)', [jobId]);
}

export interface JobRow {
	id: string;
	status: string;
	progress: number;
	progress_message: string | null;
	attempt: number;
	error_message: string | null;
	error_code: string | null;
	result: any;
	worker_id: string | null;
}

export async function getJob(db: pg.Pool, jobId: string): Promise<JobRow> {
	const { rows } = await db.query<JobRow>('select * from public.jobs where id = $1', [jobId]);
	if (!rows[0]) throw new Error(`job ${jobId} not found`);
	return rows[0];
}

export async function statusHistory(db: pg.Pool, jobId: string): Promise<string[]> {
	const { rows } = await db.query<{ to_status: string }>('select to_status from public.job_events where job_id = $1 order by id', [jobId]);
	return rows.map((r) => r.to_status);
}


export async function waitForStatus(db: pg.Pool, jobId: string, statuses: string | string[], timeoutMs = 15_000): Promise<JobRow> {
	const wanted = Array.isArray(statuses) ? statuses : [statuses];
	return waitFor(`job ${jobId} to be ${wanted.join(' or ')}`, async () => {
		const job = await getJob(db, jobId);
		return wanted.includes(job.status) ? job : undefined;
	}, timeoutMs);
}

export interface WorkerProcess {
	child: ChildProcess;
	workerId: string;
	pid: number;
	/** Everything the worker logged (stderr). */
	logs(): string;
	/** Resolves with the exit code (or signal) once the process is gone. */
	exited: Promise<number | string>;
	/** SIGTERM and wait for the exit; returns the exit code. */
	stop(timeoutMs?: number): Promise<number | string>;
	kill(): Promise<number | string>;
}

export interface WorkerProcessOptions {
	computeClass?: 'cpu' | 'gpu';
	concurrency?: number;
	env?: Record<string, string>;
	args?: string[];
	readyTimeoutMs?: number;
}

const spawned = new Set<WorkerProcess>();
const gateways = new Map<string, Promise<StorageGateway>>();

/** The Storage service of this database (started on first use; workers write job files through it). */
export function storageFor(databaseUrl: string): Promise<StorageGateway> {
	let gateway = gateways.get(databaseUrl);
	if (!gateway) {
		gateway = startStorageGateway(databaseUrl);
		gateways.set(databaseUrl, gateway);
	}
	return gateway;
}

/** Stops the Storage services started for workers (afterAll, end of a bench). */
export async function stopStorageGateways(): Promise<void> {
	const started = [...gateways.values()];
	gateways.clear();
	await Promise.all(started.map(async (g) => (await g).stop()));
}

export async function startWorkerProcess(databaseUrl: string, options: WorkerProcessOptions = {}): Promise<WorkerProcess> {
	const args = [path.join(root, 'worker/main.ts'), '--class', options.computeClass ?? 'cpu', '--concurrency', String(options.concurrency ?? 4), ...(options.args ?? [])];
	const storage = await storageFor(databaseUrl);
	const child = spawn(process.execPath, args, {
		cwd: root,
		env: {
			...process.env,
			DATABASE_URL: databaseUrl,
			SUPABASE_URL: storage.url,
			SUPABASE_SERVICE_ROLE_KEY: storage.serviceRoleKey,
			FOLDWORK_EXTRA_TOOLS: FIXTURE_TOOLS_MODULE,
			...options.env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stderr = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
		if (process.env.FOLDWORK_TEST_WORKER_LOGS) process.stderr.write(chunk);
	});
	const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
	const ready = new Promise<string>((resolve, reject) => {
		const lines = createInterface({ input: child.stdout! });
		lines.on('line', (line) => {
			try {
				const parsed = JSON.parse(line) as { ready?: boolean; workerId?: string };
				if (parsed.ready && parsed.workerId) resolve(parsed.workerId);
			} catch {
				// not the ready line
			}
		});
		void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready:\n${stderr}`)));
		setTimeout(() => reject(new Error(`worker not ready after ${options.readyTimeoutMs ?? 30_000} ms:\n${stderr}`)), options.readyTimeoutMs ?? 30_000).unref();
	});
	const worker: WorkerProcess = {
		child,
		pid: child.pid!,
		workerId: '',
		logs: () => stderr,
		exited,
		async stop(timeoutMs = 30_000) {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
			try {
				return await exited;
			} finally {
				clearTimeout(timer);
			}
		},
		async kill() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
			return exited;
		}
	};
	spawned.add(worker);
	void exited.then(() => spawned.delete(worker));
	try {
		worker.workerId = await ready;
	} catch (error) {
		await worker.kill();
		throw error;
	}
	return worker;
}

/** Kills whatever worker is still running (for afterAll); returns how many were left. */
export async function killLeftoverWorkers(): Promise<number> {
	const left = [...spawned];
	await Promise.all(left.map((w) => w.kill()));
	return left.length;
}

/** Connections to this database other than the caller's (a test must leave none). */
export async function otherConnections(db: pg.Pool): Promise<Array<{ application_name: string; state: string }>> {
	const { rows } = await db.query(
		`select application_name, state from pg_stat_activity
		 where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
		   and application_name like 'foldwork-worker%'`
	);
	return rows;
}
