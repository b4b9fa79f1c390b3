// `npm start`: the whole platform on this machine, as it runs in production:
// the local Supabase stack (in this process), the web app's production
// server (built first when a source changed since the last build) and the
// worker fleet (child processes). `npm run dev` (--dev) serves the app from
// Vite's dev server with hot reload instead, for people changing the code.
// The browser tests start the platform through this same file.
// A child that crashes is started again (with backoff, saying so); Ctrl+C
// stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig, projectRoot } from '../supabase/local/config.ts';
import { startStack, type RunningStack } from '../supabase/local/stack.ts';
import { describeStack } from '../supabase/local/status.ts';
import { ensureSystemPackages } from './system-packages.ts';
import { ensureWebBuild } from './web-build.ts';

const DEMO_LOGIN = { email: 'demo@foldwork.dev', password: 'foldwork-demo' };
const dev = process.argv.includes('--dev');
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const say = (message: string) => console.log(`foldwork: ${message}`);

function fail(message: string): never {
	console.error(`foldwork: ${message}`);
	process.exit(1);
}

// Docking and secondary structure run Debian programs; without them two tools could not run.
if (process.env.FOLDWORK_SKIP_SYSTEM_PACKAGES !== '1') {
	const problem = ensureSystemPackages('start');
	if (problem) fail(`${problem}\n(Or set FOLDWORK_SKIP_SYSTEM_PACKAGES=1 to start without them: docking and secondary structure are then unavailable.)`);
}

const config = (() => {
	try {
		return loadConfig();
	} catch (error) {
		return fail(error instanceof Error ? error.message : String(error));
	}
})();
say(`starting the local Supabase stack (PostgreSQL${config.externalDatabase ? ' from DATABASE_URL' : ''}, Auth, REST, Realtime, Functions, mail)`);
const stack: RunningStack = await startStack(config, {
	watchFunctions: true,
	otherPorts: [{ port: config.webPort, variable: 'WEB_PORT', what: 'the web app' }],
	log: (service, message) => {
		if (service !== 'postgres' || process.env.STACK_VERBOSE === '1') console.log(`[${service}] ${message}`);
	}
}).catch((error: unknown) => fail(`the local stack did not start: ${error instanceof Error ? error.message : String(error)}`));
const { applied, seeded } = stack.migrations;
say(`stack up in ${seconds()}${applied.length ? `; applied ${applied.length} migration${applied.length > 1 ? 's' : ''}` : ''}${seeded.length ? '; seeded the demo data' : ''}`);

let stopping = false;

/**
 * A child process this script keeps running: a crash (a non-zero exit, a signal other than
 * Ctrl+C's) is said and answered by starting it again after a pause that doubles with each
 * crash in a row (1 s up to 30 s; a child that ran a minute starts the count afresh), instead
 * of stopping the whole platform. A child that keeps dying at once (5 times in a row, each
 * within 10 s of its start: a broken build, a bad setting) stops the platform, saying why.
 */
interface Supervised {
	name: string;
	child: ChildProcess;
	crashes: number;
	restart: NodeJS.Timeout | null;
}

const supervised: Supervised[] = [];
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 30_000;
const STABLE_AFTER_MS = 60_000;
const GIVE_UP_AFTER = 5;
const QUICK_EXIT_MS = 10_000;

