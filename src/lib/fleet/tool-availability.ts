// Whether a live worker can run a tool now, read from the fleet figures the
// /status page shows (public.fleet_status()): said on the tool's form before
// Run, so nobody pays for a job that will only wait without knowing it.
import type { FleetClass } from './fleet-status.ts';

export interface ToolForAvailability {
	id: string;
	name: string;
	computeClass: 'cpu' | 'gpu';
}

/**
 * Why no live worker can run the tool now, as a sentence that ends with what
 * happens to a job submitted anyway; null when one can. `paid`: the run
 * costs credits (then cancelling it while it waits refunds them all).
 */
export function toolWaitNotice(fleet: readonly FleetClass[], tool: ToolForAvailability, paid: boolean): string | null {
	const figures = fleet.find((f) => f.compute_class === tool.computeClass);
	const cancel = paid ? 'you can cancel it for a full refund until it starts' : 'you can cancel it while it waits';
	if (!figures || figures.workers_online === 0) {
		const kind = tool.computeClass === 'gpu' ? 'GPU' : 'CPU';
		return `No ${kind} worker is online now: a job waits until a ${kind} worker is online; ${cancel}.`;
	}
	const unavailable = figures.unavailable_tools.find((t) => t.tool_id === tool.id);
	if (unavailable && unavailable.workers_able === 0) {
		return `No worker online can run ${tool.name} now (${unavailable.reason}): a job waits until one can; ${cancel}.`;
	}
	return null;
}
