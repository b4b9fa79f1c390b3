// The GPU memory a job needs (supabase/migrations/20261209600000_job_gpu_memory_need.sql)
// and where GPU jobs may go (20261209600100 .. 20261209600300): the
// database's rule agrees with its TypeScript mirror (src/lib/tools/gpu-memory.ts);
// a user cannot make their job look smaller to jump the placement; a job
// goes to the queue only while a free GPU fits it, the claim refuses a GPU
// too small, and the job page says why it waits. Driven through the worker
// RPCs with registered workers that have no process behind them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, attempt, createUser, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';
import { jobGpuMemoryMiB, structurePredictionGpuMemoryMiB } from '../../src/lib/tools/gpu-memory.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(4);
	await db.pool.query(`update public.tools set enabled = true where id in ('structure-prediction', 'gpu-selftest')`);
});
afterAll(async () => {
	await db?.close();
});

const protein = (length: number) => 'ACDEFGHIKLMNPQRSTVWY'.repeat(Math.ceil(length / 20)).slice(0, length);
const sequencesOf = (...lengths: number[]) => ({ sequences: lengths.map((n, i) => ({ id: `S${i + 1}`, sequence: protein(n) })) });

async function submit(user: TestUser, toolId: string, input: unknown): Promise<string> {
	return withActor(db.pool, asUser(user), async (c) => (await c.query('select id from public.submit_job($1, $2, $3)', [toolId, 'gpu job', input])).rows[0].id);
}

async function needOf(jobId: string): Promise<number | null> {
	return (await db.pool.query('select gpu_memory_mib from public.jobs where id = $1', [jobId])).rows[0].gpu_memory_mib;
}

/** A live GPU worker with one slot and one GPU of memoryMiB. */
async function gpuWorker(host: string, memoryMiB: number): Promise<string> {
	const { rows } = await db.pool.query(`insert into public.workers (compute_class, host, concurrency, tools) values ('gpu', $1, 1, null) returning id`, [host]);
	await db.pool.query('select worker.worker_register_gpus($1, $2)', [rows[0].id, JSON.stringify([{ name: `Test GPU ${memoryMiB}`, memory_mib: memoryMiB }])]);
	return rows[0].id;
}

async function dispatch(): Promise<string[]> {
	await db.pool.query('update public.workers set last_seen_at = now() where stopped_at is null');
	return (await db.pool.query('select job_id from worker.worker_dispatch(100)')).rows.map((r) => r.job_id);
}

async function insight(user: TestUser, jobId: string) {
	return withActor(db.pool, asUser(user), async (c) => (await c.query('select reason, message from public.job_queue_insight($1)', [[jobId]])).rows[0]);
}

describe('a job\'s GPU memory need', () => {
	it('is the same in SQL and in TypeScript, for every length and input shape', async () => {
		for (const residues of [0, 1, 20, 100, 250, 300, 399, 400, 512, 800, 999, 1000, 1001, 5000, null]) {
			const { rows } = await db.pool.query('select private.structure_prediction_gpu_memory_mib($1) as mib', [residues]);
			expect(rows[0].mib, `${residues} residues`).toBe(structurePredictionGpuMemoryMiB(residues));
		}
		const inputs: Array<[string, unknown]> = [
			['structure-prediction', sequencesOf(300)],
			['structure-prediction', sequencesOf(40, 800, 120)],
			['structure-prediction', sequencesOf(1200)],
			['structure-prediction', { sequences: [] }],
			['structure-prediction', { sequences: [{ id: 'x', sequence: { $file: 'big.fasta' } }] }],
			['structure-prediction', { sequences: 'MKV' }],
			['structure-prediction', ['MKV']],
			['gpu-selftest', sequencesOf(50)],
			['protein-properties', sequencesOf(50)]
		];
		for (const [toolId, input] of inputs) {
			const { rows } = await db.pool.query('select private.job_gpu_memory_mib($1, $2) as mib', [toolId, JSON.stringify(input)]);
			expect(rows[0].mib, `${toolId} ${JSON.stringify(input).slice(0, 60)}`).toBe(jobGpuMemoryMiB(toolId, input));
		}
		// The figures the README gives: about 7.4 GB at 300 residues, 17.4 GB at 1,000.
		expect(structurePredictionGpuMemoryMiB(300)).toBe(7199);
		expect(structurePredictionGpuMemoryMiB(1000)).toBe(17863);
	});

	it('is set by the database at submit, and a user cannot set or shrink it', async () => {
		const user = await createUser(db.pool);
		const big = await submit(user, 'structure-prediction', sequencesOf(800));
		expect(await needOf(big)).toBe(structurePredictionGpuMemoryMiB(800));
		expect(await needOf(await submit(user, 'gpu-selftest', sequencesOf(30)))).toBe(512);
		expect(await needOf(await submit(user, 'protein-properties', sequencesOf(30)))).toBeNull();

		await withActor(db.pool, asUser(user), async (c) => {
			// Straight at the table, through REST's role: refused.
			const { error } = await attempt(c, 'update public.jobs set gpu_memory_mib = 1 where id = $1', [big]);
			expect(error?.message).toMatch(/permission denied/);
			// submit_job takes no need; an extra argument names no function.
			const extra = await attempt(c, `select public.submit_job('structure-prediction', 'x', $1, gpu_memory_mib => 1)`, [JSON.stringify(sequencesOf(800))]);
			expect(extra.error).not.toBeNull();
		});
		// Whatever writes the column, the database's rule wins.
		await db.pool.query('update public.jobs set gpu_memory_mib = 1 where id = $1', [big]);
		expect(await needOf(big)).toBe(structurePredictionGpuMemoryMiB(800));
		// An input shaped so that its length cannot be read counts as the longest accepted.
		const hidden = { sequences: [{ id: 'x', sequence: protein(900) }, { id: 'y', sequence: ['M', 'K'] }] };
		const { rows } = await db.pool.query('select private.job_gpu_memory_mib($1, $2) as mib', ['structure-prediction', JSON.stringify(hidden)]);
		expect(rows[0].mib).toBe(structurePredictionGpuMemoryMiB(1000));
	});
});

