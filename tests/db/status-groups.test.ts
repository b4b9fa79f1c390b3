// The job status groups live in TypeScript once (src/lib/jobs/status.ts) and
// in SQL once (the job_status enum, public.job_status_is_terminal, the
// transitions public.job_transition_allowed allows, and the refund rule
// private.job_change_refunds). The app shows, filters and offers actions by
// the TypeScript groups while the database decides by its own: this test
// asks the database about every status and fails on any disagreement, so a
// new status or a changed rule cannot drift apart in the two languages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { isActive, isTerminal, isWaiting, JOB_STATUSES, type JobStatus } from '../../src/lib/jobs/status.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(1);
});
afterAll(async () => {
	await db?.close();
});

interface SqlGroups {
	status: JobStatus;
	terminal: boolean;
	cancellable: boolean;
	cancel_refunds: boolean;
}

async function sqlGroups(): Promise<SqlGroups[]> {
	const { rows } = await db.pool.query<SqlGroups>(
		`select s::text as status,
		        public.job_status_is_terminal(s) as terminal,
		        public.job_transition_allowed(s, 'cancelled') as cancellable,
		        private.job_change_refunds(s, 'cancelled') as cancel_refunds
		 from unnest(enum_range(null::public.job_status)) as s
		 order by s`
	);
	return rows;
}

describe('job status groups', () => {
	it('the statuses are the enum public.job_status, in its order', async () => {
		const { rows } = await db.pool.query<{ s: string }>(`select unnest(enum_range(null::public.job_status))::text as s`);
		expect(rows.map((r) => r.s)).toEqual([...JOB_STATUSES]);
	});

	it('terminal is public.job_status_is_terminal', async () => {
		for (const row of await sqlGroups()) expect({ status: row.status, terminal: isTerminal(row.status) }).toEqual({ status: row.status, terminal: row.terminal });
	});

	it('active (not finished) is exactly what the state machine lets a user cancel', async () => {
		for (const row of await sqlGroups()) expect({ status: row.status, active: isActive(row.status) }).toEqual({ status: row.status, active: row.cancellable });
	});

	it('waiting is exactly where a cancel refunds (private.job_change_refunds)', async () => {
		for (const row of await sqlGroups()) expect({ status: row.status, waiting: isWaiting(row.status) }).toEqual({ status: row.status, waiting: row.cancel_refunds });
	});
});
