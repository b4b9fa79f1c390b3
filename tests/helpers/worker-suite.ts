// Per-file setup for the worker tests: a database cloned from the migrated
// template with the fixture tools and a short stale limit, a pool on it, and
// a check at the end that the file left no worker process or connection.
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { createTestDatabase } from './stack.ts';
import { killLeftoverWorkers, otherConnections, prepareWorkerDatabase, stopStorageGateways } from './worker-fleet.ts';
import { waitFor } from './wait.ts';

export interface WorkerSuite {
	url: string;
	db: pg.Pool;
}

export function useWorkerDatabase(options: { staleAfterSeconds?: number; maxAttempts?: number } = {}): WorkerSuite {
	const suite = {} as WorkerSuite;
	let drop: () => Promise<void>;
	beforeAll(async () => {
		const created = await createTestDatabase();
		drop = created.drop;
		suite.url = created.url;
		suite.db = new pg.Pool({ connectionString: created.url, max: 4 });
		await prepareWorkerDatabase(suite.db, options);
		// Every progress write, for the tests that check live progress.
		await suite.db.query(`
			create table public.test_progress_log (job_id uuid, progress smallint, message text, at timestamptz default clock_timestamp());
			create function public.test_log_progress() returns trigger language plpgsql as $$
			begin insert into public.test_progress_log (job_id, progress, message) values (new.id, new.progress, new.progress_message); return null; end $$;
			create trigger test_log_progress after update on public.jobs
			  for each row when (old.progress is distinct from new.progress or old.progress_message is distinct from new.progress_message)
			  execute function public.test_log_progress();`);
	});
	afterAll(async () => {
		const leftover = await killLeftoverWorkers();
		try {
			expect(leftover, 'worker processes left running by the tests').toBe(0);
			await waitFor('worker connections to close', async () => (await otherConnections(suite.db)).length === 0, 10_000);
		} finally {
			await stopStorageGateways();
			await suite.db?.end();
			await drop?.();
		}
	});
	return suite;
}
