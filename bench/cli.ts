// `npm run bench:cli`: a 1,000-record batch through the foldwork CLI, as a
// person runs it (the built CLI in a child process, over HTTP to the api
// edge function), submitted, waited for and downloaded: wall time and HTTP
// requests made, counted from the CLI's --trace lines.
//
// Starts the local stack in a child process (its own Postgres and storage in
// a temporary folder) and one CPU worker (concurrency BENCH_CONCURRENCY,
// default 4). Two shapes, BENCH_RUNS times each (default 3):
//  1. one job of 1,000 records: submit --wait, then download;
//  2. one job per record (--per-record): 1,000 jobs submitted --wait, then
//     all 1,000 downloaded.
// Goal (issue 22): no per-record round trip for submission, i.e. one
// POST /v1/jobs for the 1,000 records in either shape. Waiting is one
// long-poll for all jobs at a time. The bench token's rate limit is raised
// (BENCH_RATE, default 1,000 requests/s) so the figures measure the API, not
// the default per-token limit (20/s, burst 120), which would pace the
// per-record download to about 150 s.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { signJwt } from '../supabase/local/jwt.ts';
import { projectRoot } from '../supabase/local/config.ts';
import { childStackEnv } from './child-stack.ts';
import { deadline, loadAverage, median, reportFigures, type Figure } from './measure.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// BENCH_SHAPES=one,per-record (default both).
const SHAPES = (process.env.BENCH_SHAPES ?? 'one,per-record').split(',');
const RECORDS = Number(process.env.BENCH_RECORDS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const CLI = path.join(projectRoot, 'cli/dist/cli/src/main.js');

interface CliRun {
	code: number | null;
	ms: number;
	stdout: string;
	stderr: string;
	requests: string[];
	/** Milliseconds of each request, in the order of `requests`. */
	requestMs: number[];
}

function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [CLI, ...args, '--trace'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.once('error', reject);
		child.once('close', (code) => {
			const lines = stderr.split('\n').filter((line) => line.startsWith('trace '));
			const requestMs = lines.map((line) => Number(/ (\d+)ms$/.exec(line)?.[1] ?? Number.NaN));
			const requests = lines.map((line) => {
					const [, method, url] = line.split(' ');
					const pathname = new URL(url).pathname.replace(/^\/functions\/v1\/api/, '');
					return `${method} ${pathname.replace(/[0-9a-f-]{36}/g, '{id}').replace(/^\/storage\/v1\/.*/, '/storage (file)')}`;
				});
			resolve({ code, ms: performance.now() - started, stdout, stderr, requests, requestMs });
		});
	});
}

const countOf = (requests: string[], what: string) => requests.filter((r) => r === what).length;
const breakdown = (requests: string[]) => {
	const counts = new Map<string, number>();
	for (const r of requests) counts.set(r, (counts.get(r) ?? 0) + 1);
	return [...counts].map(([r, n]) => `${n} × ${r}`).join(', ');
};

const loadBefore = loadAverage();
const dir = mkdtempSync('/tmp/foldwork-bench-cli-');
chmodSync(dir, 0o755);
const { env, config } = await childStackEnv(dir);
const children: Array<ReturnType<typeof spawn>> = [];
const figures: Figure[] = [];

