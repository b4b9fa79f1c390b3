#!/usr/bin/env node
// foldwork: the Foldwork command line, over the token API (client.ts).
// Exit codes: 0 ok, 1 a job failed or the API refused, 2 usage error,
// 3 authentication (no, bad, expired or revoked token), 4 network or server.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
	ApiRequestError,
	ApiUnavailableError,
	DEFAULT_API_URL,
	FoldworkClient,
	MAX_BATCH_JOBS,
	TOKEN_PATTERN,
	type ApiJob,
	type ApiJobSummary,
	type ApiTool,
	type NewJob,
	type RequestEvent
} from './client.ts';
import { readConfig, resolveCredentials, writeConfig } from './config.ts';
import { buildInputs, InputFileError, parseSettings, readInputFiles } from './inputs.ts';
import { isTerminal, lineView, quietView, terminalView, waitForJobs } from './watch.ts';

const EXIT = { ok: 0, refused: 1, usage: 2, auth: 3, unavailable: 4 } as const;

const USAGE = `usage: foldwork <command> [options]

  login --token <fwp_…> [--url <api url>]    check the token and store it (${'$'}XDG_CONFIG_HOME/foldwork/config.json, mode 0600)
  tools                                      the tools and their prices
  estimate <tool> <input files…> [--set k=v]  what a job would cost
  submit <tool> <input files…> [--set k=v] [--name <name>] [--per-record] [--wait]
                                             one job of all records, or one job per record (--per-record),
                                             sent in one request per ${MAX_BATCH_JOBS} jobs; --wait shows progress until they end
  wait <id…>                                 wait until the jobs end
  jobs [--status <status>] [--tool <tool>] [--limit <n>]   the team's jobs, newest first
  get <id> [--json]                          one job, with its input, settings and result
  download <id…> [-o <dir>]                  each job's files, result.json and result.csv into <dir>/<id>/
  retry <id…> | cancel <id…> | delete <id…>

options everywhere: --json (machine-readable output on stdout), --trace (each HTTP request on stderr), --help
environment: FOLDWORK_TOKEN and FOLDWORK_API_URL override the stored login (default URL ${DEFAULT_API_URL})
input files: FASTA (sequence tools), SMILES lines or SDF (molecule tools), PDB/mmCIF (structure tools), or the
  tool's input JSON in a .json file; '-' reads standard input
exit codes: 0 ok, 1 a job failed or the API refused, 2 usage error, 3 authentication, 4 network or server`;

class UsageError extends Error {}
/** Something was refused or failed, already reported; exit 1. */
class Refused extends Error {}

const COMMON = {
	json: { type: 'boolean' },
	trace: { type: 'boolean' },
	help: { type: 'boolean', short: 'h' }
} as const satisfies ParseArgsConfig['options'];

type Options = ParseArgsConfig['options'];

