// `npm run worker` refuses bad arguments and settings with a message, before connecting anywhere.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/worker-fleet.ts';

function runWorker(args: string[], env: Record<string, string | undefined>) {
	const result = spawnSync(process.execPath, [path.join(root, 'worker/main.ts'), ...args], {
		cwd: root,
		env: { PATH: process.env.PATH, ...env },
		encoding: 'utf8',
		timeout: 15_000
	});
	return { status: result.status, stderr: result.stderr };
}

describe('worker command line', () => {
	it.each([
		[['--class', 'tpu'], { DATABASE_URL: 'postgresql://x@127.0.0.1/db' }, /--class must be cpu or gpu/],
		[['--class', 'cpu', '--concurrency', '0'], { DATABASE_URL: 'postgresql://x@127.0.0.1/db' }, /concurrency/],
		[['--class', 'cpu', '--threads', '2'], { DATABASE_URL: 'postgresql://x@127.0.0.1/db' }, /Unknown option '--threads'/],
		[['--class', 'cpu'], {}, /DATABASE_URL is required/],
		[['--class', 'cpu'], { DATABASE_URL: 'mysql://x' }, /postgres:\/\/ connection string/],
		// Job files go through the Storage API: a worker without its URL and service role key cannot run jobs.
		[['--class', 'cpu'], { DATABASE_URL: 'postgresql://x@127.0.0.1/db' }, /SUPABASE_URL is required/],
		[['--class', 'cpu'], { DATABASE_URL: 'postgresql://x@127.0.0.1/db', SUPABASE_URL: 'http://127.0.0.1:54321' }, /SUPABASE_SERVICE_ROLE_KEY is required/],
		[['--class', 'cpu'], { DATABASE_URL: 'postgresql://x@127.0.0.1/db', SUPABASE_URL: 'ftp://x', SUPABASE_SERVICE_ROLE_KEY: 'k'.repeat(40) }, /SUPABASE_URL must be an http\(s\) URL/]
	])('refuses %j with exit code 2 and a message', (args, env, message) => {
		const { status, stderr } = runWorker(args, env);
		expect(status).toBe(2);
		expect(stderr).toMatch(message);
		expect(stderr).toMatch(/usage: node worker\/main.ts/);
	});
});
