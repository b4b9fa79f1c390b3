// A worker's Prometheus endpoint (--metrics-port): GET /metrics answers in
// the text exposition format, which this test parses with its own strict
// reader (every sample under a declared family, label values unescaped,
// histogram buckets cumulative up to +Inf = _count), and the figures follow
// what the worker did: jobs started and finished by tool and outcome, run
// times, claim latency, and the fleet's queue depth.
import { describe, expect, it } from 'vitest';
import { useWorkerDatabase } from '../helpers/worker-suite.ts';
import { createUser, startWorkerProcess, submitJob, waitForStatus } from '../helpers/worker-fleet.ts';
import { waitFor } from '../helpers/wait.ts';

const suite = useWorkerDatabase();

interface Sample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

/** Parses the text format strictly; throws on any line it does not recognise. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
	const types = new Map<string, string>();
	const samples: Sample[] = [];
	expect(text.endsWith('\n')).toBe(true);
	for (const line of text.slice(0, -1).split('\n')) {
		const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
		if (type) {
			expect(types.has(type[1]), `family ${type[1]} declared twice`).toBe(false);
			types.set(type[1], type[2]);
			continue;
		}
		if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
		const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/.exec(line);
		if (!sample) throw new Error(`not a line of the exposition format: ${JSON.stringify(line)}`);
		const labels: Record<string, string> = {};
		const body = sample[3] ?? '';
		const pair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\["\\n])*)"(,|$)/y;
		while (pair.lastIndex < body.length) {
			const m = pair.exec(body);
			if (!m) throw new Error(`bad labels: ${body}`);
			labels[m[1]] = m[2].replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
		}
		const family = sample[1].replace(/_(bucket|sum|count)$/, '');
		expect(types.has(sample[1]) || types.get(family) === 'histogram', `sample ${sample[1]} has no declared family`).toBe(true);
		samples.push({ name: sample[1], labels, value: Number(sample[4].replace('+Inf', 'Infinity')) });
	}
	return { types, samples };
}

function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
	return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;
}

describe('GET /metrics', () => {
	it('counts jobs by tool and outcome, times runs and claims, and reports the queue depth, in the exposition format', async () => {
		const user = await createUser(suite.db);
		const worker = await startWorkerProcess(suite.url, { concurrency: 2, args: ['--metrics-port', '0'] });
		const port = Number(/Prometheus metrics on port (\d+)/.exec(worker.logs())?.[1]);
		expect(port).toBeGreaterThan(0);
		const url = `http://127.0.0.1:${port}/metrics`;
		for (let i = 0; i < 2; i++) await waitForStatus(suite.db, await submitJob(suite.db, user, 'test-echo', { steps: [{ ms: 0 }] }), 'completed');
		await waitForStatus(suite.db, await submitJob(suite.db, user, 'test-sleep', { steps: [{ ms: 0, fail: 'no such residue' }] }), 'failed');
		// A GPU job waits: no GPU worker is online.
		await submitJob(suite.db, user, 'gpu-selftest', { sequences: [{ id: 'x', sequence: 'MKV' }] });

		const { samples, types } = await waitFor('the failed run to be counted', async () => {
			const response = await fetch(url);
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
			const parsed = parseExposition(await response.text());
			return value(parsed.samples, 'foldwork_jobs_finished_total', { tool: 'test-sleep', outcome: 'failed' }) === 1 ? parsed : undefined;
		});
		expect(types.get('foldwork_jobs_started_total')).toBe('counter');
		expect(types.get('foldwork_job_run_seconds')).toBe('histogram');
		expect(value(samples, 'foldwork_jobs_started_total', { tool: 'test-echo' })).toBe(2);
		expect(value(samples, 'foldwork_jobs_started_total', { tool: 'test-sleep' })).toBe(1);
		expect(value(samples, 'foldwork_jobs_finished_total', { tool: 'test-echo', outcome: 'completed' })).toBe(2);
		expect(value(samples, 'foldwork_job_run_seconds_count', { tool: 'test-echo', outcome: 'completed' })).toBe(2);
		expect(value(samples, 'foldwork_queue_depth', { class: 'gpu', status: 'pending' })).toBe(1);
		expect(value(samples, 'foldwork_queue_depth', { class: 'cpu', status: 'pending' })).toBe(0);
		expect(value(samples, 'foldwork_claim_seconds_count', { class: 'cpu' })).toBeGreaterThanOrEqual(1);
		// Every histogram: buckets cumulative, and +Inf equal to _count.
		for (const name of ['foldwork_job_run_seconds', 'foldwork_claim_seconds']) {
			const series = new Map<string, Sample[]>();
			for (const s of samples.filter((s) => s.name === `${name}_bucket`)) {
				const { le: _le, ...rest } = s.labels;
				const key = JSON.stringify(rest);
				series.set(key, [...(series.get(key) ?? []), s]);
			}
			expect(series.size).toBeGreaterThan(0);
			for (const [key, buckets] of series) {
				const counts = buckets.map((b) => b.value);
				expect(counts).toEqual([...counts].sort((a, b) => a - b));
				expect(buckets.at(-1)!.labels.le).toBe('+Inf');
				expect(counts.at(-1)).toBe(value(samples, `${name}_count`, JSON.parse(key)));
			}
		}
		expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
		expect(await worker.stop()).toBe(0);
	}, 30_000);
});
