// This worker's row in `workers`: registered at start (and again if the row
// went missing) with the tools it runs and those it cannot (and why), signed
// off at stop. Registration returns the fleet policy that the database holds
// for every worker.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type pg from 'pg';
import { z } from 'zod';
import type { ComputeClass } from './config.ts';

export interface WorkerIdentity {
	id: string;
	computeClass: ComputeClass;
	host: string;
	concurrency: number;
	gpus: number;
	version: string;
	/** Ids of the tools this worker runs: it claims only their jobs. */
	tools: string[];
	/** Tool id to why this machine cannot run it (shown to users whose jobs wait for it). */
	unavailableTools: Record<string, string>;
	/** The GPUs nvidia-smi reported (none on a CPU machine). */
	gpuDevices: GpuDevice[];
}

export interface GpuDevice {
	name: string;
	memoryMiB: number;
}

const policySchema = z.object({ stale_after_seconds: z.number().int().positive(), max_attempts: z.number().int().positive() });
export type FleetPolicy = { staleAfterSeconds: number; maxAttempts: number };

export async function registerWorker(db: pg.Pool, me: WorkerIdentity): Promise<FleetPolicy> {
	const { rows } = await db.query('select * from worker.worker_register($1, $2, $3, $4, $5, $6, $7, $8)', [
		me.id,
		me.computeClass,
		me.host,
		me.concurrency,
		me.gpus,
		me.version,
		me.tools,
		JSON.stringify(me.unavailableTools)
	]);
	const policy = policySchema.parse(rows[0]);
	if (me.gpuDevices.length) {
		await db.query('select worker.worker_register_gpus($1, $2)', [me.id, JSON.stringify(me.gpuDevices.map((d) => ({ name: d.name, memory_mib: d.memoryMiB })))]);
	}
	return { staleAfterSeconds: policy.stale_after_seconds, maxAttempts: policy.max_attempts };
}

/** The tools of this class that the database knows and this worker does not run: its claims skip their jobs. */
export async function toolsNotRun(db: pg.Pool, me: WorkerIdentity): Promise<string[]> {
	const { rows } = await db.query(
		`select coalesce(array_agg(t.id order by t.id), '{}') as ids from public.tools t where t.compute_class = $1 and t.id <> all ($2::text[])`,
		[me.computeClass, me.tools]
	);
	return z.array(z.string()).parse(rows[0]?.ids);
}

export async function signOffWorker(db: pg.Pool, workerId: string): Promise<void> {
	await db.query('select worker.worker_sign_off($1)', [workerId]);
}

export function workerVersion(): string {
	try {
		const pkg = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')));
		return pkg.version;
	} catch {
		return 'unknown';
	}
}

export function workerHost(): string {
	return `${hostname()}:${process.pid}`;
}

/** One line of `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`: "NVIDIA L4, 23034". */
export function parseGpuLine(line: string): GpuDevice | null {
	const match = /^(.+),\s*(\d+)\s*$/.exec(line.trim());
	return match ? { name: match[1].trim(), memoryMiB: Number(match[2]) } : null;
}

/** GPUs visible to this machine (model and memory, from nvidia-smi); none when it has none or nvidia-smi is not installed. */
export function detectGpus(): Promise<GpuDevice[]> {
	return new Promise((resolve) => {
		execFile('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], { timeout: 5_000 }, (error, stdout) => {
			if (error) return resolve([]);
			resolve(stdout.split('\n').map(parseGpuLine).filter((d): d is GpuDevice => d !== null));
		});
	});
}
