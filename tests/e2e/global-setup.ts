// Starts what the browser tests talk to, once per run: the local stack on
// free ports (fresh database, migrations and seed), one CPU worker, and the
// web app built for production and served by adapter-node. Tests read where
// everything is from FOLDWORK_E2E (JSON), set here before workers start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, projectRoot } from '../../supabase/local/config.ts';
import { freePort } from '../../supabase/local/ports.ts';
import { startStack } from '../../supabase/local/stack.ts';
import type { E2EInfo } from './env.ts';

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode})`);
		try {
			const res = await fetch(url);
			if (res.status < 500) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
	const child = spawn(process.execPath, args, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	const echo = (chunk: Buffer) => {
		if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${chunk}`);
	};
	child.stdout?.on('data', echo);
	child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk}`));
	return child;
}

export default async function globalSetup() {
	const dir = mkdtempSync('/tmp/foldwork-e2e-');
	chmodSync(dir, 0o755);
	const [apiPort, dbPort, mailWebPort, smtpPort, webPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
	const webUrl = `http://127.0.0.1:${webPort}`;
	const config = loadConfig({
		env: { ...process.env, SITE_URL: webUrl },
		overrides: { apiPort, dbPort, mailWebPort, smtpPort, dataDir: path.join(dir, 'postgres'), postgresSettings: { fsync: 'off', full_page_writes: 'off' } }
	});
	const stack = await startStack(config, { log: (service, message) => service === 'stack' && console.log(`[${service}] ${message}`) });
	const appEnv = {
		PUBLIC_SUPABASE_URL: stack.config.apiUrl,
		PUBLIC_SUPABASE_ANON_KEY: stack.config.anonKey
	};
	// Each run builds into its own folder inside the project (the server
	// resolves its dependencies from node_modules), with this run's origin.
	const buildDir = path.join(projectRoot, '.local', `e2e-build-${process.pid}`);
	{
		const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--bypass-lock'], {
			cwd: projectRoot,
			env: { ...process.env, ...appEnv, ORIGIN: webUrl, FOLDWORK_BUILD_DIR: buildDir },
			stdio: 'inherit'
		});
		if (build.status !== 0) throw new Error('vite build failed');
	}
	const children = [
		startChild('web', [path.join(buildDir, 'index.js')], { ...appEnv, HOST: '127.0.0.1', PORT: String(webPort) }),
		startChild('worker', ['worker/main.ts', '--class', 'cpu', '--concurrency', '4'], { DATABASE_URL: stack.databaseUrl })
	];
	await waitForHttp(`${webUrl}/login`, children[0], 30_000);

	const info: E2EInfo = {
		webUrl,
		apiUrl: stack.config.apiUrl,
		anonKey: stack.config.anonKey,
		serviceRoleKey: stack.config.serviceRoleKey,
		databaseUrl: stack.databaseUrl,
		mailUrl: `http://${config.host}:${mailWebPort}`
	};
	process.env.FOLDWORK_E2E = JSON.stringify(info);

	return async () => {
		for (const child of children) child.kill('SIGTERM');
		await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
		await stack.stop();
		rmSync(dir, { recursive: true, force: true });
		rmSync(buildDir, { recursive: true, force: true });
		rmSync(`${buildDir}-kit`, { recursive: true, force: true });
	};
}
