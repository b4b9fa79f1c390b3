// Ctrl+C on `npm start` stops everything quietly: the terminal signals the
// whole process group, and PostgreSQL (its own group) stops last, so Realtime
// never reports "replication: stream lost; reconnecting" on the way out, and
// nothing says it failed. Starts the whole platform (scripts/start.ts) on free
// ports, as the browser tests do; building the web app first when a source
// changed takes a few minutes on a busy machine.
import { describe, expect, it } from 'vitest';
import { startPlatform } from '../helpers/platform.ts';

describe('npm start', () => {
	it('stops on Ctrl+C without a reconnect or a failure in its output', async () => {
		const platform = await startPlatform({ logFile: 'test-results/quiet-shutdown.log', timeoutMs: 540_000 });
		// Replication must be streaming, or losing it would go unsaid anyway.
		await expect.poll(() => platform.output(), { timeout: 30_000 }).toContain('replication: streaming changes');
		const afterCtrlC = await platform.stop();
		const noisy = afterCtrlC.split('\n').filter((line) => /stream lost|reconnect|error|fail|exited \(/i.test(line));
		expect(noisy, afterCtrlC).toEqual([]);
		expect(afterCtrlC).toContain('foldwork: stopped');
	}, 600_000);
});