function start(args: string[], childEnv: NodeJS.ProcessEnv, readyPattern: RegExp, what: string) {
	const child = spawn(process.execPath, args, { cwd: projectRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
	children.push(child);
	let output = '';
	return deadline(
		new Promise<void>((resolve, reject) => {
			const check = (d: Buffer) => {
				output += d.toString();
				if (readyPattern.test(output)) resolve();
			};
			child.stdout!.on('data', check);
			child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
			child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${output.slice(-3000)}`)));
		}),
		180_000,
		`${what} start`
	);
}

try {
	console.log('building the CLI…');
	await promisify(execFile)('npm', ['run', 'build', '--workspace', '@foldwork/cli'], { cwd: projectRoot });
	await start([path.join(projectRoot, 'supabase/local/main.ts')], env, /ready/, 'stack');
	const databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${config.dbPort}/postgres`;
	console.log(`stack up on ${config.apiUrl}`);

	const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
	const userId = crypto.randomUUID();
	await db.query(
		`insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data, created_at, updated_at)
		 values ($1, 'authenticated', 'authenticated', $2, now(), '{}', now(), now())`,
		[userId, `bench-cli-${userId.slice(0, 8)}@example.test`]
	);
	const teamId = (await db.query<{ team_id: string }>('select team_id from public.team_members where user_id = $1', [userId])).rows[0].team_id;
	// Room for the per-record shape's 1,000 waiting jobs per run (the default is 500).
	await db.query('insert into private.team_quotas (team_id, max_waiting, running_cpu) values ($1, 100000, 1000)', [teamId]);

	// The token, made as the person on the settings page makes it (create_api_token over REST).
	const now = Math.floor(Date.now() / 1000);
	const jwt = signJwt({ sub: userId, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 3600 }, config.jwtSecret);
	const made = await fetch(`${config.apiUrl}/rest/v1/rpc/create_api_token`, {
		method: 'POST',
		headers: { apikey: config.anonKey, authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
		body: JSON.stringify({ name: 'bench', team_id: teamId, scope: 'write', expires_at: new Date(Date.now() + 86_400_000).toISOString() })
	});
	if (!made.ok) throw new Error(`create_api_token: ${made.status} ${await made.text()}`);
	const token = ((await made.json()) as { secret: string }).secret;
	await db.query('update private.api_tokens set rate_per_second = $1, rate_burst = $2 where team_id = $3', [RATE, RATE, teamId]);
	await db.end();

	await start(
		[path.join(projectRoot, 'worker/main.ts'), '--class', 'cpu', '--concurrency', String(CONCURRENCY)],
		{ ...process.env, DATABASE_URL: databaseUrl, SUPABASE_URL: config.apiUrl, SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey },
		/"ready":true/,
		'worker'
	);
	console.log(`worker up (concurrency ${CONCURRENCY})`);

	const cliEnv = { FOLDWORK_TOKEN: token, FOLDWORK_API_URL: `${config.apiUrl}/functions/v1/api`, XDG_CONFIG_HOME: dir };
	const fastaFile = path.join(dir, 'records.fasta');
	const residues = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRLSPLHSVYVDQWDWERVMGDGERQFSTLKSTVEAIWAGIKATEAAVSEEFGLAPFLPDQIHFVHSQELLSRYPDLDAKGRERAIAKDLGAVFLVGIGGKLSDGHRHDVRAPDYDDWUAVGKLHLHRRPSLTVFTSFDK'.slice(0, 120);
	writeFileSync(fastaFile, Array.from({ length: RECORDS }, (_, i) => `>rec${i + 1}\n${residues}\n`).join(''));
	// Warm the api function (its first start compiles it).
	const warm = await runCli(['tools', '--json'], cliEnv);
	if (warm.code !== 0) throw new Error(`foldwork tools failed: ${warm.stderr}`);

	const shapes = [
		{ id: 'one', name: `one job of ${RECORDS} records`, args: [] as string[] },
		{ id: 'per-record', name: `${RECORDS} jobs, one per record`, args: ['--per-record'] }
	];
	for (const shape of shapes.filter((s) => SHAPES.includes(s.id))) {
		const submitMs: number[] = [];
		const downloadMs: number[] = [];
		const submitPostMs: number[] = [];
		let submitRequests: string[] = [];
		let downloadRequests: string[] = [];
		for (let run = 0; run < RUNS; run++) {
			const submitted = await runCli(['submit', 'protein-properties', fastaFile, ...shape.args, '--wait', '--json'], cliEnv);
			if (submitted.code !== 0) throw new Error(`submit failed (${submitted.code}): ${submitted.stderr.slice(-2000)}`);
			const ids = (JSON.parse(submitted.stdout) as { jobs: Array<{ id: string }> }).jobs.map((j) => j.id);
			const out = path.join(dir, `out-${shape.args.length}-${run}`);
			const downloaded = await runCli(['download', ...ids, '-o', out, '--json'], cliEnv);
			if (downloaded.code !== 0) throw new Error(`download failed (${downloaded.code}): ${downloaded.stderr.slice(-2000)}`);
			submitMs.push(submitted.ms);
			downloadMs.push(downloaded.ms);
			submitRequests = submitted.requests;
			downloadRequests = downloaded.requests;
			const postMs = submitted.requestMs[submitted.requests.indexOf('POST /v1/jobs')];
			submitPostMs.push(postMs);
			console.log(
				`${shape.name}, run ${run + 1}: submit+wait ${(submitted.ms / 1000).toFixed(1)} s (the POST ${postMs} ms; ${breakdown(submitted.requests)}), download ${(downloaded.ms / 1000).toFixed(1)} s (${breakdown(downloaded.requests)})`
			);
		}
		const posts = countOf(submitRequests, 'POST /v1/jobs');
		figures.push(
			{ figure: `${shape.name}: POST /v1/jobs requests to submit`, value: String(posts), goal: '1 (no per-record round trip)', ok: posts === Math.ceil((shape.args.length ? RECORDS : 1) / 1000) },
			{ figure: `${shape.name}: the submit request (POST /v1/jobs), median`, value: `${median(submitPostMs)} ms`, goal: 'report', ok: null },
			{ figure: `${shape.name}: submit + wait, wall time (median)`, value: `${(median(submitMs) / 1000).toFixed(2)} s`, goal: 'report', ok: null },
			{ figure: `${shape.name}: requests to submit + wait (last run)`, value: `${submitRequests.length} (${breakdown(submitRequests)})`, goal: 'report', ok: null },
			{ figure: `${shape.name}: download, wall time (median)`, value: `${(median(downloadMs) / 1000).toFixed(2)} s`, goal: 'report', ok: null },
			{ figure: `${shape.name}: requests to download (last run)`, value: `${downloadRequests.length} (${breakdown(downloadRequests)})`, goal: 'report', ok: null }
		);
	}
	reportFigures(figures, loadBefore);
} finally {
	for (const child of children.reverse()) {
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGTERM');
		await deadline(exited, 30_000, 'stop').catch(() => child.kill('SIGKILL'));
	}
	rmSync(dir, { recursive: true, force: true });
}
