// `npm start`: the whole platform on this machine. The local Supabase stack
// runs in this process; the web app runs as a child process. Ctrl+C stops all.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig, projectRoot } from '../supabase/local/config.ts';
import { startStack } from '../supabase/local/stack.ts';
import { describeStack } from '../supabase/local/status.ts';

const DEMO_LOGIN = { email: 'demo@foldwork.dev', password: 'foldwork-demo' };
const webPort = Number(process.env.WEB_PORT ?? 5173);
const started = performance.now();

const config = loadConfig();
const stack = await startStack(config, {
	watchFunctions: true,
	log: (service, message) => {
		if (service !== 'postgres') console.log(`[${service}] ${message}`);
	}
}).catch((error: unknown) => {
	console.error(`The local stack failed to start: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
});

const children: ChildProcess[] = [];
function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
	const child = spawn(command, args, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	const prefix = (chunk: Buffer) =>
		chunk
			.toString()
			.split('\n')
			.filter((line) => line.trim())
			.map((line) => `[${name}] ${line}`)
			.join('\n');
	child.stdout?.on('data', (chunk: Buffer) => console.log(prefix(chunk)));
	child.stderr?.on('data', (chunk: Buffer) => console.error(prefix(chunk)));
	child.on('exit', (code, signal) => {
		if (!stopping) {
			console.error(`[${name}] exited (${signal ?? code}); stopping the platform`);
			void shutdown(1);
		}
	});
	children.push(child);
	return child;
}

const appEnv = {
	PUBLIC_SUPABASE_URL: stack.config.apiUrl,
	PUBLIC_SUPABASE_ANON_KEY: stack.config.anonKey,
	SUPABASE_SERVICE_ROLE_KEY: stack.config.serviceRoleKey,
	DATABASE_URL: stack.databaseUrl
};
run('web', process.execPath, [path.join(projectRoot, 'node_modules/vite/bin/vite.js'), 'dev', '--port', String(webPort), '--strictPort'], appEnv);
// The worker fleet: one CPU worker; a GPU worker only when asked (FOLDWORK_GPU_WORKER=1).
const workerEnv = { DATABASE_URL: stack.databaseUrl };
run('worker', process.execPath, [path.join(projectRoot, 'worker/main.ts'), '--class', 'cpu'], workerEnv);
if (process.env.FOLDWORK_GPU_WORKER === '1') {
	run('gpu-worker', process.execPath, [path.join(projectRoot, 'worker/main.ts'), '--class', 'gpu', '--concurrency', '1'], workerEnv);
}

let stopping = false;
async function shutdown(code: number) {
	if (stopping) return;
	stopping = true;
	for (const child of children) child.kill('SIGTERM');
	await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
	await stack.stop();
	process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

console.log(`\n${describeStack(stack.config)}\n`);
console.log(`Foldwork is starting at http://127.0.0.1:${webPort}`);
console.log(`Demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`);
console.log(`Mail inbox: http://${stack.config.host}:${stack.config.mailWebPort}`);
console.log(`Stack ready in ${((performance.now() - started) / 1000).toFixed(2)} s. Press Ctrl+C to stop.`);
