// Worker settings from the command line and the environment, parsed with zod.
//   node worker/main.ts --class cpu|gpu [--concurrency N] [--gpus N] [--grace-ms MS] [--metrics-port N]
// Environment: DATABASE_URL (required: a direct connection with the service
// role's rights), SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (required: the
// project's API URL and service role key, for job files in Storage),
// FOLDWORK_EXTRA_TOOLS (a module exporting `tools`, for
// tests only), FOLDWORK_TOOL_CHECK_TIMEOUT_MS (how long a tool's
// availability check may take at start), FOLDWORK_ISOLATE_TOOLS and
// FOLDWORK_EXECUTOR_* (how tools are isolated; see `isolation`), and
// SITE_URL (the web app's address, for links in notification digests), the
// mail variables of supabase/functions/_shared/email/from-env.ts (EMAIL_*,
// SMTP_*), and FOLDWORK_* timing overrides for tests.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export type ComputeClass = 'cpu' | 'gpu';

export interface WorkerConfig {
	computeClass: ComputeClass;
	concurrency: number;
	/** GPUs this worker offers; detected when not given. */
	gpus: number | null;
	databaseUrl: string;
	/** The project's API URL and service role key: job files go through the Storage API. */
	storage: { url: string; serviceRoleKey: string };
	/** How often the Storage housekeeping runs without being woken (and removes expired uploads). */
	storageSweepMs: number;
	/** Running jobs get this long to finish on SIGTERM before they are handed back. */
	shutdownGraceMs: number;
	extraToolsModule: string | null;
	/** Heartbeat (and reaper) interval; by default a third of the fleet policy's stale_after. */
	heartbeatMs: number | null;
	/** Safety-net sweeps for when a NOTIFY was missed. */
	dispatchSweepMs: number;
	claimPollMs: number;
	/** Most claim transactions in flight at once, and most jobs each fetches. */
	claimsInFlight: number;
	claimBatch: number;
	poolSize: number;
	/** How long a tool's availability check may take at start before the tool counts as unavailable. */
	toolCheckTimeoutMs: number;
	/** Serve Prometheus metrics on GET /metrics at this port (0: any free port); null: none. */
	metricsPort: number | null;
	/** Tools run in executor processes (the default); null: in the worker's own process (FOLDWORK_ISOLATE_TOOLS=0, for debugging a tool). */
	isolation: IsolationConfig | null;
	/** The web app's public address (SITE_URL): links in notification digests start with it. */
	siteUrl: string;
	/** How often the notification digest task claims due digests (FOLDWORK_DIGEST_SWEEP_MS). */
	digestSweepMs: number;
}

export interface IsolationConfig {
	/** Resident memory of an executor and the programs it started; null: no limit. */
	memoryLimitBytes: number | null;
	/** Executors started ahead and kept while idle (at most the worker's concurrency). */
	warm: number;
	/** An idle executor beyond the warm ones exits after this long. */
	idleMs: number;
	/** A run waits this long for a busy executor before one more is started (only while every executor holds a long run). */
	growAfterMs: number;
}

const positiveInt = z.coerce.number().int().positive();

const argsSchema = z.object({
	class: z.enum(['cpu', 'gpu'], { message: '--class must be cpu or gpu' }),
	concurrency: positiveInt.max(1024).optional(),
	gpus: z.coerce.number().int().min(0).max(64).optional(),
	'grace-ms': z.coerce.number().int().min(0).max(3_600_000).optional(),
	'metrics-port': z.coerce.number().int().min(0).max(65_535).optional()
});

