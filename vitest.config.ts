import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		pool: 'forks',
		testTimeout: 20_000,
		hookTimeout: 60_000,
		// How long vitest waits, when it shuts down, for the global setups'
		// teardown (tests/setup/stack.ts stopping a stack) before it gives up.
		// It does not detect a test file that leaves handles open.
		teardownTimeout: 10_000,
		projects: [
			{
				extends: true,
				test: { name: 'main', include: ['tests/{unit,db,stack,worker,functions,security}/**/*.test.ts'], globalSetup: ['tests/setup/stack.ts'] }
			},
			// The CLI's tests run a real worker on their stack's database. On a
			// stack of their own, that worker never runs (or reaps) the jobs the
			// other files keep pending there, however many files run at once.
			{ extends: true, test: { name: 'cli', include: ['tests/cli/**/*.test.ts'], globalSetup: ['tests/setup/cli-stack.ts'] } }
		]
	}
});
