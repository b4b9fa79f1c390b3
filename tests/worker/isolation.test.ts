// Tools isolated from the worker, as a worker runs them by default: each runs in a long-lived executor process, reused across jobs, that
// loads only the tools it runs; a few are started ahead, more only when runs
// wait, and the extra ones stop once idle. A tool that ignores its
// signal is killed at once on cancel and on its time limit (its executor
// replaced by a fresh one); a tool that allocates without bound is stopped
// at the memory limit, its job failed saying so; a tool that ends its process
// fails only its own job. The worker lives through all of it. FOLDWORK_ISOLATE_TOOLS=0
// (for debugging a tool) runs tools in the worker's own process instead.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { cancelJob, createUser, getJob, startWorkerProcess, submitJob, waitForStatus, type WorkerProcess } from '../helpers/worker-fleet.ts';
import { processAlive, waitFor } from '../helpers/wait.ts';

const suite = useWorkerDatabase();
const MEMORY_LIMIT_MB = 300;

/** The worker's executor processes (its children). */
function executorsOf(worker: WorkerProcess): number[] {
	return childrenOf(worker.pid);
}

function childrenOf(parent: number): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) pids.push(Number(entry));
		} catch {
			// gone meanwhile
		}
	}
	return pids.sort((a, b) => a - b);
}

async function ledger(jobId: string): Promise<string[]> {
	const { rows } = await suite.db.query('select reason from public.credit_ledger where job_id = $1 order by id', [jobId]);
	return rows.map((r) => r.reason);
}

