// What a worker exposes to Prometheus (`--metrics-port`): counters of jobs
// started and finished (by tool, and by outcome), run-time and claim-latency
// histograms, and the queue depth per class read from the database at each
// scrape, in the text exposition format (version 0.0.4) that every
// monitoring stack reads. Small on purpose: no client library, no global
// registry; one Metrics per worker.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { z } from 'zod';

const RUN_BUCKETS = [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600];
const CLAIM_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

type Labels = Record<string, string>;

/** A label value as the format wants it: backslash, double quote and newline escaped. */
function escapeLabel(value: string): string {
	return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function labelText(labels: Labels): string {
	const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
	return pairs.length ? `{${pairs.join(',')}}` : '';
}

function number(value: number): string {
	if (Number.isNaN(value)) return 'NaN';
	if (value === Infinity) return '+Inf';
	if (value === -Infinity) return '-Inf';
	return String(value);
}

class Counter {
	#values = new Map<string, { labels: Labels; value: number }>();

	inc(labels: Labels, by = 1): void {
		const key = labelText(labels);
		const entry = this.#values.get(key) ?? { labels, value: 0 };
		entry.value += by;
		this.#values.set(key, entry);
	}

	lines(name: string): string[] {
		return [...this.#values.values()].map((e) => `${name}${labelText(e.labels)} ${number(e.value)}`);
	}
}

class Histogram {
	#buckets: number[];
	#series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

	constructor(buckets: number[]) {
		this.#buckets = buckets;
	}

	observe(labels: Labels, value: number): void {
		const key = labelText(labels);
		const s = this.#series.get(key) ?? { labels, counts: this.#buckets.map(() => 0), sum: 0, count: 0 };
		this.#buckets.forEach((le, i) => {
			if (value <= le) s.counts[i] += 1;
		});
		s.sum += value;
		s.count += 1;
		this.#series.set(key, s);
	}

	lines(name: string): string[] {
		const out: string[] = [];
		for (const s of this.#series.values()) {
			this.#buckets.forEach((le, i) => out.push(`${name}_bucket${labelText({ ...s.labels, le: number(le) })} ${s.counts[i]}`));
			out.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
			out.push(`${name}_sum${labelText(s.labels)} ${number(s.sum)}`);
			out.push(`${name}_count${labelText(s.labels)} ${s.count}`);
		}
		return out;
	}
}

const depthSchema = z.array(z.object({ compute_class: z.string(), status: z.string(), n: z.number().int() }));

export class Metrics {
	#started = new Counter();
	#finished = new Counter();
	#runSeconds = new Histogram(RUN_BUCKETS);
	#claimSeconds = new Histogram(CLAIM_BUCKETS);
	#running = new Map<string, { toolId: string; startedAt: number }>();
	#db: pg.Pool | null;

	/** db: read the queue depth from at each scrape (none: no depth figures). */
	constructor(db: pg.Pool | null) {
		this.#db = db;
	}

	jobStarted(jobId: string, toolId: string): void {
		this.#running.set(jobId, { toolId, startedAt: performance.now() });
		this.#started.inc({ tool: toolId });
	}

	/** outcome: completed, failed or timeout, or `stopped` (cancelled, lost, handed back). */
	jobFinished(jobId: string, outcome: string): void {
		const run = this.#running.get(jobId);
		if (!run) return;
		this.#running.delete(jobId);
		this.#finished.inc({ tool: run.toolId, outcome });
		this.#runSeconds.observe({ tool: run.toolId, outcome }, (performance.now() - run.startedAt) / 1000);
	}

	/** One claim transaction (fetch from the queue and mark processing) took this long. */
	claimed(computeClass: string, seconds: number): void {
		this.#claimSeconds.observe({ class: computeClass }, seconds);
	}

	async render(): Promise<string> {
		const out: string[] = [];
		const family = (name: string, type: string, help: string, lines: string[]) => {
			out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
		};
		family('foldwork_jobs_started_total', 'counter', 'Jobs this worker started, by tool.', this.#started.lines('foldwork_jobs_started_total'));
		family('foldwork_jobs_finished_total', 'counter', 'Runs this worker ended, by tool and outcome.', this.#finished.lines('foldwork_jobs_finished_total'));
		family('foldwork_job_run_seconds', 'histogram', 'Run time of the jobs this worker ended, by tool and outcome.', this.#runSeconds.lines('foldwork_job_run_seconds'));
		family('foldwork_claim_seconds', 'histogram', 'Duration of a claim transaction (queue fetch and mark processing).', this.#claimSeconds.lines('foldwork_claim_seconds'));
		family('foldwork_jobs_running', 'gauge', 'Jobs running on this worker now.', [`foldwork_jobs_running ${this.#running.size}`]);
		if (this.#db) {
			const { rows } = await this.#db.query(
				`select t.compute_class::text as compute_class, s.status::text as status, count(j.id)::int as n
				 from (select unnest(enum_range(null::public.compute_class)) as compute_class) t
				 cross join (values ('pending'), ('queued'), ('retry')) s(status)
				 left join public.tools tl on tl.compute_class = t.compute_class
				 left join public.jobs j on j.tool_id = tl.id and j.status::text = s.status
				 group by 1, 2 order by 1, 2`
			);
			family(
				'foldwork_queue_depth',
				'gauge',
				'Jobs waiting in the whole fleet, by compute class and status (pending: not yet dispatched; queued; retry).',
				depthSchema.parse(rows).map((r) => `foldwork_queue_depth${labelText({ class: r.compute_class, status: r.status })} ${r.n}`)
			);
		}
		return `${out.join('\n')}\n`;
	}
}

/** Serves GET /metrics on the port (0: any free one); resolves once listening. */
export async function serveMetrics(metrics: Metrics, port: number, host = '0.0.0.0'): Promise<{ server: Server; port: number; close(): Promise<void> }> {
	const server = createServer((req, res) => {
		if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
			res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
			return;
		}
		metrics.render().then(
			(body) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body),
			(error: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`)
		);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve());
	});
	return {
		server,
		port: (server.address() as AddressInfo).port,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}
