// The worker fleet at a glance (public.fleet_status(): signed-in users only),
// per compute class. Used on the server for the first render and in the
// browser to refresh.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';

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
	/** Each GPU of the class's live workers (20261209500700_worker_gpu_devices.sql). */
	gpus: z.array(z.object({ name: z.string(), memory_mib: z.number(), worker_jobs: z.number() })).optional().default([])
});

export type FleetClass = z.infer<typeof fleetRow>;

export const CLASS_LABELS: Record<FleetClass['compute_class'], string> = { cpu: 'CPU workers', gpu: 'GPU workers' };

export async function loadFleetStatus(supabase: SupabaseClient): Promise<FleetClass[]> {
	const { data, error } = await supabase.rpc('fleet_status');
	if (error) throw new Error(`Could not load the fleet status: ${error.message}`);
	return z.array(fleetRow).parse(data);
}