function spawnChild(entry: Supervised, args: string[], env: NodeJS.ProcessEnv): void {
	const { name } = entry;
	const startedAt = performance.now();
	const child = spawn(process.execPath, args, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	entry.child = child;
	const prefix = (chunk: Buffer) =>
		chunk
			.toString()
			.split('\n')
			.filter((line) => line.trim())
			.map((line) => `[${name}] ${line}`)
			.join('\n');
	child.stdout?.on('data', (chunk: Buffer) => console.log(prefix(chunk)));
	child.stderr?.on('data', (chunk: Buffer) => console.error(prefix(chunk)));
	say(`${name} started (pid ${child.pid})`);
	child.on('exit', (code, signal) => {
		if (stopping) return;
		// Ctrl+C in a terminal reaches the children too, and one may stop before this process hears it.
		if (code === 0 || signal === 'SIGINT' || signal === 'SIGTERM') {
			void shutdown(0);
			return;
		}
		const ran = performance.now() - startedAt;
		if (ran >= STABLE_AFTER_MS) entry.crashes = 0;
		entry.crashes += 1;
		if (entry.crashes >= GIVE_UP_AFTER && ran < QUICK_EXIT_MS) {
			console.error(`foldwork: ${name} exited (${signal ?? code}) ${entry.crashes} times in a row right after starting; stopping the platform`);
			void shutdown(1);
			return;
		}
		const wait = Math.min(RESTART_MAX_MS, RESTART_FIRST_MS * 2 ** (entry.crashes - 1));
		console.error(`foldwork: ${name} exited (${signal ?? code}); restarting it in ${(wait / 1000).toFixed(0)} s (crash ${entry.crashes} in a row)`);
		entry.restart = setTimeout(() => {
			entry.restart = null;
			if (!stopping) spawnChild(entry, args, env);
		}, wait);
	});
}

function run(name: string, args: string[], env: NodeJS.ProcessEnv): Supervised {
	const entry: Supervised = { name, child: null as unknown as ChildProcess, crashes: 0, restart: null };
	spawnChild(entry, args, env);
	supervised.push(entry);
	return entry;
}

async function shutdown(code: number): Promise<void> {
	if (stopping) return;
	stopping = true;
	say('stopping');
	for (const entry of supervised) if (entry.restart) clearTimeout(entry.restart);
	const children = supervised.map((entry) => entry.child);
	for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
	const force = setTimeout(() => {
		for (const child of children) child.kill('SIGKILL');
	}, 20_000);
	await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
	clearTimeout(force);
	await stack.stop();
	say('stopped');
	process.exit(code);
}
/** A failure once the stack runs: say why, then stop what started. */
async function stopWith(error: unknown): Promise<never> {
	console.error(`foldwork: ${error instanceof Error ? error.message : String(error)}`);
	await shutdown(1);
	return process.exit(1);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const appEnv = {
	PUBLIC_SUPABASE_URL: stack.config.apiUrl,
	PUBLIC_SUPABASE_ANON_KEY: stack.config.anonKey,
	// Only to name each visitor to Auth's per-address rate limits (src/lib/supabase/server.ts).
	SUPABASE_SECRET_KEY: stack.config.secretKey
};
if (dev) {
	run('web', [path.join(projectRoot, 'node_modules/vite/bin/vite.js'), 'dev', '--host', config.host, '--port', String(config.webPort), '--strictPort'], appEnv);
} else {
	const build = await ensureWebBuild(appEnv, say).catch((error: unknown) => stopWith(error));
	say(build.built ? `built the web app in ${seconds()}` : 'the web app is built already (no source changed since)');
	run('web', [path.join(projectRoot, 'scripts/web-server.ts'), build.dir], {
		...appEnv,
		HOST: config.host,
		PORT: String(config.webPort),
		// The public address: form posts must come from it (CSRF), and the app's own links start with it.
		ORIGIN: config.auth.siteUrl,
		// Structure files and docking receptors arrive in form posts.
		BODY_SIZE_LIMIT: '64M'
	});
}

// The worker fleet: one CPU worker; a GPU worker only when asked (FOLDWORK_GPU_WORKER=1).
// Workers read and write job files through the Storage API with the service role key.
// Notification digests link to the app (SITE_URL) and go out through the stack's mail catcher, as the functions' emails do.
const workerEnv = {
	DATABASE_URL: stack.databaseUrl,
	SUPABASE_URL: stack.config.apiUrl,
	SUPABASE_SERVICE_ROLE_KEY: stack.config.serviceRoleKey,
	SITE_URL: stack.config.auth.siteUrl,
	SMTP_HOST: stack.config.auth.smtpHost,
	SMTP_PORT: String(stack.config.auth.smtpPort),
	EMAIL_FROM: stack.config.auth.mailFrom
};
run('worker', [path.join(projectRoot, 'worker/main.ts'), '--class', 'cpu'], workerEnv);
if (process.env.FOLDWORK_GPU_WORKER === '1') {
	run('gpu-worker', [path.join(projectRoot, 'worker/main.ts'), '--class', 'gpu', '--concurrency', '1'], workerEnv);
}

/** Until the app answers its sign-in page (the first answer of the dev server compiles it; a web server that crashed meanwhile is restarted). */
async function waitForWeb(url: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline && !stopping) {
		try {
			const res = await fetch(url, { redirect: 'manual' });
			await res.body?.cancel();
			if (res.status < 500) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	if (!stopping) await stopWith(`the web app did not answer ${url} within ${timeoutMs / 1000} s`);
}
await waitForWeb(`http://${config.host}:${config.webPort}/login`, 120_000);
if (stopping) await new Promise(() => {});

console.log(`\n${describeStack(stack.config)}\n`);
console.log(`Foldwork is ready at ${config.auth.siteUrl} (${dev ? 'Vite dev server with hot reload' : 'production server; `npm run dev` for hot reload'})`);
console.log(`Demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`);
console.log(`Mail inbox: http://${stack.config.host}:${stack.config.mailWebPort}`);
console.log(`Ready in ${seconds()}. Press Ctrl+C to stop.`);
