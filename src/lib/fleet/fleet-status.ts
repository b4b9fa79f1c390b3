// The worker fleet at a glance (public.fleet_status(): signed-in users only),
// per compute class. Used on the server for the first render and in the
// browser to refresh.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { count } from '../ui/plural.ts';

const unavailableTool = z.object({
	tool_id: z.string(),
	name: z.string(),
	reason: z.string(),
	workers_able: z.number(),
	workers_unable: z.number()
});

/** One tool of the class (20261209500400_fleet_status_per_tool.sql). */
const toolFigures = z.object({
	tool_id: z.string(),
	name: z.string(),
	workers_live: z.number(),
	slots_total: z.number(),
	slots_busy: z.number(),
	slots_free: z.number(),
	jobs_waiting: z.number(),
	oldest_wait_seconds: z.number().nullable(),
	finished_last_hour: z.number()
});

export type FleetTool = z.infer<typeof toolFigures>;

const gpuFigures = z.object({
	name: z.string(),
	memory_mib: z.number(),
	worker_jobs: z.number(),
	jobs: z.array(z.object({ tool: z.string(), memory_mib: z.number().nullable() })).optional().default([])
});
export type FleetGpu = z.infer<typeof gpuFigures>;

/** GiB, as the job page's "Needs about N GB" counts them: a GPU's memory rounded down, a job's need rounded up. */
export function gpuGigabytes(mib: number, round: 'up' | 'down'): number {
	return round === 'up' ? Math.ceil(mib / 1024) : Math.floor(mib / 1024);
}

/** One GPU in words: "NVIDIA L4, 22 GB: Structure prediction (ESMFold) needs about 14 GB". */
export function describeGpu(gpu: FleetGpu): string {
	const head = `${gpu.name}, ${gpuGigabytes(gpu.memory_mib, 'down')} GB`;
	if (!gpu.jobs.length) return `${head}: ${gpu.worker_jobs ? count(gpu.worker_jobs, 'job') : 'idle'}`;
	const jobs = gpu.jobs.map((j) => (j.memory_mib === null ? j.tool : `${j.tool} needs about ${gpuGigabytes(j.memory_mib, 'up')} GB`));
	return `${head}: ${jobs.join('; ')}`;
}

const fleetRow = z.object({
	compute_class: z.enum(['cpu', 'gpu']),
	workers_online: z.number(),
	slots_total: z.number(),
	slots_busy: z.number(),
	slots_free: z.number(),
	queue_depth: z.number(),
	median_wait_seconds: z.number().nullable(),
	// Added by a later migration; absent on databases before it.
	unavailable_tools: z.array(unavailableTool).optional().default([]),
	oldest_wait_seconds: z.number().nullable().optional().default(null),
	finished_last_hour: z.number().optional().default(0),
	tools: z.array(toolFigures).optional().default([]),
	/** Each GPU of the class's live workers (20261209500700_worker_gpu_devices.sql), with its worker's jobs and their GPU memory need (20261209600400). */
	gpus: z.array(gpuFigures).optional().default([])
});

export type FleetClass = z.infer<typeof fleetRow>;

export const CLASS_LABELS: Record<FleetClass['compute_class'], string> = { cpu: 'CPU workers', gpu: 'GPU workers' };

export async function loadFleetStatus(supabase: SupabaseClient): Promise<FleetClass[]> {
	const { data, error } = await supabase.rpc('fleet_status');
	if (error) throw new Error(`Could not load the fleet status: ${error.message}`);
	return z.array(fleetRow).parse(data);
}
