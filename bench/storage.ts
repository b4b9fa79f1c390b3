// `npm run bench:storage`: the local Storage service's throughput and memory.
//
// Starts the local stack in a child process (its own embedded Postgres on
// free ports and its own storage folder, in a temporary folder), so the
// client measured here does not share an event loop with the server. Then,
// through the real supabase-js (and fetch for streaming downloads):
//  1. one 200 MB object: upload (a file streamed as the request body) and
//     download (the response streamed and dropped), BENCH_RUNS times each,
//     over node:http (what a streaming client costs least; undici's fetch
//     spends as much CPU as the server on this 2-core machine, which would
//     measure the client); MB/s is 10^6 bytes a second;
//  2. the server's peak resident memory during part 1 over its resident
//     memory before it (Linux: VmHWM after resetting it through
//     /proc/<pid>/clear_refs, against VmRSS), and its CPU time per transfer
//     (on a busy machine the wall-clock rate measures the scheduler too; the
//     CPU time says what one free core allows);
//  3. 1,000 small objects (4 KiB) uploaded and then downloaded, 16 requests
//     in flight: objects and MB a second;
//  4. signed URL creation: createSignedUrl calls (16 in flight), and
//     createSignedUrls for 1,000 paths in one call.
// Goals (issue 16): >= 200 MB/s each way for the large object, peak RSS
// growth <= 64 MB whatever the size, >= 1,000 signed URLs a second.
import { createClient } from '@supabase/supabase-js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { projectRoot } from '../supabase/local/config.ts';
import { childStackEnv } from './child-stack.ts';
import { deadline, loadAverage, median, pool, procMemory, reportFigures, type Figure } from './measure.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 200);
const SMALL_COUNT = Number(process.env.BENCH_SMALL_COUNT ?? 1000);
const SMALL_BYTES = 4096;
const IN_FLIGHT = 16;
const SIGNED_CALLS = Number(process.env.BENCH_SIGNED_CALLS ?? 3000);

const results: Figure[] = [];


/** CPU seconds the process has used (user + system), from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** One request over node:http: the body streamed from `file`, the answer counted and dropped. */
function transfer(method: string, urlPath: string, extra: Record<string, string>, file?: string): Promise<{ status: number; received: number }> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: '127.0.0.1', port: apiPort, method, path: urlPath, headers: { apikey: config.serviceRoleKey, Authorization: `Bearer ${config.serviceRoleKey}`, ...extra } },
			(res) => {
				let received = 0;
				res.on('data', (chunk: Buffer) => (received += chunk.length));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, received }));
				res.on('error', reject);
			}
		);
		req.on('error', reject);
		if (file) createReadStream(file, { highWaterMark: 1024 * 1024 }).on('error', reject).pipe(req);
		else req.end();
	});
}