function parse<O extends Options>(args: string[], options: O) {
	try {
		return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
}

interface Io {
	stdout: NodeJS.WriteStream;
	stderr: NodeJS.WriteStream;
	env: NodeJS.ProcessEnv;
}

function printJson(io: Io, value: unknown) {
	io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function clientFor(io: Io, trace: boolean | undefined): Promise<FoldworkClient> {
	const { token, url } = await resolveCredentials(io.env);
	if (!token) throw new ApiRequestError(401, 'not_authenticated', `Not logged in: run foldwork login --token <fwp_…> (make a token on the web app's Settings → API tokens), or set FOLDWORK_TOKEN.`);
	return new FoldworkClient({
		baseUrl: url,
		token,
		onRequest: trace ? (event: RequestEvent) => io.stderr.write(`trace ${event.method} ${event.url} ${event.status ?? 'failed'} ${event.ms}ms\n`) : undefined
	});
}

const need = (positionals: string[], count: number, what: string) => {
	if (positionals.length < count) throw new UsageError(`give ${what}`);
};

async function toolById(client: FoldworkClient, id: string): Promise<ApiTool> {
	const { tools } = await client.tools();
	const tool = tools.find((t) => t.id === id);
	if (!tool) throw new UsageError(`no tool "${id}"; the tools are ${tools.map((t) => t.id).join(', ')}`);
	return tool;
}

function table(io: Io, rows: string[][]) {
	const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
	for (const row of rows) io.stdout.write(`${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')}\n`);
}

const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');

function jobRows(jobs: readonly ApiJobSummary[]): string[][] {
	return [['ID', 'NAME', 'TOOL', 'STATUS', 'CREATED', 'CREDITS'], ...jobs.map((j) => [j.id, j.name, j.tool_id, j.status, when(j.created_at), String(j.credits_charged)])];
}

// ------------------------------------------------------------------ commands

async function login(args: string[], io: Io): Promise<number> {
	const { values } = parse(args, { token: { type: 'string' }, url: { type: 'string' } });
	const token = values.token;
	if (!token) throw new UsageError('give --token <fwp_…> (make one on the web app: Settings → API tokens)');
	if (!TOKEN_PATTERN.test(token)) throw new UsageError('that is not a Foldwork token: it starts with fwp_ and has 43 more characters');
	const stored = await readConfig(io.env);
	const url = values.url ?? io.env.FOLDWORK_API_URL ?? stored.url ?? DEFAULT_API_URL;
	try {
		new URL(url);
	} catch {
		throw new UsageError(`--url must be the API's URL, e.g. ${DEFAULT_API_URL}`);
	}
	const client = new FoldworkClient({ baseUrl: url, token });
	const { token: info } = await client.token();
	const file = await writeConfig({ token, url }, io.env);
	if (values.json) printJson(io, { token: info, url, config: file });
	else io.stdout.write(`Logged in with "${info.name}" (${info.scope}) for team ${info.team_name ?? info.team_id}${info.expires_at ? `, until ${when(info.expires_at)}` : ''}; saved in ${file}\n`);
	return EXIT.ok;
}

async function tools(args: string[], io: Io): Promise<number> {
	const { values } = parse(args, {});
	const client = await clientFor(io, values.trace);
	const answer = await client.tools();
	if (values.json) printJson(io, answer);
	else {
		const price = (t: ApiTool) =>
			t.pricing.kind === 'free' ? 'free' : t.pricing.kind === 'calculator' ? (t.pricing.description ?? 'calculated') : `${t.pricing.credits} credits${t.pricing.kind === 'flat' ? ' a job' : ` per ${t.pricing.unit ?? 'record'}`}`;
		table(io, [['TOOL', 'NAME', 'RUNS ON', 'INPUT', 'PRICE'], ...answer.tools.filter((t) => t.enabled).map((t) => [t.id, t.name, t.compute_class, t.input_kind, price(t)])]);
	}
	return EXIT.ok;
}

const inputOptions = { set: { type: 'string', multiple: true } } as const;

async function estimate(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parse(args, inputOptions);
	need(positionals, 2, 'a tool and at least one input file: foldwork estimate <tool> <input files…>');
	const client = await clientFor(io, values.trace);
	const tool = await toolById(client, positionals[0]);
	const inputs = buildInputs(tool, await readInputFiles(positionals.slice(1)), false);
	const answer = await client.estimate({ tool: tool.id, input: inputs[0].input, settings: parseSettings(values.set ?? []) });
	if (values.json) printJson(io, answer);
	else io.stdout.write(`${answer.credits} credits; the team has ${answer.balance}${answer.sufficient ? '' : ' (not enough)'}\n`);
	return EXIT.ok;
}

async function submit(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parse(args, { ...inputOptions, name: { type: 'string' }, 'per-record': { type: 'boolean' }, wait: { type: 'boolean' } });
	need(positionals, 2, 'a tool and at least one input file: foldwork submit <tool> <input files…>');
	const client = await clientFor(io, values.trace);
	const tool = await toolById(client, positionals[0]);
	const settings = parseSettings(values.set ?? []);
	const inputs = buildInputs(tool, await readInputFiles(positionals.slice(1)), values['per-record'] ?? false);
	const jobs: NewJob[] = inputs.map(({ input, label }, i) => ({
		tool: tool.id,
		input,
		...(Object.keys(settings).length > 0 ? { settings } : {}),
		name: values.name ? (inputs.length > 1 ? `${values.name} ${i + 1}` : values.name) : label.slice(0, 200)
	}));
	const created: ApiJobSummary[] = [];
	let credits = 0;
	for (let i = 0; i < jobs.length; i += MAX_BATCH_JOBS) {
		const answer = await client.submit({ jobs: jobs.slice(i, i + MAX_BATCH_JOBS) });
		created.push(...answer.jobs);
		credits += answer.credits_charged;
	}
	if (!values.wait) {
		if (values.json) printJson(io, { jobs: created, credits_charged: credits });
		else for (const job of created) io.stdout.write(`${job.id}\n`);
		return EXIT.ok;
	}
	if (!values.json) io.stderr.write(`submitted ${created.length} job${created.length === 1 ? '' : 's'} (${credits} credits)\n`);
	return report(io, values.json, await waitForJobs(client, created, viewFor(io, values.json)));
}

function viewFor(io: Io, json: boolean | undefined) {
	if (json) return quietView;
	return io.stderr.isTTY ? terminalView(io.stderr) : lineView(io.stderr);
}

function report(io: Io, json: boolean | undefined, outcome: { jobs: ApiJobSummary[]; missing: string[] }): number {
	const unsuccessful = outcome.jobs.filter((j) => j.status !== 'completed');
	if (json) printJson(io, outcome);
	else {
		for (const job of outcome.jobs) io.stdout.write(`${job.id} ${job.status}${job.error_message && job.status !== 'completed' ? ` ${job.error_message}` : ''}\n`);
		for (const id of outcome.missing) io.stdout.write(`${id} not found\n`);
	}
	return unsuccessful.length > 0 || outcome.missing.length > 0 ? EXIT.refused : EXIT.ok;
}

async function waitCommand(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parse(args, {});
	need(positionals, 1, 'at least one job id');
	const client = await clientFor(io, values.trace);
	const jobs = await Promise.all(positionals.map(async (id) => (await client.getJob(id)).job));
	return report(io, values.json, await waitForJobs(client, jobs, viewFor(io, values.json)));
}

async function jobsCommand(args: string[], io: Io): Promise<number> {
	const { values } = parse(args, { status: { type: 'string' }, tool: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } });
	const limit = values.limit === undefined ? undefined : Number(values.limit);
	if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit takes a whole number');
	const client = await clientFor(io, values.trace);
	let answer;
	try {
		answer = await client.listJobs({ status: values.status as ApiJobSummary['status'] | undefined, tool: values.tool, limit, cursor: values.cursor });
	} catch (error) {
		// The contract's own check of the query: a usage mistake, said as the contract says it.
		if (error instanceof Error && error.name === 'ZodError') throw new UsageError(`--status is one of pending, queued, processing, retry, completed, failed, cancelled, timeout; --limit 1 to 200`);
		throw error;
	}
	if (values.json) printJson(io, answer);
	else {
		table(io, jobRows(answer.jobs));
		if (answer.next_cursor) io.stdout.write(`more: foldwork jobs --cursor ${answer.next_cursor}\n`);
	}
	return EXIT.ok;
}

async function get(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parse(args, {});
	need(positionals, 1, 'a job id');
	const client = await clientFor(io, values.trace);
	const { job } = await client.getJob(positionals[0]);
	if (values.json) printJson(io, { job });
	else describeJob(io, job);
	return EXIT.ok;
}

function describeJob(io: Io, job: ApiJob) {
	const lines = [
		['id', job.id],
		['name', job.name],
		['tool', job.tool_id],
		['status', `${job.status}${isTerminal(job.status) ? '' : ` ${Math.round(job.progress)}%`}${job.progress_message ? ` (${job.progress_message})` : ''}`],
		...(job.error_message ? [['error', job.error_message]] : []),
		['credits', `${job.credits_charged}${job.credits_refunded ? ` (${job.credits_refunded} refunded)` : ''}`],
		['created', when(job.created_at)],
		['finished', when(job.finished_at)],
		['settings', JSON.stringify(job.settings ?? {})]
	];
	for (const [key, value] of lines) io.stdout.write(`${key.padEnd(9)} ${value}\n`);
	const rows = (job.result as { table?: { rows?: unknown[] } } | null | undefined)?.table?.rows;
	if (rows) io.stdout.write(`result    ${rows.length} row${rows.length === 1 ? '' : 's'} (foldwork download ${job.id})\n`);
}

/** Runs `task` over `items`, at most `limit` at a time, in order of the results. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await task(items[index]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return results;
}

async function download(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parse(args, { output: { type: 'string', short: 'o' } });
	need(positionals, 1, 'at least one job id');
	const client = await clientFor(io, values.trace);
	const root = values.output ?? '.';
	const outcomes = await pool(positionals, 8, async (id) => {
		try {
			const dir = path.join(root, id);
			await mkdir(dir, { recursive: true });
			const written: string[] = [];
			const { files } = await client.files(id);
			for (const file of files) {
				if (!file.url) throw new ApiUnavailableError(`${file.name} of job ${id} is not available for download just now; try again`);
				const bytes = await client.download(file.url);
				const digest = createHash('sha256').update(bytes).digest('hex');
				if (file.sha256 && digest !== file.sha256) throw new ApiUnavailableError(`${file.name} of job ${id} arrived damaged (SHA-256 differs); try again`);
				const target = path.join(dir, file.kind === 'input' ? 'input' : 'files', path.basename(file.name));
				await mkdir(path.dirname(target), { recursive: true });
				await writeFile(target, bytes);
				written.push(target);
			}
			const json = await client.exportJson(id);
			await writeFile(path.join(dir, 'result.json'), `${JSON.stringify(json, null, 2)}\n`);
			written.push(path.join(dir, 'result.json'));
			try {
				await writeFile(path.join(dir, 'result.csv'), await client.exportCsv(id));
				written.push(path.join(dir, 'result.csv'));
			} catch (error) {
				// A job without a result table (not completed) has no CSV; its JSON says why.
				if (!(error instanceof ApiRequestError && error.status === 409)) throw error;
			}
			return { id, ok: true as const, files: written };
		} catch (error) {
			if (error instanceof ApiRequestError && error.status !== 401 && error.status !== 429) return { id, ok: false as const, error: error.message };
			throw error;
		}
	});
	if (values.json) printJson(io, { jobs: outcomes });
	else
		for (const outcome of outcomes) {
			if (outcome.ok) io.stdout.write(`${outcome.id}: ${outcome.files.length} file${outcome.files.length === 1 ? '' : 's'} in ${path.join(root, outcome.id)}\n`);
			else io.stderr.write(`${outcome.id}: ${outcome.error}\n`);
		}
	return outcomes.every((o) => o.ok) ? EXIT.ok : EXIT.refused;
}

function jobAction(name: 'retry' | 'cancel' | 'delete') {
	return async (args: string[], io: Io): Promise<number> => {
		const { values, positionals } = parse(args, {});
		need(positionals, 1, 'at least one job id');
		const client = await clientFor(io, values.trace);
		const outcomes = await pool(positionals, 4, async (id) => {
			try {
				if (name === 'delete') return { id, ok: true as const, deleted: (await client.deleteJob(id)).deleted };
				const { job } = name === 'retry' ? await client.retry(id) : await client.cancel(id);
				return { id, ok: true as const, job };
			} catch (error) {
				if (error instanceof ApiRequestError && error.status !== 401 && error.status !== 429) return { id, ok: false as const, error: error.message, code: error.code };
				throw error;
			}
		});
		if (values.json) printJson(io, { results: outcomes });
		else
			for (const outcome of outcomes) {
				if (!outcome.ok) io.stderr.write(`${outcome.id}: ${outcome.error}\n`);
				else if ('job' in outcome && outcome.job) io.stdout.write(name === 'retry' ? `${outcome.id} retried as ${outcome.job.id}\n` : `${outcome.id} ${outcome.job.status}\n`);
				else io.stdout.write(`${outcome.id} deleted\n`);
			}
		return outcomes.every((o) => o.ok) ? EXIT.ok : EXIT.refused;
	};
}

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<number>> = {
	login,
	tools,
	estimate,
	submit,
	wait: waitCommand,
	jobs: jobsCommand,
	get,
	download,
	retry: jobAction('retry'),
	cancel: jobAction('cancel'),
	delete: jobAction('delete')
};

/** Runs one command line; returns the exit code (never throws). */
async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
	const [command, ...args] = argv;
	const json = args.includes('--json');
	const fail = (code: number, errorCode: string, message: string) => {
		if (json) io.stdout.write(`${JSON.stringify({ error: { code: errorCode, message } })}\n`);
		io.stderr.write(`foldwork: ${message}\n`);
		return code;
	};
	if (!command || command === 'help' || command === '--help' || command === '-h') {
		io.stdout.write(`${USAGE}\n`);
		return command ? EXIT.ok : EXIT.usage;
	}
	if (command === '--version') {
		io.stdout.write('0.1.0\n');
		return EXIT.ok;
	}
	const run = COMMANDS[command];
	if (!run) return fail(EXIT.usage, 'usage', `unknown command "${command}"\n${USAGE}`);
	if (args.includes('--help') || args.includes('-h')) {
		io.stdout.write(`${USAGE}\n`);
		return EXIT.ok;
	}
	try {
		return await run(args, io);
	} catch (error) {
		if (error instanceof UsageError || error instanceof InputFileError) return fail(EXIT.usage, 'usage', `${error.message} (foldwork --help)`);
		if (error instanceof Refused) return EXIT.refused;
		if (error instanceof ApiRequestError) {
			const detail = error.issues.length > 1 ? `\n${error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}` : '';
			return fail(error.status === 401 ? EXIT.auth : error.status === 429 ? EXIT.unavailable : EXIT.refused, error.code, `${error.message}${detail}`);
		}
		if (error instanceof ApiUnavailableError) return fail(EXIT.unavailable, 'unavailable', error.message);
		if (error instanceof Error && error.name === 'ZodError') return fail(EXIT.usage, 'usage', `${error.message} (foldwork --help)`);
		return fail(EXIT.unavailable, 'internal', error instanceof Error ? (error.stack ?? error.message) : String(error));
	}
}

process.exitCode = await main(process.argv.slice(2));
