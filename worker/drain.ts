// `npm run worker -- --drain [--worker ID | --host PREFIX | --all]`: asks
// live workers to finish the jobs they run and take no new ones, then sign
// off and exit (each learns it from its next heartbeat), and waits until
// they have. By default, every worker process on this machine (host
// "<hostname>:<pid>"). Needs only DATABASE_URL.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { ConfigError } from './config.ts';

const optionsSchema = z.object({
	drain: z.literal(true),
	worker: z.uuid({ message: '--worker must be a worker id (a uuid)' }).optional(),
	host: z.string().min(1).max(255).optional(),
	all: z.boolean().optional(),
	'timeout-s': z.coerce.number().int().positive().optional()
});

const drainedSchema = z.array(z.object({ worker_id: z.uuid(), host: z.string(), compute_class: z.string(), running: z.number().int() }));

export interface DrainRequest {
	workerId: string | null;
	hostPrefix: string | null;
	timeoutMs: number;
}

export function parseDrainArgs(argv: string[]): DrainRequest {
	let values: Record<string, unknown>;
	try {
		({ values } = parseArgs({
			args: argv,
			options: { drain: { type: 'boolean' }, worker: { type: 'string' }, host: { type: 'string' }, all: { type: 'boolean' }, 'timeout-s': { type: 'string' } },
			strict: true,
			allowPositionals: false
		}));
	} catch (error) {
		throw new ConfigError(error instanceof Error ? error.message : String(error));
	}
	const parsed = optionsSchema.safeParse(values);
	if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message).join('; '));
	const o = parsed.data;
	if ([o.worker, o.host, o.all].filter((x) => x !== undefined).length > 1) throw new ConfigError('--drain takes one of --worker, --host and --all');
	return {
		workerId: o.worker ?? null,
		hostPrefix: o.all || o.worker ? null : (o.host ?? `${hostname()}:`),
		timeoutMs: (o['timeout-s'] ?? 24 * 3600) * 1000
	};
}

/** Asks, then waits for every worker asked to sign off; resolves with how many there were. */
export async function drainWorkers(databaseUrl: string, request: DrainRequest, say: (line: string) => void): Promise<number> {
	const client = new pg.Client({ connectionString: databaseUrl, application_name: 'foldwork-worker drain' });
	await client.connect();
	try {
		const { rows } = await client.query('select * from worker.worker_request_drain($1, $2)', [request.workerId, request.hostPrefix]);
		const asked = drainedSchema.parse(rows);
		if (!asked.length) {
			say('no live worker matched: nothing to drain');
			return 0;
		}
		for (const w of asked) say(`draining ${w.compute_class} worker ${w.worker_id} on ${w.host}: ${w.running} job(s) running; it takes no new ones`);
		const ids = asked.map((w) => w.worker_id);
		const deadline = Date.now() + request.timeoutMs;
		let left = ids.length;
		while (left > 0) {
			if (Date.now() > deadline) throw new Error(`${left} worker(s) still running jobs after ${request.timeoutMs / 1000} s`);
			// Woken by nothing the worker sends: it signs off within a heartbeat of its last job ending.
			await new Promise((resolve) => setTimeout(resolve, 500));
			const { rows: state } = await client.query(
				`select count(*) filter (where stopped_at is null)::int as left from public.workers where id = any ($1)`,
				[ids]
			);
			if (state[0].left !== left) say(`${ids.length - state[0].left} of ${ids.length} drained`);
			left = state[0].left;
		}
		return ids.length;
	} finally {
		await client.end();
	}
}