const loadBefore = loadAverage();
const dir = mkdtempSync('/tmp/foldwork-bench-storage-');
chmodSync(dir, 0o755);
const { env, config, apiPort } = await childStackEnv(dir, { STORAGE_FILE_SIZE_LIMIT: `${LARGE_MB * 2}MB` });
const server = spawn(process.execPath, [path.join(projectRoot, 'supabase/local/main.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let serverOutput = '';
server.stdout.on('data', (d: Buffer) => (serverOutput += d.toString()));
server.stderr.on('data', (d: Buffer) => (serverOutput += d.toString()));

try {
	await deadline(
		new Promise<void>((resolve, reject) => {
			const check = () => /ready/.test(serverOutput) && resolve();
			server.stdout.on('data', check);
			server.once('exit', (code) => reject(new Error(`stack exited with ${code}:\n${serverOutput}`)));
		}),
		120_000,
		'stack start'
	);
	const pid = server.pid!;
	console.log(`stack up on ${config.apiUrl} (server pid ${pid})`);
	const supabase = createClient(config.apiUrl, config.serviceRoleKey, { auth: { persistSession: false, autoRefreshToken: false } });
	const bucket = 'bench';
	const created = await supabase.storage.createBucket(bucket);
	if (created.error) throw created.error;
	const files = supabase.storage.from(bucket);

	// The large object, written once to disk so the upload streams from a file.
	const largeBytes = LARGE_MB * 1_000_000;
	const largePath = path.join(dir, 'large.bin');
	const handle = await open(largePath, 'w');
	const block = randomBytes(1024 * 1024);
	for (let written = 0; written < largeBytes; written += block.length) await handle.write(block, 0, Math.min(block.length, largeBytes - written));
	await handle.close();

	// 1 + 2: large object, with the server's peak memory ------------------------------------
	// First a tenth of the size, once each way: the peak memory of a small
	// transfer, to compare with the large one's ("whatever the size").
	const tenthPath = path.join(dir, 'tenth.bin');
	const tenthBytes = Math.floor(largeBytes / 10);
	const tenth = await open(tenthPath, 'w');
	await tenth.write(Buffer.alloc(tenthBytes, 7));
	await tenth.close();
	writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
	const rssBeforeTenth = procMemory(pid, 'VmRSS');
	await transfer('POST', `/storage/v1/object/${bucket}/tenth.bin`, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(tenthBytes) }, tenthPath);
	await transfer('GET', `/storage/v1/object/${bucket}/tenth.bin`, {});
	const tenthGrowth = (procMemory(pid, 'VmHWM') - rssBeforeTenth) / 1024 / 1024;

	writeFileSync(`/proc/${pid}/clear_refs`, '5');
	const rssBefore = procMemory(pid, 'VmRSS');
	const up: number[] = [];
	const down: number[] = [];
	const upCpu: number[] = [];
	const downCpu: number[] = [];
	const headers = { apikey: config.serviceRoleKey, Authorization: `Bearer ${config.serviceRoleKey}` };
	for (let run = 0; run < RUNS; run++) {
		const cpu0 = cpuSeconds(pid);
		const started = performance.now();
		const answer = await transfer('POST', `/storage/v1/object/${bucket}/large.bin`, { 'x-upsert': 'true', 'Content-Type': 'application/octet-stream', 'Content-Length': String(largeBytes) }, largePath);
		if (answer.status !== 200) throw new Error(`upload answered ${answer.status}`);
		up.push(largeBytes / 1e6 / ((performance.now() - started) / 1000));
		upCpu.push(cpuSeconds(pid) - cpu0);
		const cpu1 = cpuSeconds(pid);

		const t0 = performance.now();
		const got = await transfer('GET', `/storage/v1/object/${bucket}/large.bin`, {});
		if (got.received !== largeBytes) throw new Error(`downloaded ${got.received} of ${largeBytes} bytes`);
		down.push(largeBytes / 1e6 / ((performance.now() - t0) / 1000));
		downCpu.push(cpuSeconds(pid) - cpu1);
		console.log(`run ${run + 1}: upload ${up.at(-1)!.toFixed(0)} MB/s, download ${down.at(-1)!.toFixed(0)} MB/s`);
	}
	const peakGrowth = (procMemory(pid, 'VmHWM') - rssBefore) / 1024 / 1024;
	results.push({ figure: `${LARGE_MB} MB object upload (median of ${RUNS})`, value: `${median(up).toFixed(0)} MB/s`, goal: '>= 200 MB/s', ok: median(up) >= 200 });
	results.push({ figure: `${LARGE_MB} MB object download (median of ${RUNS})`, value: `${median(down).toFixed(0)} MB/s`, goal: '>= 200 MB/s', ok: median(down) >= 200 });
	// On a busy machine the wall-clock figures measure the scheduler as much as the server: its CPU time says what a free core allows.
	results.push({ figure: `server CPU per ${LARGE_MB} MB upload / download`, value: `${median(upCpu).toFixed(2)} s / ${median(downCpu).toFixed(2)} s (a free core: ${(LARGE_MB / median(upCpu)).toFixed(0)} / ${(LARGE_MB / median(downCpu)).toFixed(0)} MB/s)`, goal: '-', ok: null });
	results.push({
		figure: `server peak RSS growth, one ${LARGE_MB / 10} MB object up and down`,
		value: `${tenthGrowth.toFixed(1)} MB`,
		goal: '<= 64 MB',
		ok: tenthGrowth <= 64
	});
	results.push({
		figure: `server peak RSS growth, ${RUNS} x ${LARGE_MB} MB up and down`,
		value: `${peakGrowth.toFixed(1)} MB (RSS before ${(rssBefore / 1024 / 1024).toFixed(0)} MB)`,
		goal: '<= 64 MB',
		ok: peakGrowth <= 64
	});

	// 3: small objects ------------------------------------------------------------------------
	const names = Array.from({ length: SMALL_COUNT }, (_, i) => `small/${String(i).padStart(5, '0')}.bin`);
	const body = randomBytes(SMALL_BYTES);
	const smallUp: number[] = [];
	const smallDown: number[] = [];
	for (let run = 0; run < RUNS; run++) {
		const t0 = performance.now();
		await pool(names, IN_FLIGHT, async (name) => {
			const { error } = await files.upload(name, body, { upsert: true, contentType: 'application/octet-stream' });
			if (error) throw error;
		});
		smallUp.push(SMALL_COUNT / ((performance.now() - t0) / 1000));
		const t1 = performance.now();
		await pool(names, IN_FLIGHT, async (name) => {
			const res = await fetch(`${config.apiUrl}/storage/v1/object/${bucket}/${name}`, { headers });
			if ((await res.arrayBuffer()).byteLength !== SMALL_BYTES) throw new Error(`short download of ${name}`);
		});
		smallDown.push(SMALL_COUNT / ((performance.now() - t1) / 1000));
		console.log(`run ${run + 1}: ${SMALL_COUNT} small uploads ${smallUp.at(-1)!.toFixed(0)}/s, downloads ${smallDown.at(-1)!.toFixed(0)}/s`);
	}
	const mbps = (perSecond: number) => ((perSecond * SMALL_BYTES) / 1e6).toFixed(1);
	results.push({ figure: `${SMALL_COUNT} objects of 4 KiB, upload, ${IN_FLIGHT} in flight`, value: `${median(smallUp).toFixed(0)} objects/s (${mbps(median(smallUp))} MB/s)`, goal: '-', ok: null });
	results.push({ figure: `${SMALL_COUNT} objects of 4 KiB, download, ${IN_FLIGHT} in flight`, value: `${median(smallDown).toFixed(0)} objects/s (${mbps(median(smallDown))} MB/s)`, goal: '-', ok: null });

	// 4: signed URLs ----------------------------------------------------------------------------
	const signRates: number[] = [];
	const signCpu: number[] = [];
	const batchRates: number[] = [];
	for (let run = 0; run < RUNS; run++) {
		const calls = Array.from({ length: SIGNED_CALLS }, (_, i) => names[i % names.length]);
		const cpu0 = cpuSeconds(pid);
		const t0 = performance.now();
		await pool(calls, IN_FLIGHT, async (name) => {
			const { error } = await files.createSignedUrl(name, 3600);
			if (error) throw error;
		});
		signRates.push(SIGNED_CALLS / ((performance.now() - t0) / 1000));
		signCpu.push((cpuSeconds(pid) - cpu0) / SIGNED_CALLS);
		const t1 = performance.now();
		const { data, error } = await files.createSignedUrls(names, 3600);
		if (error || data!.some((d) => d.error)) throw error ?? new Error('a path was not signed');
		batchRates.push(names.length / ((performance.now() - t1) / 1000));
		console.log(`run ${run + 1}: createSignedUrl ${signRates.at(-1)!.toFixed(0)}/s, createSignedUrls ${batchRates.at(-1)!.toFixed(0)} URLs/s`);
	}
	results.push({ figure: `createSignedUrl, one URL a call, ${IN_FLIGHT} in flight`, value: `${median(signRates).toFixed(0)} URLs/s`, goal: '>= 1000/s', ok: median(signRates) >= 1000 });
	results.push({ figure: 'server CPU per createSignedUrl call', value: `${(median(signCpu) * 1e6).toFixed(0)} µs (a free core: ${(1 / median(signCpu)).toFixed(0)}/s, Postgres aside)`, goal: '-', ok: null });
	results.push({ figure: `createSignedUrls, ${names.length} paths in one call`, value: `${median(batchRates).toFixed(0)} URLs/s`, goal: '>= 1000/s', ok: median(batchRates) >= 1000 });
} finally {
	if (server.exitCode === null) {
		const exited = new Promise((r) => server.once('exit', r));
		server.kill('SIGTERM');
		await deadline(exited, 30_000, 'stack stop').catch(() => server.kill('SIGKILL'));
	}
	rmSync(dir, { recursive: true, force: true });
}

reportFigures(results, loadBefore);
