// `npm run bench:archive`: archives of 10, 100 and 1,000 jobs (issue 22).
//
// Starts the local stack in a child process (its own Postgres, Storage and
// functions in a temporary folder), seeds 1,000 completed structure-analysis
// jobs of one team (the real tool's result and output files, the input PDB,
// provenance, finished through worker.worker_finish_jobs), then runs the
// archive route's work (bench/archive-server.ts: jobsNotOpenable, then
// jobArchive streamed) in a process of its own, as the team's member, and
// downloads each archive, counting and dropping its bytes. Per size, over
// BENCH_RUNS runs: time to the last byte, MB, and the archive process's
// peak resident memory over its memory before the download (Linux: VmHWM
// after resetting it through /proc/<pid>/clear_refs, against VmRSS).
// Goals: the 1,000-job archive built without holding it: its peak RSS growth
// within 64 MB and within 32 MB of the 10-job archive's (flat, not growing
// with the archive); and >= 5 jobs a second on this shared 2-core machine.
import { createClient } from '@supabase/supabase-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../supabase/local/config.ts';
import { signJwt } from '../supabase/local/jwt.ts';
import { structureAnalysisTool } from '../src/lib/tools/runners.server.ts';
import { collectProvenance } from '../worker/provenance.ts';
import { createLogger } from '../worker/log.ts';
import { childStackEnv } from './child-stack.ts';
import { deadline, loadAverage, median, pool, procMemory, reportFigures, type Figure } from './measure.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = [10, 100, 1000];
const JOBS = Math.max(...SIZES);
const results: Figure[] = [];



