// One tool executor: a long-lived child process of the worker that runs one
// job at a time, so a tool's CPU, memory and crashes stay out of the
// worker's event loop (heartbeats, NOTIFY, claims). The worker sends
// {run}; the child runs the tool and answers {done}, forwarding progress and
// output files as messages. It never exits on its own between jobs; the
// worker kills it (and its process group: native programs the tool started)
// to cancel, time out or stop a job over its memory limit. It starts with no
// tool loaded and imports each tool the first time it runs it (saying so on
// stderr), so a fresh executor costs little more than Node itself.
import type { ExecutorReply, ExecutorRequest } from './executor.ts';
import { ExecutorTools } from './executor-tools.ts';
import { createLogger } from './log.ts';

const tools = new ExecutorTools(process.argv[2] || null);
const loadedOnce = new Set<string>();
const log = createLogger(`executor ${process.pid}`);

// The worker is gone (killed): nothing left to run for. The whole process group goes, so a
// native program the tool started (vina, obabel) does not run on as an orphan.
process.on('disconnect', () => {
	try {
		process.kill(-process.pid, 'SIGKILL');
	} catch {
		process.exit(0);
	}
});

function send(message: ExecutorReply): void {
	process.send?.(message);
}

let written = 0;
const writes = new Map<number, { resolve(): void; reject(error: Error): void }>();

process.on('message', (message: ExecutorRequest) => {
	if (message.type === 'written') {
		const waiting = writes.get(message.callId);
		writes.delete(message.callId);
		if (!waiting) return;
		if (message.error) waiting.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
		else waiting.resolve();
		return;
	}
	if (message.type !== 'run') return;
	const { runId, toolId, input, settings } = message;
	// The worker's own signal decides when a run stops (it kills this process); this one never fires.
	const signal = new AbortController().signal;
	const run = async () => {
		const started = performance.now();
		const tool = await tools.get(toolId);
		if (!tool) throw new Error(`tool ${toolId} is not known to the executor`);
		if (!loadedOnce.has(toolId)) {
			loadedOnce.add(toolId);
			log.info(`loaded tool ${toolId} in ${(performance.now() - started).toFixed(0)} ms`);
			send({ type: 'loaded', runId, toolId });
		}
		return tool.run(input as never, settings as never, {
			signal,
			progress: (pct, progressMessage) => send({ type: 'progress', runId, pct, message: progressMessage }),
			writeFile: (name, mediaType, content) =>
				new Promise<void>((resolve, reject) => {
					const callId = ++written;
					writes.set(callId, { resolve, reject });
					send({ type: 'writeFile', runId, callId, name, mediaType, content });
				})
		});
	};
	run().then(
		(result) => send({ type: 'done', runId, ok: true, result }),
		(error: unknown) => {
			const e = error instanceof Error ? error : new Error(String(error));
			send({ type: 'done', runId, ok: false, error: { name: e.name, message: e.message, stack: e.stack ?? '' } });
		}
	);
});

send({ type: 'ready' });
