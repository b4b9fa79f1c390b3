// Waiting for jobs: POST /v1/jobs/wait long-polls for all of them at once
// (one request per MAX_WAIT_IDS jobs, not one per job), and a progress bar
// per job on a terminal, or a plain line per status change otherwise.
import { API_TERMINAL_STATUSES, MAX_WAIT_IDS, MAX_WAIT_SECONDS, type ApiJobSummary, type FoldworkClient } from './client.ts';

export const isTerminal = (status: string) => API_TERMINAL_STATUSES.includes(status);

/**
 * The least time between two waits of one chunk of jobs: a busy batch changes
 * many times a second, and each change would otherwise be a request; this way
 * the changes of half a second come in one answer (and a bar redraws at most
 * twice a second), however many jobs there are.
 */
export const MIN_WAIT_INTERVAL_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface JobView {
	onChange(jobs: readonly ApiJobSummary[], all: ReadonlyMap<string, ApiJobSummary>): void;
	done(): void;
}

/** Waits until every job is terminal (or gone); returns the last state of each. */
export async function waitForJobs(client: FoldworkClient, jobs: readonly ApiJobSummary[], view: JobView): Promise<{ jobs: ApiJobSummary[]; missing: string[] }> {
	const state = new Map(jobs.map((job) => [job.id, job]));
	const missing = new Set<string>();
	view.onChange(jobs, state);
	const chunks: string[][] = [];
	const ids = [...state.keys()];
	for (let i = 0; i < ids.length; i += MAX_WAIT_IDS) chunks.push(ids.slice(i, i + MAX_WAIT_IDS));
	await Promise.all(
		chunks.map(async (chunk) => {
			let lastAsked = 0;
			for (;;) {
				const open = chunk.filter((id) => !missing.has(id) && !isTerminal(state.get(id)!.status));
				if (open.length === 0) return;
				const since = Object.fromEntries(open.map((id) => [id, state.get(id)!.updated_at]));
				await sleep(Math.max(0, lastAsked + MIN_WAIT_INTERVAL_MS - Date.now()));
				lastAsked = Date.now();
				const answer = await client.wait({ ids: open, since, timeout_s: MAX_WAIT_SECONDS });
				for (const id of answer.missing ?? []) missing.add(id);
				for (const job of answer.jobs) state.set(job.id, job);
				if (answer.jobs.length > 0) view.onChange(answer.jobs, state);
			}
		})
	);
	view.done();
	return { jobs: [...state.values()], missing: [...missing] };
}

const BAR_WIDTH = 24;

function bar(job: ApiJobSummary): string {
	const pct = job.status === 'completed' ? 100 : Math.max(0, Math.min(100, Math.round(job.progress)));
	const filled = Math.round((pct / 100) * BAR_WIDTH);
	return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(pct).padStart(3)}%`;
}

const shorten = (text: string, width: number) => (text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`);

/** A bar per job, redrawn in place on a terminal (as many as fit; the rest counted). */
export function terminalView(stream: NodeJS.WriteStream): JobView {
	let drawn = 0;
	let order: string[] = [];
	const draw = (all: ReadonlyMap<string, ApiJobSummary>) => {
		if (order.length === 0) order = [...all.keys()];
		const rows = Math.max(3, (stream.rows ?? 24) - 2);
		const jobs = order.map((id) => all.get(id)!);
		const shown = jobs.length <= rows ? jobs : [...jobs.filter((j) => !isTerminal(j.status)), ...jobs.filter((j) => isTerminal(j.status))].slice(0, rows - 1);
		const lines = shown.map((job) => `${shorten(job.name, 28)} ${bar(job)} ${shorten(job.status, 10)} ${(job.error_message ?? job.progress_message ?? '').slice(0, 60)}`);
		if (shown.length < jobs.length) {
			const finished = jobs.filter((j) => isTerminal(j.status)).length;
			lines.push(`… and ${jobs.length - shown.length} more (${finished} of ${jobs.length} finished)`);
		}
		let out = drawn > 0 ? `\x1b[${drawn}F` : '';
		for (const line of lines) out += `\x1b[2K${line}\n`;
		stream.write(out);
		drawn = lines.length;
	};
	return { onChange: (_changed, all) => draw(all), done: () => {} };
}

/** A line per job whose status changed, for logs and pipes. */
export function lineView(stream: NodeJS.WritableStream): JobView {
	const last = new Map<string, string>();
	return {
		onChange(changed) {
			for (const job of changed) {
				if (last.get(job.id) === job.status) continue;
				last.set(job.id, job.status);
				const why = job.status === 'failed' || job.status === 'timeout' ? `: ${job.error_message ?? ''}` : '';
				stream.write(`${job.id} ${job.name} ${job.status}${why}\n`);
			}
		},
		done: () => {}
	};
}

export const quietView: JobView = { onChange: () => {}, done: () => {} };
