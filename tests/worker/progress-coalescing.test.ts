// A chatty tool cannot flood its job's Realtime topics: a real worker runs a
// tool that reports 1,000 progress updates in about a second, and what the
// database broadcasts for it (the job_updated messages on `job:<id>` and on
// its team's topic `team:<id>`, read from realtime.messages, which is what
// the Realtime server delivers) is a few messages a second, the last of them
// the tool's latest progress, then the completion. The worker's progress
// writer coalesces (worker/progress.ts: at most one write per job every
// 250 ms, the latest value winning); status changes do not wait for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { createUser, startWorkerProcess, submitJob, waitForStatus, type TestUser, type WorkerProcess } from '../helpers/worker-fleet.ts';

const suite = useWorkerDatabase();
let worker: WorkerProcess;
let user: TestUser;

beforeAll(async () => {
	user = await createUser(suite.db);
	worker = await startWorkerProcess(suite.url, { concurrency: 1 });
});

afterAll(async () => {
	await worker?.stop();
});

interface Update {
	status: string;
	progress: number;
	progress_message: string | null;
	at: Date;
}

/** The job's state as each job_updated message on `topic` carried it, in the order they were written. */
async function updates(topic: string, jobId: string): Promise<Update[]> {
	const { rows } = await suite.db.query<Update>(
		`select payload -> 'job' ->> 'status' as status, (payload -> 'job' ->> 'progress')::int as progress,
		        payload -> 'job' ->> 'progress_message' as progress_message, inserted_at as at
		   from realtime.messages
		  where topic = $1 and event = 'job_updated' and payload -> 'job' ->> 'id' = $2::text
		  order by inserted_at`,
		[topic, jobId]
	);
	return rows;
}

describe('a tool reporting 1,000 progress updates in a second', () => {
	it('yields a few messages a second on its topics, the latest progress last, then the completion', async () => {
		const jobId = await submitJob(suite.db, user, 'test-chatty', { steps: Array.from({ length: 1000 }, (_, i) => ({ ms: i === 0 ? 1_000 : 0 })) });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'], 30_000);
		expect(job.status).toBe('completed');
		// Every write the worker made: the database saw about 4 a second, not 1,000.
		const { rows: written } = await suite.db.query('select progress from public.test_progress_log where job_id = $1 and progress < 100', [jobId]);

		for (const topic of [`job:${jobId}`, `team:${user.teamId}`]) {
			const sent = await updates(topic, jobId);
			const running = sent.filter((u) => u.status === 'processing' && (u.progress > 0 || u.progress_message !== null));
			const seconds = (sent.at(-1)!.at.getTime() - running[0].at.getTime()) / 1000;
			// About one per 250 ms while the tool talks (~1 s), and the last one after it went quiet.
			expect(running.length, `${topic}: ${running.length} progress messages over ${seconds.toFixed(1)} s`).toBeLessThanOrEqual(8);
			expect(running.length).toBeGreaterThanOrEqual(2);
			expect(running.length).toBeLessThanOrEqual(written.length + 1);
			expect(running.at(-1)).toMatchObject({ progress: 100, progress_message: 'update 1000 of 1000' });
			// Monotonic, and the completion follows the latest progress.
			expect(running.map((u) => u.progress)).toEqual([...running.map((u) => u.progress)].sort((a, b) => a - b));
			expect(sent.at(-1)).toMatchObject({ status: 'completed', progress: 100 });
			const statuses = sent.map((u) => u.status).filter((s, i, all) => s !== all[i - 1]);
			expect(statuses).toEqual(['queued', 'processing', 'completed']);
		}
	});
});