function waitForLine(child: ChildProcess, pattern: RegExp, what: string, output: { text: string }): Promise<RegExpExecArray> {
	return deadline(
		new Promise((resolve, reject) => {
			const check = () => {
				const m = pattern.exec(output.text);
				if (m) resolve(m);
			};
			child.stdout!.on('data', check);
			check();
			child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${output.text}`)));
		}),
		180_000,
		what
	);
}

function spawnLogged(file: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: { text: string } } {
	const child = spawn(process.execPath, [file], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: projectRoot });
	const output = { text: '' };
	child.stdout!.on('data', (d: Buffer) => (output.text += d.toString()));
	child.stderr!.on('data', (d: Buffer) => (output.text += d.toString()));
	return { child, output };
}

async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null) return;
	const exited = new Promise((r) => child.once('exit', r));
	child.kill('SIGTERM');
	await deadline(exited, 30_000, 'stop').catch(() => child.kill('SIGKILL'));
}

/** POSTs the ids as the jobs page's form does and downloads the archive, dropping its bytes. */
function download(port: number, ids: string[]): Promise<{ bytes: number; ms: number }> {
	const t0 = performance.now();
	const body = `ids=${ids.join(',')}`;
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: '127.0.0.1', port, method: 'POST', path: '/archive', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
			(res) => {
				if (res.statusCode !== 200) {
					res.resume();
					return reject(new Error(`archive answered ${res.statusCode}`));
				}
				let bytes = 0;
				res.on('data', (c: Buffer) => (bytes += c.length));
				res.on('end', () => resolve({ bytes, ms: performance.now() - t0 }));
				res.on('error', reject);
			}
		);
		req.on('error', reject);
		req.end(body);
	});
}

const loadBefore = loadAverage();
const dir = mkdtempSync('/tmp/foldwork-bench-archive-');
chmodSync(dir, 0o755);
const { env, config } = await childStackEnv(dir);
const stack = spawnLogged(path.join(projectRoot, 'supabase/local/main.ts'), env);
let archiver: ReturnType<typeof spawnLogged> | null = null;
const db = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });

try {
	await waitForLine(stack.child, /ready/, 'stack start', stack.output);
	console.log(`stack up on ${config.apiUrl}`);
	const service = createClient(config.apiUrl, config.serviceRoleKey, { auth: { persistSession: false, autoRefreshToken: false } });

	// One team, one worker row, and the real tool's work once (every job carries the same files).
	const userId = randomUUID();
	await db.query(`insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data, created_at, updated_at) values ($1, 'authenticated', 'authenticated', $2, now(), '{}', now(), now())`, [userId, `bench-${userId.slice(0, 8)}@example.test`]);
	const teamId: string = (await db.query('select team_id from public.team_members where user_id = $1', [userId])).rows[0].team_id;
	const workerId: string = (await db.query(`insert into public.workers (compute_class, host, concurrency, tools) values ('cpu', 'bench-archive', 4, '{structure-analysis}') returning id`)).rows[0].id;
	const pdb = readFileSync(path.join(projectRoot, 'tests/fixtures/structures/1ejg.pdb'), 'utf8');
	const outputs: Array<{ name: string; mediaType: string; text: string }> = [];
	const settings = { secondaryStructure: true };
	const result = await structureAnalysisTool.run({ structures: [{ name: '1ejg', format: 'pdb', content: pdb }] }, settings, {
		signal: new AbortController().signal,
		progress: () => {},
		writeFile: async (name, mediaType, content) => void outputs.push({ name, mediaType, text: String(content) })
	});
	const provenance = (await collectProvenance(new Map([['structure-analysis', structureAnalysisTool]]), 20_000, createLogger('bench'))).get('structure-analysis');
	const files = [{ name: '1ejg.pdb', kind: 'input', mediaType: 'chemical/x-pdb', text: pdb }, ...outputs.map((o) => ({ ...o, kind: 'output' }))];

	const t0 = performance.now();
	// The bench's team may have all its jobs waiting at once (the default limit is 500).
	await db.query('insert into private.team_quotas (team_id, max_waiting) values ($1, $2)', [teamId, JOBS + 1]);
	const { rows } = await db.query(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input, settings)
		 select $1, 'structure-analysis', $2, 'Crambin ' || g, $3, $4 from generate_series(1, $5) g returning id`,
		[teamId, userId, { structures: [{ name: '1ejg', format: 'pdb', content: { $file: '1ejg.pdb' } }] }, settings, JOBS]
	);
	const ids: string[] = rows.map((r) => r.id);
	await pool(
		ids.flatMap((id) => files.map((f) => ({ id, f }))),
		16,
		async ({ id, f }) => {
			const storagePath = `${teamId}/${id}/${f.kind}/${f.name}`;
			const { error } = await service.storage.from('job-files').upload(storagePath, f.text, { contentType: f.mediaType });
			if (error) throw error;
			await db.query(`insert into public.job_files (job_id, kind, name, media_type, size_bytes, storage_path) values ($1, $2, $3, $4, $5, $6)`, [id, f.kind, f.name, f.mediaType, Buffer.byteLength(f.text), storagePath]);
		}
	);
	await db.query(`update public.jobs set status = 'queued' where id = any($1)`, [ids]);
	await db.query(`update public.jobs set status = 'processing', worker_id = $2, heartbeat_at = now() where id = any($1)`, [ids, workerId]);
	for (let i = 0; i < ids.length; i += 100) {
		const outcomes = ids.slice(i, i + 100).map((id) => ({ job_id: id, attempt: 1, status: 'completed', result, message: 'Finished', provenance }));
		await db.query('select * from worker.worker_finish_jobs($1, $2)', [workerId, JSON.stringify(outcomes)]);
	}
	console.log(`seeded ${ids.length} jobs with ${files.length} files each in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

	const now = Math.floor(Date.now() / 1000);
	const token = signJwt({ sub: userId, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 7200 }, config.jwtSecret);
	archiver = spawnLogged(path.join(projectRoot, 'bench/archive-server.ts'), { ...process.env, SUPABASE_URL: config.apiUrl, SUPABASE_ANON_KEY: config.anonKey, ARCHIVE_TOKEN: token });
	const port = Number((await waitForLine(archiver.child, /listening (\d+)/, 'archive server', archiver.output))[1]);
	const pid = archiver.child.pid!;
	// Warm up (module loading, the function's first start) before measuring.
	const post = (n: number) => download(port, ids.slice(0, n));
	await post(5);
	const growth = new Map<number, number>();
	for (const size of SIZES) {
		const times: number[] = [];
		const rss: number[] = [];
		let megabytes = 0;
		for (let run = 0; run < RUNS; run++) {
			writeFileSync(`/proc/${pid}/clear_refs`, '5');
			const before = procMemory(pid, 'VmRSS');
			const { bytes, ms } = await post(size);
			times.push(ms);
			rss.push(procMemory(pid, 'VmHWM') - before);
			megabytes = bytes / 1e6;
			console.log(`${size} jobs, run ${run + 1}: ${(ms / 1000).toFixed(2)} s, ${megabytes.toFixed(1)} MB, peak RSS +${(rss.at(-1)! / 2 ** 20).toFixed(1)} MiB`);
		}
		growth.set(size, median(rss));
		const jobsPerSecond = size / (median(times) / 1000);
		results.push({ figure: `${size}-job archive (${megabytes.toFixed(1)} MB): time to last byte`, value: `${(median(times) / 1000).toFixed(2)} s (${jobsPerSecond.toFixed(0)} jobs/s)`, goal: size === JOBS ? '>= 5 jobs/s' : '-', ok: size === JOBS ? jobsPerSecond >= 5 : null });
		results.push({ figure: `${size}-job archive: archiving process's peak RSS growth`, value: `${(median(rss) / 2 ** 20).toFixed(1)} MiB`, goal: size === JOBS ? '<= 64 MiB' : '-', ok: size === JOBS ? median(rss) <= 64 * 2 ** 20 : null });
	}
	const flat = (growth.get(JOBS)! - growth.get(SIZES[0])!) / 2 ** 20;
	results.push({ figure: `peak RSS growth, ${JOBS} jobs over ${SIZES[0]} jobs`, value: `${flat.toFixed(1)} MiB`, goal: '<= 32 MiB (flat)', ok: flat <= 32 });
} finally {
	if (archiver) await stop(archiver.child);
	await db.end();
	await stop(stack.child);
	rmSync(dir, { recursive: true, force: true });
}

reportFigures(results, loadBefore);

