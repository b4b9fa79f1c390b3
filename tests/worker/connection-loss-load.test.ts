// The database kills every connection of a busy worker (what a failover, a
// pooler restart or an operator's pg_terminate_backend does) while some 400
// jobs are in flight, three times: the worker process lives on (it used to
// die of an unhandled 'error' on a checked-out pg client), every job ends
// completed on its first attempt, and each is charged exactly once.
import { describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { createUser, startWorkerProcess, submitJob } from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';

const suite = useWorkerDatabase({ staleAfterSeconds: 10 });
const JOBS = 400;

async function killWorkerConnections(): Promise<number> {
	const { rows } = await suite.db.query(
		`select pg_terminate_backend(pid) from pg_stat_activity
		 where datname = current_database() and application_name like 'foldwork-worker%'`
	);
	return rows.length;
}

async function counts(): Promise<Record<string, number>> {
	const { rows } = await suite.db.query<{ status: string; n: number }>('select status, count(*)::int as n from public.jobs group by status');
	return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe('a worker with ~400 jobs in flight whose connections are all killed', () => {
	it('stays up, reconnects, and completes every job, each charged once', async () => {
		const user = await createUser(suite.db, JOBS);
		const worker = await startWorkerProcess(suite.url, { concurrency: 200 });
		// Each job sleeps 2 s in steps, reporting progress and writing a file: claims, progress,
		// file writes and finishes are all on the wire when the connections die.
		const input = { steps: Array.from({ length: 8 }, () => ({ ms: 250 })) };
		const ids: string[] = [];
		for (let i = 0; i < JOBS; i++) ids.push(await submitJob(suite.db, user, 'test-sleep', input));
		const listening = async (): Promise<number | undefined> => {
			if (worker.child.exitCode !== null || worker.child.signalCode !== null) throw new Error(`the worker died:\n${worker.logs().slice(-3000)}`);
			const { rows } = await suite.db.query<{ pid: number }>(
				"select pid from pg_stat_activity where datname = current_database() and application_name like 'foldwork-worker% listen'"
			);
			return rows.length === 1 ? rows[0].pid : undefined;
		};
		for (let round = 1; round <= 3; round++) {
			// Kill while this worker is busy: jobs processing, others queued behind them.
			await waitFor(`round ${round}: jobs running`, async () => ((await counts()).processing ?? 0) >= 50, 30_000);
			const before = await waitFor(`round ${round}: the worker to listen`, listening, 20_000);
			expect(await killWorkerConnections()).toBeGreaterThan(0);
			// The next round waits for a new LISTEN connection, so each kill hits a worker that recovered from the last.
			await waitFor(`round ${round}: the worker to listen again`, async () => {
				const pid = await listening();
				return pid !== undefined && pid !== before;
			}, 20_000);
		}
		await waitFor('every job to end', async () => {
			const c = await counts();
			return (c.completed ?? 0) + (c.failed ?? 0) + (c.timeout ?? 0) === JOBS ? c : undefined;
		}, 90_000);
		expect(await counts()).toEqual({ completed: JOBS });
		const { rows: charges } = await suite.db.query<{ reason: string; n: number }>(
			`select reason, count(*)::int as n from public.credit_ledger where job_id = any ($1::uuid[]) group by reason`,
			[ids]
		);
		expect(charges).toEqual([{ reason: 'charge', n: JOBS }]);
		const { rows: twice } = await suite.db.query(
			`select job_id from public.credit_ledger where job_id = any ($1::uuid[]) and reason = 'charge' group by job_id having count(*) > 1`,
			[ids]
		);
		expect(twice).toEqual([]);
		expect(worker.child.exitCode).toBeNull();
		expect(worker.logs()).toMatch(/LISTEN connection lost/);
		// Each loss was handled where it happened, not by the process-level last resort.
		expect(worker.logs()).not.toMatch(/nobody (handled|awaited)/);
		expect(await worker.stop()).toBe(0);
	}, 180_000);
});
