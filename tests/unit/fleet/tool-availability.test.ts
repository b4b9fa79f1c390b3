// The note before Run: from the fleet's figures (fleet_status, as /status
// shows them), whether a live worker can run the tool now.
import { describe, expect, it } from 'vitest';
import type { FleetClass } from '#lib/fleet/fleet-status.ts';
import { toolWaitNotice } from '#lib/fleet/tool-availability.ts';

const figures = (cls: 'cpu' | 'gpu', workers: number, unavailable: FleetClass['unavailable_tools'] = []): FleetClass => ({
	compute_class: cls,
	workers_online: workers,
	slots_total: workers * 4,
	slots_busy: 0,
	slots_free: workers * 4,
	queue_depth: 0,
	median_wait_seconds: null,
	unavailable_tools: unavailable,
	oldest_wait_seconds: null,
	finished_last_hour: 0,
	tools: [],
	gpus: []
});

const prediction = { id: 'structure-prediction', name: 'Structure prediction', computeClass: 'gpu' as const };
const docking = { id: 'docking', name: 'Docking', computeClass: 'cpu' as const };

describe('toolWaitNotice', () => {
	it('says a GPU job waits for a GPU worker, and that cancelling refunds it, when no GPU worker is online', () => {
		const fleet = [figures('cpu', 2), figures('gpu', 0)];
		expect(toolWaitNotice(fleet, prediction, true)).toBe(
			'No GPU worker is online now: a job waits until a GPU worker is online; you can cancel it for a full refund until it starts.'
		);
		// A class the fleet has never seen counts as offline; a free tool has nothing to refund.
		expect(toolWaitNotice([figures('cpu', 2)], prediction, false)).toBe(
			'No GPU worker is online now: a job waits until a GPU worker is online; you can cancel it while it waits.'
		);
	});

	it('says so when every live worker of the class reports the tool unavailable, with their reason', () => {
		const fleet = [figures('cpu', 2, [{ tool_id: 'docking', name: 'Docking', reason: 'vina is not installed', workers_able: 0, workers_unable: 2 }])];
		expect(toolWaitNotice(fleet, docking, true)).toBe(
			'No worker online can run Docking now (vina is not installed): a job waits until one can; you can cancel it for a full refund until it starts.'
		);
	});

	it('says nothing when a live worker can run the tool', () => {
		expect(toolWaitNotice([figures('gpu', 1)], prediction, true)).toBeNull();
		// Some workers cannot, one can: it runs.
		const fleet = [figures('cpu', 3, [{ tool_id: 'docking', name: 'Docking', reason: 'vina is not installed', workers_able: 1, workers_unable: 2 }])];
		expect(toolWaitNotice(fleet, docking, true)).toBeNull();
	});
});