describe('GPU placement', () => {
	it('queues a job only while a free GPU fits it, lets smaller jobs by, refuses a misfit claim, and says why it waits', async () => {
		await db.pool.query(`update public.workers set stopped_at = now() where stopped_at is null`);
		await db.pool.query(`update public.jobs set status = 'cancelled' where status = 'pending'`);
		const small = await gpuWorker('gpu-8g', 8192);
		const large = await gpuWorker('gpu-24g', 24576);
		const user = await createUser(db.pool);
		const other = await createUser(db.pool);

		// The large GPU is busy with a small job.
		const first = await submit(other, 'gpu-selftest', sequencesOf(30));
		expect(await dispatch()).toEqual([first]);
		expect((await db.pool.query('select outcome from worker.worker_claim_jobs($1, $2)', [large, [first]])).rows[0].outcome).toBe('run');

		// A 14 GB job waits; the team's small job behind it goes to the free 8 GB GPU.
		const big = await submit(user, 'structure-prediction', sequencesOf(800));
		const after = await submit(user, 'gpu-selftest', sequencesOf(30));
		expect(await dispatch()).toEqual([after]);
		expect(await insight(user, big)).toEqual({ reason: 'gpu_memory_busy', message: 'Needs about 14 GB of GPU memory; the largest free GPU has 8 GB' });

		// Queued by hand (an entry from before placement), it reaches the 8 GB worker: the claim leaves it queued.
		await db.pool.query(`update public.jobs set status = 'queued' where id = $1`, [big]);
		const claim = await db.pool.query('select job_id, outcome from worker.worker_claim_jobs($1, $2)', [small, [big, after]]);
		expect(Object.fromEntries(claim.rows.map((r) => [r.job_id, r.outcome]))).toEqual({ [big]: 'misfit', [after]: 'run' });
		expect((await db.pool.query('select status, worker_id from public.jobs where id = $1', [big])).rows[0]).toEqual({ status: 'queued', worker_id: null });
		await db.pool.query(`update public.jobs set status = 'cancelled' where id = $1`, [big]);

		// Nothing registered can ever hold 18 GB once the large worker is gone.
		await db.pool.query('update public.workers set stopped_at = now() where id = $1', [large]);
		await db.pool.query(`update public.jobs set status = 'cancelled' where id = $1`, [after]);
		const huge = await submit(user, 'structure-prediction', sequencesOf(1000));
		expect(await dispatch()).toEqual([]);
		expect(await insight(user, huge)).toEqual({ reason: 'gpu_memory_none', message: 'Needs about 18 GB of GPU memory; no GPU worker has that much memory' });
		// Another team learns nothing about it.
		expect(await withActor(db.pool, asUser(other), async (c) => (await c.query('select * from public.job_queue_insight($1)', [[huge]])).rows)).toEqual([]);

		// A big enough worker registers: the job goes, to the queue its GPU is fetched from.
		const arriving = await gpuWorker('gpu-40g', 40960);
		expect(await dispatch()).toEqual([huge]);
		expect((await db.pool.query('select outcome from worker.worker_claim_jobs($1, $2)', [arriving, [huge]])).rows[0].outcome).toBe('run');
	});
});