const envSchema = z.object({
	DATABASE_URL: z
		.string({ message: 'DATABASE_URL is required: the Postgres connection string of the Foldwork database' })
		.regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// connection string'),
	SUPABASE_URL: z
		.string({ message: 'SUPABASE_URL is required: the project\'s API URL (https://<ref>.supabase.co; `npm run stack` prints the local one), for job files in Storage' })
		.regex(/^https?:\/\/[^\s]+$/, 'SUPABASE_URL must be an http(s) URL'),
	SUPABASE_SERVICE_ROLE_KEY: z
		.string({ message: 'SUPABASE_SERVICE_ROLE_KEY is required: the project\'s service role key (or sb_secret_ key), with which workers read and write job files in Storage' })
		.min(20, 'SUPABASE_SERVICE_ROLE_KEY is too short to be a key'),
	FOLDWORK_STORAGE_SWEEP_MS: positiveInt.min(100).max(86_400_000).optional(),
	SITE_URL: z
		.string()
		.regex(/^https?:\/\/[^\s]+$/, 'SITE_URL must be the web app\'s public http(s) address, such as https://foldwork.example.org')
		.optional(),
	FOLDWORK_DIGEST_SWEEP_MS: positiveInt.min(100).max(3_600_000).optional(),
	FOLDWORK_EXTRA_TOOLS: z.string().min(1).optional(),
	FOLDWORK_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).optional(),
	FOLDWORK_HEARTBEAT_MS: positiveInt.min(100).optional(),
	FOLDWORK_DISPATCH_SWEEP_MS: positiveInt.min(50).optional(),
	FOLDWORK_CLAIM_POLL_MS: positiveInt.min(50).optional(),
	FOLDWORK_CLAIMS_IN_FLIGHT: positiveInt.max(16).optional(),
	FOLDWORK_CLAIM_BATCH: positiveInt.max(500).optional(),
	FOLDWORK_DB_POOL_SIZE: positiveInt.max(100).optional(),
	FOLDWORK_TOOL_CHECK_TIMEOUT_MS: positiveInt.max(600_000).optional(),
	FOLDWORK_ISOLATE_TOOLS: z.enum(['0', '1'], { message: 'FOLDWORK_ISOLATE_TOOLS must be 1 (tools in executor processes, the default) or 0 (in the worker\'s own process, for debugging)' }).optional(),
	FOLDWORK_EXECUTOR_MEMORY_MB: z.coerce
		.number({ message: 'FOLDWORK_EXECUTOR_MEMORY_MB must be a whole number of MiB (0: no limit)' })
		.int('FOLDWORK_EXECUTOR_MEMORY_MB must be a whole number of MiB (0: no limit)')
		.min(0, 'FOLDWORK_EXECUTOR_MEMORY_MB must be a whole number of MiB (0: no limit)')
		.optional(),
	FOLDWORK_EXECUTORS_WARM: z.coerce.number().int().min(0).max(1024).optional(),
	FOLDWORK_EXECUTOR_IDLE_MS: positiveInt.min(100).max(86_400_000).optional(),
	FOLDWORK_EXECUTOR_GROW_MS: positiveInt.max(60_000).optional()
});

export class ConfigError extends Error {}

function describe(error: z.ZodError): string {
	return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export function loadWorkerConfig(argv: string[], env: NodeJS.ProcessEnv): WorkerConfig {
	let values: Record<string, unknown>;
	try {
		({ values } = parseArgs({
			args: argv,
			options: {
				class: { type: 'string' },
				concurrency: { type: 'string' },
				gpus: { type: 'string' },
				'grace-ms': { type: 'string' },
				'metrics-port': { type: 'string' }
			},
			strict: true,
			allowPositionals: false
		}));
	} catch (error) {
		throw new ConfigError(error instanceof Error ? error.message : String(error));
	}
	const args = argsSchema.safeParse(values);
	if (!args.success) throw new ConfigError(describe(args.error));
	const vars = envSchema.safeParse(env);
	if (!vars.success) throw new ConfigError(describe(vars.error));
	const a = args.data;
	const e = vars.data;
	const concurrency = a.concurrency ?? (a.class === 'gpu' ? 1 : Math.max(1, availableParallelism()));
	return {
		computeClass: a.class,
		concurrency,
		gpus: a.gpus ?? null,
		databaseUrl: e.DATABASE_URL,
		storage: { url: e.SUPABASE_URL, serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY },
		storageSweepMs: e.FOLDWORK_STORAGE_SWEEP_MS ?? 300_000,
		shutdownGraceMs: a['grace-ms'] ?? e.FOLDWORK_SHUTDOWN_GRACE_MS ?? 20_000,
		extraToolsModule: e.FOLDWORK_EXTRA_TOOLS ?? null,
		heartbeatMs: e.FOLDWORK_HEARTBEAT_MS ?? null,
		dispatchSweepMs: e.FOLDWORK_DISPATCH_SWEEP_MS ?? 2_000,
		claimPollMs: e.FOLDWORK_CLAIM_POLL_MS ?? 2_000,
		claimsInFlight: e.FOLDWORK_CLAIMS_IN_FLIGHT ?? 2,
		claimBatch: e.FOLDWORK_CLAIM_BATCH ?? 50,
		poolSize: e.FOLDWORK_DB_POOL_SIZE ?? 8,
		toolCheckTimeoutMs: e.FOLDWORK_TOOL_CHECK_TIMEOUT_MS ?? 15_000,
		metricsPort: a['metrics-port'] ?? null,
		siteUrl: (e.SITE_URL ?? 'http://127.0.0.1:5173').replace(/\/+$/, ''),
		digestSweepMs: e.FOLDWORK_DIGEST_SWEEP_MS ?? 60_000,
		isolation:
			e.FOLDWORK_ISOLATE_TOOLS === '0'
				? null
				: {
						memoryLimitBytes: (e.FOLDWORK_EXECUTOR_MEMORY_MB ?? 4096) ? (e.FOLDWORK_EXECUTOR_MEMORY_MB ?? 4096) * 2 ** 20 : null,
						warm: Math.min(concurrency, e.FOLDWORK_EXECUTORS_WARM ?? 2),
						idleMs: e.FOLDWORK_EXECUTOR_IDLE_MS ?? 60_000,
						growAfterMs: e.FOLDWORK_EXECUTOR_GROW_MS ?? 250
					}
	};
}
