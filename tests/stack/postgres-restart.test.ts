// The local stack keeps going when its embedded PostgreSQL dies: the server,
// SIGKILLed mid-work, is started again (after a pause, saying so), the API
// answers again, and a worker that was running jobs at the time finishes
// every one of them (none lost, none charged twice) and runs new ones. This
// is what `npm start` relies on (it runs the stack in its own process). The
// test starts a stack of its own, on free ports, so the shared one of the
// test run stays up.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack, type RunningStack } from '../../supabase/local/stack.ts';
import { ownStackConfig } from '../helpers/own-stack.ts';
import { processAlive, waitFor } from '../helpers/wait.ts';
import {
	createUser,
	prepareWorkerDatabase,
	startWorkerProcess,
	stopStorageGateways,
	submitJob,
	waitForStatus,
	type WorkerProcess
} from '../helpers/worker-fleet.ts';

const dir = mkdtempSync('/tmp/foldwork-pg-restart-');
// PostgreSQL runs as the `postgres` user when we are root: it must reach its folder.
chmodSync(dir, 0o755);
const notes: string[] = [];
let stack: RunningStack | null = null;
let worker: WorkerProcess | null = null;
let db: pg.Pool | null = null;

afterAll(async () => {
	await worker?.stop().catch(() => worker?.kill());
	await db?.end().catch(() => {});
	await stopStorageGateways();
	await stack?.stop();
	rmSync(dir, { recursive: true, force: true });
});

/** The postmaster's pid, from the pid file in its data folder. */
async function postmasterPid(pool: pg.Pool): Promise<number> {
	const { rows } = await pool.query(`select current_setting('data_directory') as dir`);
	return Number(readFileSync(path.join(rows[0].dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('the local stack', () => {
	it('restarts its PostgreSQL when it is killed, and a worker finishes every job', async () => {
		const config = await ownStackConfig(dir);
		stack = await startStack(config, { seed: false, log: (service, message) => service === 'stack' && notes.push(message) });
		db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
		// Its connections die with the server: that must show in the assertions, not crash the test.
		db.on('error', () => {});
		await prepareWorkerDatabase(db, { staleAfterSeconds: 3 });
		const user = await createUser(db, 1_000);
		worker = await startWorkerProcess(stack.databaseUrl, {
			concurrency: 4,
			// The stack's own Storage, which must come back with the database too.
			env: { SUPABASE_URL: stack.config.apiUrl, SUPABASE_SERVICE_ROLE_KEY: stack.config.serviceRoleKey }
		});

		// Jobs running (and waiting) when the server dies: each sleeps a second and writes a file.
		const inFlight: string[] = [];
		for (let i = 0; i < 8; i++) inFlight.push(await submitJob(db, user, 'test-sleep', { steps: [{ ms: 1_000 }] }));
		await waitFor('jobs to run', async () => {
			const { rows } = await db!.query(`select count(*)::int as n from public.jobs where status = 'processing'`);
			return rows[0].n > 0;
		});
		// The local stack commits asynchronously (synchronous_commit off: a development database may
		// lose its last few ms of commits on a crash); the jobs submitted must be on disk before the kill.
		await db.query('checkpoint');
		const pid = await postmasterPid(db);
		process.kill(pid, 'SIGKILL');
		await waitFor('the stack to say it restarts PostgreSQL', () => notes.some((n) => /^PostgreSQL exited \(SIGKILL\); restarting it in 1 s \(crash 1 in a row\)$/.test(n)), 10_000);
		await waitFor('PostgreSQL to be back', () => notes.some((n) => /^PostgreSQL is back on port \d+ \(down [\d.]+ s\)$/.test(n)), 60_000);
		expect(processAlive(pid)).toBe(false);
		const newPid = await waitFor('a query to answer', () => postmasterPid(db!).catch(() => undefined), 30_000);
		expect(newPid).not.toBe(pid);

		// The API answers again (REST reads through its own pool).
		const rest = await waitFor('REST to answer', async () => {
			const res = await fetch(`${stack!.config.apiUrl}/rest/v1/tools?select=id&limit=1`, { headers: { apikey: stack!.config.anonKey } }).catch(() => null);
			if (!res) return undefined;
			const body = await res.text();
			return res.status === 200 ? body : undefined;
		}, 30_000);
		expect(JSON.parse(rest)).toHaveLength(1);

		// Every job that was running or waiting completes, each charged once; the worker never died.
		for (const id of inFlight) expect((await waitForStatus(db, id, ['completed', 'failed', 'timeout', 'cancelled'], 90_000)).status).toBe('completed');
		const { rows: charges } = await db.query(
			`select job_id, count(*)::int as n from public.credit_ledger where job_id = any($1) and reason = 'charge' group by job_id`,
			[inFlight]
		);
		expect(charges.map((c) => c.n)).toEqual(inFlight.map(() => 1));
		const after = await submitJob(db, user, 'test-echo', { steps: [{ ms: 0 }] });
		expect((await waitForStatus(db, after, ['completed', 'failed', 'timeout'], 30_000)).status).toBe('completed');
		expect(worker.child.exitCode).toBeNull();
	}, 240_000);
});
