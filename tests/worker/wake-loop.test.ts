// The loop every worker concern runs in: wakes coalesce, errors back off.
import { describe, expect, it } from 'vitest';
import { WakeLoop } from '../../worker/wake-loop.ts';
import { waitFor } from '../helpers/wait.ts';

describe('WakeLoop', () => {
	it('backs off with growing pauses when its step keeps failing, instead of spinning', async () => {
		const calls: number[] = [];
		const loop = new WakeLoop({
			name: 'test',
			step: async () => {
				calls.push(performance.now());
				throw new Error('database is down');
			},
			onError: () => {},
			minBackoffMs: 40,
			maxBackoffMs: 1_000
		});
		loop.wake();
		await waitFor('four failed steps', () => calls.length >= 4, 5_000);
		await loop.stop();
		const gaps = calls.slice(1, 4).map((t, i) => t - calls[i]);
		// 40, 80, 160 ms (each with +-25% jitter).
		expect(gaps[0]).toBeGreaterThanOrEqual(29);
		expect(gaps[1]).toBeGreaterThanOrEqual(59);
		expect(gaps[2]).toBeGreaterThanOrEqual(119);
	});

	it('runs once more, not once per wake, for wakes that arrive during a step', async () => {
		let steps = 0;
		let release!: () => void;
		const loop = new WakeLoop({
			name: 'test',
			step: async () => {
				steps += 1;
				if (steps === 1) await new Promise<void>((resolve) => (release = resolve));
			},
			onError: () => {}
		});
		loop.wake();
		await waitFor('the first step to start', () => steps === 1);
		for (let i = 0; i < 10; i++) loop.wake();
		release();
		await waitFor('the loop to go idle', () => !loop.busy);
		expect(steps).toBe(2);
		await loop.stop();
	});
});
