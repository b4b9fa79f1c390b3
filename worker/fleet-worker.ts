// One worker process: checks which of its class's tools this machine can
// run, registers, listens, dispatches, claims and runs jobs of those tools,
// heartbeats and reaps; stops gracefully.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgBoss } from 'pg-boss';
import type pg from 'pg';
import { z } from 'zod';
import { Claimer } from './claimer.ts';
import type { ComputeClass, WorkerConfig } from './config.ts';
import { createPool, executorFor, inTransaction } from './database.ts';
import { createDispatcher, groupByClass } from './dispatcher.ts';
import { Finisher } from './finisher.ts';
import { createHeartbeat } from './heartbeat.ts';
import { createBoss, notifyQueued, prepareQueues, QUEUED_CHANNEL, requeue } from './job-queue.ts';
import { createLogger, describeError, type Logger } from './log.ts';
import { Metrics, serveMetrics } from './metrics.ts';
import { createDigestTask } from './notification-digest.ts';
import { NotificationListener } from './notifications.ts';
import { ProgressWriter } from './progress.ts';
import { applyJobOutcomes, createReaper } from './reaper.ts';
import {
	detectGpus,
	registerWorker,
	signOffWorker,
	toolsNotRun,
	workerHost,
	workerVersion,
	type FleetPolicy,
	type WorkerIdentity
} from './registry.ts';
import { Runner } from './runner.ts';
import { StorageClient } from './storage/client.ts';
import { createStorageJanitor, STORAGE_CHANNEL } from './storage/janitor.ts';
import { JobFiles } from './storage/job-files.ts';
import { collectProvenance } from './provenance.ts';
import { checkToolAvailability, loadTools } from './tools.ts';
import { ExecutorPool } from './executor.ts';
import type { WakeLoop } from './wake-loop.ts';

export const PENDING_CHANNEL = 'foldwork_job_pending';
export const CANCEL_CHANNEL = 'foldwork_job_cancel';
const SLOT_DISPATCH_DELAY_MS = 5;
/** A drained worker waits for its jobs without a limit of its own (each tool's time limit ends them); the longest timer Node keeps. */
const DRAIN_WAIT_MS = 2_147_483_647;

const jobIdSchema = z.uuid();
const classSchema = z.enum(['cpu', 'gpu']);
const handedBackSchema = z.array(
	z.object({ job_id: z.uuid(), compute_class: classSchema, time_limit_seconds: z.number().int().positive() })
);

export interface RunningWorker {
	identity: WorkerIdentity;
	/** The port /metrics is served on, when asked for. */
	metricsPort: number | null;
	/** Resolves once the worker stopped after an operator asked it to drain (its running jobs all finished). */
	drained: Promise<void>;
	/** Stops claiming, lets running jobs finish within the grace period, hands back the rest. */
	stop(options?: { graceMs?: number }): Promise<void>;
}

/** Runs a start step until it succeeds (the database may still be starting), backing off between tries. */
async function untilItWorks<T>(what: string, log: Logger, fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
	for (let failures = 0; ; failures++) {
		try {
			return await fn();
		} catch (error) {
			if (signal.aborted) throw error;
			const wait = Math.min(5_000, 200 * 2 ** Math.min(failures, 5));
			log.warn(`${what} failed (${describeError(error)}); retrying in ${wait} ms`);
			await new Promise((resolve) => setTimeout(resolve, wait));
		}
	}
}

