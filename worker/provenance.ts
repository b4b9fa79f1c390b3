// Each job's provenance (src/lib/jobs/provenance.ts): worked out once per
// worker start for every tool it runs, after the availability checks (the
// programs are there and run), then attached to every outcome the worker
// records. Asking a program for its version once, not per job, keeps the
// hot path free of child processes.
import { execFile } from 'node:child_process';
import type { JobProvenance } from '#lib/jobs/provenance.ts';
import { catalogEntry } from '#lib/tools/catalog.ts';
import { describeError, type Logger } from './log.ts';
import { workerVersion } from './registry.ts';
import type { RunnableTool } from './tools.ts';

/** The commit this worker runs from: FOLDWORK_COMMIT, else the checkout's HEAD, else null. */
export function workerCommit(env: Record<string, string | undefined> = process.env): Promise<string | null> {
	const given = env.FOLDWORK_COMMIT?.trim();
	if (given) return Promise.resolve(/^[0-9a-f]{7,64}$/i.test(given) ? given.toLowerCase() : null);
	return new Promise((resolve) => {
		execFile('git', ['rev-parse', 'HEAD'], { cwd: new URL('.', import.meta.url), timeout: 5_000 }, (error, stdout) => {
			const commit = stdout?.trim();
			resolve(!error && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null);
		});
	});
}

async function programsOf(tool: RunnableTool, timeoutMs: number, log: Logger): Promise<Record<string, string>> {
	if (!tool.programVersions) return {};
	let timer: NodeJS.Timeout | undefined;
	try {
		const asked = Promise.resolve().then(() => tool.programVersions!());
		asked.catch(() => {});
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
		});
		return await Promise.race([asked, timeout]);
	} catch (error) {
		log.warn(`tool ${tool.catalog.id}: could not tell its programs' versions (${describeError(error)}); its jobs record them as unknown`);
		return { 'back-end programs': 'unknown' };
	} finally {
		clearTimeout(timer);
	}
}

/** Tool id to the provenance its jobs record on this worker. */
export async function collectProvenance(tools: Map<string, RunnableTool>, timeoutMs: number, log: Logger): Promise<Map<string, JobProvenance>> {
	const worker = { version: workerVersion(), commit: await workerCommit(), runtime: `Node.js ${process.version}` };
	const entries = await Promise.all(
		[...tools].map(async ([id, tool]): Promise<[string, JobProvenance]> => {
			const catalog = catalogEntry(id) ?? tool.catalog;
			return [id, { tool: { id, name: catalog.name, version: catalog.version ?? 'unknown' }, programs: await programsOf(tool, timeoutMs, log), worker }];
		})
	);
	return new Map(entries);
}
