// The whole platform started the way people start it: `node scripts/start.ts`
// (what `npm start` runs; `--dev` is `npm run dev`), on free ports with a
// fresh database in a temporary folder. The browser tests run against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, projectRoot } from '../../supabase/local/config.ts';
import { freePort } from '../../supabase/local/ports.ts';

export interface PlatformInfo {
	webUrl: string;
	apiUrl: string;
	anonKey: string;
	serviceRoleKey: string;
	databaseUrl: string;
	mailUrl: string;
}

export interface RunningPlatform {
	info: PlatformInfo;
	/** From starting start.ts to its "ready" line. */
	readyMs: number;
	/** Everything start.ts has printed so far (stdout and stderr). */
	output(): string;
	/** Ctrl+C, as a person stops it; rejects when it does not stop cleanly; resolves with what it printed from the signal on. */
	stop(): Promise<string>;
}

export interface PlatformOptions {
	dev?: boolean;
	/** Where start.ts's output goes (it is shown when start-up fails). */
	logFile: string;
	/** Extra environment (e.g. FOLDWORK_GPU_WORKER). */
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
	/** Keep the database here between starts (default: a fresh temporary folder, removed at stop). */
	dataDir?: string;
}

const READY = /^Foldwork is ready at (\S+)/m;

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
	const dir = mkdtempSync('/tmp/foldwork-platform-');
	// PostgreSQL runs as the `postgres` user when we are root: it must reach its folder.
	chmodSync(dir, 0o755);
	const [webPort, apiPort, dbPort, mailPort, smtpPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
	const env: NodeJS.ProcessEnv = {
		...process.env,
		...options.env,
		WEB_PORT: String(webPort),
		API_PORT: String(apiPort),
		DB_PORT: String(dbPort),
		MAIL_PORT: String(mailPort),
		SMTP_PORT: String(smtpPort),
		PGDATA_DIR: options.dataDir ?? path.join(dir, 'postgres'),
		// Objects' bytes go with the database they belong to.
		STORAGE_DIR: options.dataDir ? path.join(path.dirname(options.dataDir), 'storage') : path.join(dir, 'storage')
	};
	delete env.SITE_URL;
	delete env.DATABASE_URL;
	// What start.ts will derive from the same environment: addresses and the well-known keys.
	const config = loadConfig({ env });
	mkdirSync(path.dirname(options.logFile), { recursive: true });
	const log = createWriteStream(options.logFile);
	const started = performance.now();
	const child: ChildProcess = spawn(process.execPath, [path.join(projectRoot, 'scripts/start.ts'), ...(options.dev ? ['--dev'] : [])], {
		cwd: projectRoot,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		// Its own process group, as in a terminal: Ctrl+C reaches start.ts and everything it started.
		detached: true
	});
	const signalGroup = (signal: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, signal);
		} catch {
			// already gone
		}
	};
	let output = '';
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const ready = new Promise<string>((resolve, reject) => {
		const onData = (chunk: Buffer) => {
			log.write(chunk);
			if (process.env.E2E_VERBOSE) process.stderr.write(chunk);
			output += chunk.toString();
			const match = READY.exec(output);
			if (match) resolve(match[1]);
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		void exited.then((code) => reject(new Error(`start.ts exited (${code}) before it was ready:\n${output.slice(-4000)}`)));
		setTimeout(() => reject(new Error(`start.ts was not ready within ${(options.timeoutMs ?? 300_000) / 1000} s:\n${output.slice(-4000)}`)), options.timeoutMs ?? 300_000).unref();
	});
	const cleanup = () => {
		log.end();
		rmSync(dir, { recursive: true, force: true });
	};
	let webUrl: string;
	let readyMs: number;
	try {
		webUrl = await ready;
		readyMs = performance.now() - started;
	} catch (error) {
		signalGroup('SIGKILL');
		await exited;
		cleanup();
		throw error;
	}
	return {
		readyMs,
		info: {
			webUrl,
			apiUrl: config.apiUrl,
			anonKey: config.anonKey,
			serviceRoleKey: config.serviceRoleKey,
			databaseUrl: config.databaseUrl,
			mailUrl: `http://${config.host}:${config.mailWebPort}`
		},
		output: () => output,
		async stop() {
			const before = output.length;
			signalGroup('SIGINT');
			const timer = setTimeout(() => signalGroup('SIGKILL'), 60_000);
			const code = await exited;
			clearTimeout(timer);
			cleanup();
			if (code !== 0) throw new Error(`the platform did not stop cleanly on Ctrl+C (exit ${code}):\n${output.slice(-4000)}`);
			return output.slice(before);
		}
	};
}