export async function startWorker(config: WorkerConfig, abortStart = new AbortController().signal): Promise<RunningWorker> {
	const id = randomUUID();
	const log = createLogger(`worker ${id.slice(0, 8)} ${config.computeClass}`);
	const loaded = await loadTools(config.extraToolsModule);
	const { available: tools, unavailable } = await checkToolAvailability(loaded, config.computeClass, config.toolCheckTimeoutMs);
	for (const [toolId, reason] of unavailable) log.warn(`tool ${toolId} is unavailable on this worker, its jobs are left to workers that can run it: ${reason}`);
	const provenance = await collectProvenance(tools, config.toolCheckTimeoutMs, log);
	const gpuDevices = config.computeClass === 'gpu' ? await detectGpus() : [];
	for (const d of gpuDevices) log.info(`GPU: ${d.name}, ${d.memoryMiB} MiB`);
	const gpus = config.gpus ?? gpuDevices.length;
	if (config.computeClass === 'gpu' && gpus === 0) log.warn('no GPU detected: GPU jobs will run on this machine\'s CPU');
	const identity: WorkerIdentity = {
		id,
		computeClass: config.computeClass,
		host: workerHost(),
		concurrency: config.concurrency,
		gpus,
		version: workerVersion(),
		tools: [...tools.keys()].sort(),
		unavailableTools: Object.fromEntries(unavailable),
		gpuDevices
	};
	const appName = `foldwork-worker ${config.computeClass} ${id.slice(0, 8)}`;
	const db: pg.Pool = createPool(config.databaseUrl, appName, config.poolSize, log);
	const boss: PgBoss = createBoss(db, log);

	let policy: FleetPolicy;
	let skipTools: string[];
	try {
		await untilItWorks('starting pg-boss', log, () => prepareQueues(boss), abortStart);
		policy = await untilItWorks('registering', log, () => registerWorker(db, identity), abortStart);
		skipTools = await untilItWorks('listing the tools this worker does not run', log, () => toolsNotRun(db, identity), abortStart);
	} catch (error) {
		await boss.stop({ graceful: false, close: false }).catch(() => {});
		await db.end().catch(() => {});
		throw error;
	}
	const heartbeatMs = config.heartbeatMs ?? Math.max(500, Math.floor((policy.staleAfterSeconds * 1000) / 3));

	const progress = new ProgressWriter(db, id, log);
	const files = new JobFiles(db, new StorageClient(config.storage), log);
	const metrics = config.metricsPort === null ? null : new Metrics(db);
	const metricsServer = metrics && config.metricsPort !== null ? await serveMetrics(metrics, config.metricsPort) : null;
	if (metricsServer) log.info(`Prometheus metrics on port ${metricsServer.port} (GET /metrics)`);
	const finisher = new Finisher(db, boss, id, log, metrics ? (o) => metrics.jobFinished(o.jobId, o.status ?? 'stopped') : null);
	const claimers = new Map<ComputeClass, Claimer>();
	let dispatcher: WakeLoop;
	let dispatchSoon: NodeJS.Timeout | null = null;
	const executors = config.isolation && new ExecutorPool({ ...config.isolation, extraToolsModule: config.extraToolsModule, log });
	const runner = new Runner({
		executors,
		provenance,
		workerId: id,
		db,
		tools,
		progress,
		finisher,
		files,
		log,
		retryLater: (job, reason) => retryLater(job.jobId, reason),
		onSlotFreed: () => {
			claimers.get(config.computeClass)?.wake();
			// Slots free up one by one under load: gather a few milliseconds of them into one dispatch.
			dispatchSoon ??= setTimeout(() => {
				dispatchSoon = null;
				dispatcher.wake();
			}, SLOT_DISPATCH_DELAY_MS);
		}
	});
	const wakeClaimers = (classes: Iterable<ComputeClass>) => {
		for (const c of classes) claimers.get(c)?.wake();
	};
	claimers.set(
		config.computeClass,
		new Claimer({
			workerId: id,
			computeClass: config.computeClass,
			concurrency: config.concurrency,
			claimsInFlight: config.claimsInFlight,
			batchSize: config.claimBatch,
			pollMs: config.claimPollMs,
			skipTools,
			gpuMemoryMiB: gpuDevices.length ? Math.floor(Math.max(...gpuDevices.map((d) => d.memoryMiB))) : null,
			db,
			boss,
			runner,
			log,
			...(metrics ? { metrics } : {})
		})
	);
	dispatcher = createDispatcher({ db, boss, sweepMs: config.dispatchSweepMs, log, onQueued: wakeClaimers });
	const janitor = createStorageJanitor({ db, files, sweepMs: config.storageSweepMs, log });
	const digests = createDigestTask({ db, siteUrl: config.siteUrl, sweepMs: config.digestSweepMs, log });
	const reaper = createReaper({ db, boss, intervalMs: heartbeatMs, log, onRequeued: wakeClaimers });
	const heartbeat = createHeartbeat({
		db,
		workerId: id,
		intervalMs: heartbeatMs,
		log,
		runningJobIds: () => runner.runningIds(),
		onLost: (jobIds) => {
			for (const jobId of jobIds) runner.stop(jobId, 'lost');
		},
		reregister: async () => {
			await registerWorker(db, identity);
		},
		onDrain: () => {
			log.info(`asked to drain: taking no new jobs; ${runner.size} running will finish, then this worker exits`);
			void running.stop({ graceMs: DRAIN_WAIT_MS }).then(drainedNow, drainedNow);
		}
	});
	let drainedNow: () => void = () => {};
	const drained = new Promise<void>((resolve) => {
		drainedNow = resolve;
	});
	const listener = new NotificationListener({
		databaseUrl: config.databaseUrl,
		applicationName: `${appName} listen`,
		channels: [PENDING_CHANNEL, QUEUED_CHANNEL, CANCEL_CHANNEL, STORAGE_CHANNEL],
		log,
		onNotification(channel, payload) {
			if (channel === PENDING_CHANNEL) dispatcher.wake();
			else if (channel === QUEUED_CHANNEL) {
				const parsed = classSchema.safeParse(payload);
				if (parsed.success) claimers.get(parsed.data)?.wake();
			} else if (channel === STORAGE_CHANNEL) {
				janitor.wake();
			} else if (channel === CANCEL_CHANNEL) {
				const jobId = jobIdSchema.safeParse(payload);
				if (jobId.success) runner.stop(jobId.data, 'cancelled');
			}
		},
		// Notifications sent while we were not listening are lost: catch up.
		onReconnect() {
			dispatcher.wake();
			wakeClaimers(claimers.keys());
			heartbeat.wake();
			janitor.wake();
		}
	});
	await listener.start();
	await executors?.ready();
	// Whatever was left while no worker ran: uploads to move, objects to remove, bytes still in the database.
	janitor.wake();
	digests.wake();
	log.info(
		`ready: ${config.concurrency} ${config.computeClass} slot(s), ${gpus} GPU(s), ${tools.size} tool(s) (${unavailable.size} unavailable); heartbeat every ${heartbeatMs} ms, stale after ${policy.staleAfterSeconds} s; ${executors ? executors.describe() : 'tools run in this process'}`
	);

	/**
	 * A transient fault: back to the queue while attempts remain (the database decides), else
	 * failed. A database that is down is waited out (the job keeps its slot and its heartbeat
	 * meanwhile, so the reaper leaves it alone); once the worker stops waiting (shutdown), the job
	 * stops heartbeating and the reaper of a live worker sends it to retry.
	 */
	async function retryLater(jobId: string, reason: string): Promise<void> {
		for (let failures = 0; ; failures++) {
			try {
				const outcomes = await inTransaction(db, async (client) => {
					const { rows } = await client.query('select * from worker.worker_retry_later($1, $2, $3)', [id, jobId, reason]);
					return applyJobOutcomes(boss, client, rows);
				});
				const outcome = outcomes[0]?.outcome ?? 'no longer held by this worker';
				log.info(`job ${jobId}: transient fault; ${outcome === 'requeue' ? 'queued to run again' : outcome}`);
				return;
			} catch (error) {
				if (stopRetrying.signal.aborted) {
					log.error(`job ${jobId}: could not send it back to the queue before stopping; the reaper will`, error);
					return;
				}
				const wait = Math.min(5_000, 200 * 2 ** Math.min(failures, 5));
				log.warn(`job ${jobId}: could not send it back to the queue (${describeError(error)}); retrying in ${wait} ms`);
				await sleep(wait, undefined, { signal: stopRetrying.signal }).catch(() => {});
			}
		}
	}

	let stopping: Promise<void> | null = null;
	const stopRetrying = new AbortController();
	async function handBack(): Promise<void> {
		const jobs = await runner.stopForHandBack();
		if (!jobs.length) return;
		const ids = jobs.map((j) => j.jobId);
		try {
			await inTransaction(db, async (client) => {
				const { rows } = await client.query('select * from worker.worker_hand_back($1, $2)', [id, ids]);
				const grouped = groupByClass(handedBackSchema.parse(rows));
				for (const [computeClass, entries] of grouped) await requeue(boss, executorFor(client), computeClass, entries);
				await notifyQueued(client, grouped.keys());
			});
			log.info(`handed back ${ids.length} job(s): they will run again on another worker`);
		} catch (error) {
			// They stop heartbeating with us, so the reaper of another worker sends them to retry.
			log.error(`could not hand back ${ids.length} job(s); the reaper will retry them`, error);
		}
		runner.forget(ids);
	}

	const running: RunningWorker = {
		identity,
		metricsPort: metricsServer?.port ?? null,
		drained,
		stop(options = {}) {
			stopping ??= (async () => {
				const graceMs = options.graceMs ?? config.shutdownGraceMs;
				log.info(`stopping: no new jobs; ${runner.size} running get ${graceMs} ms to finish`);
				await Promise.all([...claimers.values()].map((c) => c.stop()));
				if (dispatchSoon) clearTimeout(dispatchSoon);
				await Promise.all([dispatcher.stop(), reaper.stop(), janitor.stop(), digests.stop()]);
				await signOffWorker(db, id).catch((error) => log.warn(`sign-off failed: ${describeError(error)}`));
				if (!(await runner.drain(graceMs))) {
					stopRetrying.abort();
					await handBack();
				}
				await executors?.stop();
				await heartbeat.stop();
				await finisher.stop();
				await progress.stop();
				await listener.stop();
				await boss.stop({ graceful: false, close: false, timeout: 1_000 }).catch((error) => log.warn(`pg-boss stop: ${describeError(error)}`));
				await metricsServer?.close();
				await db.end();
				log.info('stopped');
			})();
			return stopping;
		}
	};
	return running;
}
