// `npm run worker -- --drain`: a worker asked to drain finishes the jobs it
// runs (they complete on it: not cancelled, handed back or run again), takes
// no new ones, signs off and exits 0; the command waits until it has. The
// jobs submitted meanwhile wait for another worker.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { cancelJob, createUser, getJob, root, startWorkerProcess, statusHistory, submitJob, waitForStatus } from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';

const suite = useWorkerDatabase();

function drainCommand(args: string[]): { exited: Promise<{ code: number | null; stdout: string; stderr: string }> } {
	const child = spawn(process.execPath, [path.join(root, 'worker/main.ts'), '--drain', ...args], {
		cwd: root,
		env: { PATH: process.env.PATH, DATABASE_URL: suite.url },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
	child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
	return { exited: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr }))) };
}

describe('worker --drain', () => {
	it('lets the running jobs finish on the worker, starts no new one, and exits when they are done', async () => {
		const user = await createUser(suite.db);
		// A fast heartbeat: the worker hears of the drain within 200 ms. The bystander is busy with a long
		// job first, so the other jobs can only go to the drained worker's slots.
		const bystander = await startWorkerProcess(suite.url, { concurrency: 1, env: { FOLDWORK_HEARTBEAT_MS: '200' } });
		const blocker = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 60_000 }] });
		await waitForStatus(suite.db, blocker, 'processing');
		const worker = await startWorkerProcess(suite.url, { concurrency: 2, env: { FOLDWORK_HEARTBEAT_MS: '200' } });
		const running = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 6_000 }] });
		await waitForStatus(suite.db, running, 'processing');
		expect((await getJob(suite.db, running)).worker_id).toBe(worker.workerId);
		expect((await getJob(suite.db, blocker)).worker_id).toBe(bystander.workerId);

		const drain = drainCommand(['--worker', worker.workerId]);
		await waitFor('the worker to sign off', async () => {
			const { rows } = await suite.db.query('select stopped_at from public.workers where id = $1', [worker.workerId]);
			return rows[0].stopped_at !== null;
		});
		const later = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0 }] });
		expect(await worker.exited).toBe(0);
		const { code, stdout, stderr } = await drain.exited;
		expect([code, stderr]).toEqual([0, expect.stringMatching(/draining cpu worker .* job\(s\) running; it takes no new ones/)]);
		expect(JSON.parse(stdout)).toEqual({ drained: 1 });
		// The running job completed on the drained worker, once.
		expect((await getJob(suite.db, running)).status).toBe('completed');
		expect(await statusHistory(suite.db, running)).toEqual(['pending', 'queued', 'processing', 'completed']);
		expect((await getJob(suite.db, running)).worker_id).toBe(worker.workerId);
		// The later job never went to the drained worker; it waits for a free slot elsewhere.
		const waiting = await getJob(suite.db, later);
		expect(['pending', 'queued']).toContain(waiting.status);
		expect(waiting.worker_id).toBeNull();
		expect(worker.logs()).toMatch(/asked to drain/);
		expect(worker.logs()).not.toMatch(/handed back/);
		await cancelJob(suite.db, user, blocker);
		expect(await bystander.stop()).toBe(0);
	}, 45_000);

	it('says so when no live worker matches', async () => {
		const { code, stderr } = await drainCommand(['--host', 'no-such-host:']).exited;
		expect(code).toBe(0);
		expect(stderr).toMatch(/no live worker matched/);
	});
});
