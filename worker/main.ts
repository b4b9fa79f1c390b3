// Entry point: `npm run worker -- --class cpu|gpu [--concurrency N] [--gpus N] [--grace-ms MS] [--metrics-port N]`;
// `npm run worker -- --drain [--worker ID | --host PREFIX | --all]` asks running workers (by default this
// machine's) to finish their jobs, take no new ones and exit, and waits until they have (worker/drain.ts).
// Prints one JSON line on stdout when ready ({"ready":true,"workerId":...});
// logs go to stderr. SIGTERM/SIGINT: stop claiming, give running jobs the
// grace period, hand back the rest; a second signal exits at once.
import { ConfigError, loadWorkerConfig } from './config.ts';
import { drainWorkers, parseDrainArgs } from './drain.ts';
import { startWorker, type RunningWorker } from './fleet-worker.ts';
import { surviveDatabaseErrors } from './database.ts';
import { createLogger } from './log.ts';

if (process.argv.includes('--drain')) {
	try {
		const request = parseDrainArgs(process.argv.slice(2));
		if (!process.env.DATABASE_URL) throw new ConfigError('DATABASE_URL is required: the Postgres connection string of the Foldwork database');
		const count = await drainWorkers(process.env.DATABASE_URL, request, (line) => console.error(`worker --drain: ${line}`));
		process.stdout.write(`${JSON.stringify({ drained: count })}\n`);
		process.exit(0);
	} catch (error) {
		console.error(`worker --drain: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(error instanceof ConfigError ? 2 : 1);
	}
}

let config;
try {
	config = loadWorkerConfig(process.argv.slice(2), process.env);
} catch (error) {
	if (!(error instanceof ConfigError)) throw error;
	console.error(`worker: ${error.message}`);
	console.error('usage: node worker/main.ts --class cpu|gpu [--concurrency N] [--gpus N] [--grace-ms MS] [--metrics-port N]  (DATABASE_URL, SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set)');
	process.exit(2);
}

const abortStart = new AbortController();
let worker: RunningWorker | null = null;
let signals = 0;

function onSignal(signal: NodeJS.Signals): void {
	signals += 1;
	if (signals > 1) {
		console.error(`worker: ${signal} again, exiting now`);
		process.exit(1);
	}
	abortStart.abort();
	if (!worker) process.exit(0);
	worker.stop().then(
		() => process.exit(0),
		(error: unknown) => {
			console.error('worker: stop failed', error);
			process.exit(1);
		}
	);
}
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
// Database errors nobody handled are logged and survived; other uncaught errors are logged and exit.
surviveDatabaseErrors(createLogger('worker'));

try {
	worker = await startWorker(config, abortStart.signal);
} catch (error) {
	console.error('worker: could not start', error);
	process.exit(1);
}
process.stdout.write(`${JSON.stringify({ ready: true, workerId: worker.identity.id, computeClass: worker.identity.computeClass, metricsPort: worker.metricsPort })}\n`);
// Drained by an operator: every job it ran has finished.
void worker.drained.then(() => process.exit(0));
