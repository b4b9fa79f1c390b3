// How a worker's environment decides tool isolation: on unless
// FOLDWORK_ISOLATE_TOOLS=0 (the opt-out for debugging a tool in the worker's
// own process), with its executor settings checked at start rather than
// misread.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadWorkerConfig } from '../../worker/config.ts';

const base = {
	DATABASE_URL: 'postgres://localhost/foldwork',
	SUPABASE_URL: 'http://127.0.0.1:54321',
	SUPABASE_SERVICE_ROLE_KEY: 'a-service-role-key-long-enough'
};

const isolation = (env: Record<string, string>, concurrency = '8') =>
	loadWorkerConfig(['--class', 'cpu', '--concurrency', concurrency], { ...base, ...env }).isolation;

describe('worker isolation settings', () => {
	it('isolates tools with a 4 GiB ceiling and two warm executors unless told otherwise', () => {
		expect(isolation({})).toEqual({ memoryLimitBytes: 4096 * 2 ** 20, warm: 2, idleMs: 60_000, growAfterMs: 250 });
	});

	it('isolates tools by default, and runs them in the worker only with FOLDWORK_ISOLATE_TOOLS=0', () => {
		expect(loadWorkerConfig(['--class', 'cpu'], base).isolation).not.toBeNull();
		expect(isolation({ FOLDWORK_ISOLATE_TOOLS: '1' })).toEqual(isolation({}));
		expect(isolation({ FOLDWORK_ISOLATE_TOOLS: '0' })).toBeNull();
	});

	it('never keeps more executors warm than the worker has slots', () => {
		expect(isolation({ FOLDWORK_EXECUTORS_WARM: '16' }, '3')?.warm).toBe(3);
		expect(isolation({}, '1')?.warm).toBe(1);
	});

	it('reads 0 MiB as no memory ceiling', () => {
		expect(isolation({ FOLDWORK_EXECUTOR_MEMORY_MB: '0' })?.memoryLimitBytes).toBeNull();
	});

	it('refuses settings it would otherwise misread', () => {
		expect(() => isolation({ FOLDWORK_ISOLATE_TOOLS: 'off' })).toThrow(ConfigError);
		expect(() => isolation({ FOLDWORK_ISOLATE_TOOLS: 'off' })).toThrow(/FOLDWORK_ISOLATE_TOOLS must be 1 .* or 0/);
		expect(() => isolation({ FOLDWORK_EXECUTOR_MEMORY_MB: '-5' })).toThrow(/FOLDWORK_EXECUTOR_MEMORY_MB must be a whole number/);
		expect(() => isolation({ FOLDWORK_EXECUTOR_MEMORY_MB: '1.5' })).toThrow(/FOLDWORK_EXECUTOR_MEMORY_MB must be a whole number/);
	});
});