describe('a worker that runs tools in executors', () => {
	let worker: WorkerProcess;

	it('reuses its executors across jobs', async () => {
		worker = await startWorkerProcess(suite.url, {
			concurrency: 2,
			env: { FOLDWORK_EXECUTOR_MEMORY_MB: String(MEMORY_LIMIT_MB) }
		});
		const ready = new RegExp(`tools isolated in executor processes \\(memory limit ${MEMORY_LIMIT_MB} MiB; 2 kept warm\\)`);
		await waitFor('the worker to say its tools are isolated', () => ready.test(worker.logs()), 5_000);
		// Started ahead: one per slot here (2 warm, 2 slots), before any job.
		const warm = await waitFor('the warm executors', () => (executorsOf(worker).length === 2 ? executorsOf(worker) : undefined), 5_000);
		const user = await createUser(suite.db, 100);
		const first = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 50 }, { ms: 50 }] });
		const done = await waitForStatus(suite.db, first, ['completed', 'failed', 'timeout']);
		expect(done.status).toBe('completed');
		// Progress and the output file came back from the executor.
		expect(done.result.table.rows).toEqual([{ step: 1 }, { step: 2 }]);
		const { rows: files } = await suite.db.query('select name from public.job_files where job_id = $1', [first]);
		expect(files.map((f) => f.name)).toContain('steps.txt');
		const executors = executorsOf(worker);
		expect(executors).toEqual(warm);
		// The tool ran in one of them, which loaded it on first use (and nothing else of the registry).
		const loaded = /\[executor (\d+)\] loaded tool test-sleep in \d+ ms/.exec(worker.logs());
		expect(warm).toContain(Number(loaded?.[1]));
		expect(worker.logs()).not.toMatch(/loaded tool (?!test-sleep)/);
		for (let i = 0; i < 5; i++) {
			const id = await submitJob(suite.db, user, 'test-echo', { steps: [{ ms: 0 }] });
			expect((await waitForStatus(suite.db, id, ['completed', 'failed', 'timeout'])).status).toBe('completed');
		}
		expect(executorsOf(worker)).toEqual(executors);
	}, 40_000);

	it('kills a tool that ignores its signal at once on cancel, and starts a fresh executor', async () => {
		const user = await createUser(suite.db, 100);
		const before = executorsOf(worker);
		const jobId = await submitJob(suite.db, user, 'test-spin', { steps: [{ ms: 60_000 }] });
		await waitForStatus(suite.db, jobId, 'processing');
		const spinning = Number(await waitFor('the executor running it', () => /\[executor (\d+)\] loaded tool test-spin/.exec(worker.logs())?.[1], 5_000));
		expect(before).toContain(spinning);
		await cancelJob(suite.db, user, jobId);
		// The spinning executor is gone (not burning CPU in the background), and a fresh one took its place.
		await waitFor('the spinning executor to be killed', () => !processAlive(spinning) || undefined, 5_000);
		await waitFor('a fresh executor', () => /executor \d+ killed and replaced by \d+ in \d+ ms/.test(worker.logs()), 10_000);
		expect(executorsOf(worker).some((pid) => !before.includes(pid))).toBe(true);
		expect((await getJob(suite.db, jobId)).status).toBe('cancelled');
		const next = await submitJob(suite.db, user, 'test-echo', { steps: [{ ms: 0 }] });
		expect((await waitForStatus(suite.db, next, ['completed', 'failed', 'timeout'])).status).toBe('completed');
	}, 40_000);

	it('ends a stubborn tool at its time limit, killing its executor', async () => {
		const user = await createUser(suite.db, 100);
		// test-stubborn ignores its signal and sleeps past its 1 s limit.
		const jobId = await submitJob(suite.db, user, 'test-stubborn', { steps: [{ ms: 30_000 }] });
		await waitForStatus(suite.db, jobId, 'processing');
		const running = executorsOf(worker);
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'], 15_000);
		expect(job.status).toBe('timeout');
		await waitFor('its executor to be killed', () => running.some((pid) => !processAlive(pid)) || undefined, 5_000).catch((error) => {
			throw new Error(`${error}\nexecutors ${running} -> ${executorsOf(worker)}\n${worker.logs().slice(-3000)}`);
		});
		expect(await ledger(jobId)).toEqual(['charge', 'refund']);
	}, 40_000);

	it('fails a job whose tool allocates without bound at the memory limit, saying so, and refunds', async () => {
		const user = await createUser(suite.db, 100);
		const jobId = await submitJob(suite.db, user, 'test-hog', { steps: [{ ms: 0 }] });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout'], 30_000);
		expect(job.status).toBe('failed');
		expect(job.error_code).toBe('memory_limit');
		expect(job.error_message).toBe(
			`The job needed more memory than a job may use on this worker (${MEMORY_LIMIT_MB} MiB) and was stopped. Try a smaller input or fewer items per job; the credits were refunded.`
		);
		expect(await ledger(jobId)).toEqual(['charge', 'refund']);
		expect(worker.child.exitCode).toBeNull();
	}, 40_000);

	it('fails only its own job when a tool ends its executor process; the worker runs on', async () => {
		const user = await createUser(suite.db, 100);
		const jobId = await submitJob(suite.db, user, 'test-exit', { steps: [{ ms: 0 }] });
		const job = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout']);
		expect(job.status).toBe('failed');
		expect(job.error_code).toBe('tool_error');
		expect(job.error_message).toMatch(/unexpected error/);
		expect(await ledger(jobId)).toEqual(['charge', 'refund']);
		expect(worker.child.exitCode).toBeNull();
		const next = await submitJob(suite.db, user, 'test-echo', { steps: [{ ms: 0 }] });
		expect((await waitForStatus(suite.db, next, ['completed', 'failed', 'timeout'])).status).toBe('completed');
		expect(await worker.stop()).toBe(0);
		// Stopping the worker stops its executors.
		expect(executorsOf(worker)).toEqual([]);
	}, 40_000);

	it('leaves no executor, nor the native program its tool ran, behind when the worker itself is SIGKILLed', async () => {
		const doomed = await startWorkerProcess(suite.url, { concurrency: 1 });
		const user = await createUser(suite.db, 100);
		const jobId = await submitJob(suite.db, user, 'test-native', { steps: [{ ms: 30_000 }] });
		await waitFor('the job to run on the doomed worker', async () => {
			const job = await getJob(suite.db, jobId);
			return job.status === 'processing' && job.worker_id === doomed.workerId;
		});
		const executors = executorsOf(doomed);
		expect(executors.length).toBe(1);
		const native = await waitFor('the tool to start its program', () => childrenOf(executors[0])[0], 10_000);
		await doomed.kill();
		// The executor sees its channel to the worker close and takes its process group down, program included.
		await waitFor('the orphaned executor and its program to exit', () => [...executors, native].every((pid) => !processAlive(pid)), 5_000);
		// Its job would otherwise run again (30 s) on the next test's worker.
		await cancelJob(suite.db, user, jobId);
	}, 40_000);

	it('starts more executors only while runs wait, and stops the extra ones once idle', async () => {
		const busy = await startWorkerProcess(suite.url, {
			concurrency: 3,
			env: { FOLDWORK_EXECUTORS_WARM: '1', FOLDWORK_EXECUTOR_IDLE_MS: '500' }
		});
		const warm = await waitFor('the warm executor', () => (executorsOf(busy).length === 1 ? executorsOf(busy) : undefined), 5_000);
		const user = await createUser(suite.db, 100);
		const ids = await Promise.all([0, 1, 2].map(() => submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 1_500 }] })));
		// Three jobs at once on three slots: each in an executor of its own.
		await waitFor('three executors', () => executorsOf(busy).length === 3 || undefined, 10_000);
		for (const id of ids) expect((await waitForStatus(suite.db, id, ['completed', 'failed', 'timeout'])).status).toBe('completed');
		// Idle, the two beyond the warm one stop; the warm one stays.
		await waitFor('the extra executors to stop', () => executorsOf(busy).length === 1 || undefined, 5_000);
		expect(executorsOf(busy)).toHaveLength(1);
		expect(warm.length).toBe(1);
		expect(await busy.stop()).toBe(0);
	}, 40_000);

	it('runs tools in its own process, starting no executor, with FOLDWORK_ISOLATE_TOOLS=0', async () => {
		const inProcess = await startWorkerProcess(suite.url, { concurrency: 2, env: { FOLDWORK_ISOLATE_TOOLS: '0' } });
		await waitFor('the worker to say its tools run in its process', () => /tools run in this process/.test(inProcess.logs()), 5_000);
		const user = await createUser(suite.db, 100);
		const jobId = await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 50 }] });
		const done = await waitForStatus(suite.db, jobId, ['completed', 'failed', 'timeout']);
		expect(done.status).toBe('completed');
		expect(done.result.table.rows).toEqual([{ step: 1 }]);
		expect(executorsOf(inProcess)).toEqual([]);
		expect(await inProcess.stop()).toBe(0);
	}, 40_000);
});
