// The demo jobs' results in supabase/seed.sql, computed by the tools
// themselves, so the demo shows what a real run shows (the results, their
// output files and the timeline's "Finished: ..." entry) and never a shape
// no tool writes. tests/db/seed.test.ts runs the tools again on the seeded
// jobs and fails when the seed is behind them; then run
//   npm run seed:results
// which rewrites the part of seed.sql between the demo-results markers from
// the inputs and settings the seed submits.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolDefinitions } from '#lib/tools/runners.server.ts';

/** The demo jobs that are shown completed, by their label in seed.sql. */
export const COMPLETED_DEMO_JOBS = ['properties', 'alignment'];

export interface DemoOutcome {
	result: unknown;
	files: Array<{ name: string; mediaType: string; text: string }>;
	/** The timeline's completed entry, as a worker writes it. */
	message: string;
}

/** Runs `toolId` as a worker would and keeps what a worker would record. */
export async function runForDemo(toolId: string, input: unknown, settings: unknown): Promise<DemoOutcome> {
	const tool = toolDefinitions[toolId];
	if (!tool) throw new Error(`no tool ${toolId}`);
	const files: DemoOutcome['files'] = [];
	let last: string | undefined;
	const result = await tool.run(tool.inputSchema.parse(input), tool.settingsSchema.parse(settings ?? {}), {
		signal: new AbortController().signal,
		progress: (pct, message) => (last = pct >= 100 && message ? message : undefined),
		writeFile: async (name, mediaType, content) => {
			files.push({ name, mediaType, text: typeof content === 'string' ? content : new TextDecoder().decode(content) });
		}
	});
	return { result, files, message: last ? `Finished: ${last}` : 'Finished' };
}

const BEGIN = '-- demo-results:begin';
const END = '-- demo-results:end';

interface Submitted {
	tool: string;
	input: unknown;
	settings: unknown;
}

/** The submit_job calls of seed.sql, by label: select '<label>', j.id from public.submit_job('<tool>', '<name>', '<input>', '<settings>') j; */
export function submittedDemoJobs(seedSql: string): Map<string, Submitted> {
	const literal = "'((?:[^']|'')*)'";
	const call = new RegExp(`select '([\\w-]+)', j\\.id from public\\.submit_job\\(${literal},\\s*${literal},\\s*${literal},\\s*${literal}\\) j;`, 'g');
	const text = (s: string) => s.replaceAll("''", "'");
	const jobs = new Map<string, Submitted>();
	for (const m of seedSql.matchAll(call)) jobs.set(m[1], { tool: text(m[2]), input: JSON.parse(text(m[4])), settings: JSON.parse(text(m[5])) });
	return jobs;
}

/** A dollar-quoted SQL literal whose tag does not occur in the text. */
function dollarQuoted(text: string, tag: string): string {
	let t = tag;
	for (let n = 2; text.includes(`$${t}$`); n++) t = `${tag}${n}`;
	return `$${t}$${text}$${t}$`;
}

function sqlFor(label: string, outcome: DemoOutcome): string {
	const job = `(select id from demo_jobs where label = '${label}')`;
	const lines = [
		`update public.jobs set status = 'completed', progress_message = ${dollarQuoted(outcome.message, 'message')},`,
		`  result = ${dollarQuoted(JSON.stringify(outcome.result), 'result')}::jsonb`,
		`where id = ${job};`
	];
	for (const file of outcome.files) {
		lines.push(
			'insert into public.job_files (job_id, kind, name, media_type, content)',
			`select id, 'output', '${file.name}', '${file.mediaType}', convert_to(${dollarQuoted(file.text, 'file')}, 'utf8')`,
			`from demo_jobs where label = '${label}';`
		);
	}
	return lines.join('\n');
}

/** seed.sql with the demo results recomputed. */
export async function refreshedSeed(seedSql: string): Promise<string> {
	const begin = seedSql.indexOf(BEGIN);
	const end = seedSql.indexOf(END);
	if (begin === -1 || end < begin) throw new Error(`seed.sql has no "${BEGIN}" ... "${END}" section`);
	const submitted = submittedDemoJobs(seedSql);
	const parts: string[] = [];
	for (const label of COMPLETED_DEMO_JOBS) {
		const job = submitted.get(label);
		if (!job) throw new Error(`seed.sql submits no demo job labelled '${label}'`);
		parts.push(sqlFor(label, await runForDemo(job.tool, job.input, job.settings)));
	}
	return `${seedSql.slice(0, begin)}${BEGIN}\n${parts.join('\n')}\n${seedSql.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../supabase/seed.sql');
	const before = readFileSync(file, 'utf8');
	const after = await refreshedSeed(before);
	writeFileSync(file, after);
	console.log(after === before ? 'supabase/seed.sql: the demo results were already current' : 'supabase/seed.sql: demo results recomputed');
}
