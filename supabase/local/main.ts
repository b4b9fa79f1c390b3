// `npm run stack`: the local Supabase stack alone, in the foreground. Prints
// the URLs and keys like `supabase status`, then a line containing "ready".
import { loadConfig } from './config.ts';
import { startStack } from './stack.ts';
import { describeStack } from './status.ts';

const started = performance.now();
const verbose = process.env.STACK_VERBOSE === '1';
const config = loadConfig();
const stack = await startStack(config, {
	log: (service, message) => {
		if (verbose || service !== 'postgres') console.log(`[${service}] ${message}`);
	}
}).catch((error: unknown) => {
	console.error(`Local stack failed to start: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});

if (stack.migrations.applied.length) console.log(`Applied migrations: ${stack.migrations.applied.join(', ')}`);
if (stack.migrations.seeded.length) console.log(`Seeded: ${stack.migrations.seeded.join(', ')}`);
console.log(describeStack(stack.config));
console.log(`Local stack ready in ${((performance.now() - started) / 1000).toFixed(2)} s. Press Ctrl+C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, async () => {
		if (stopping) return;
		stopping = true;
		await stack.stop();
		process.exit(0);
	});
}
