import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['tests/{unit,db,stack,worker,functions,security}/**/*.test.ts'],
		globalSetup: ['tests/setup/stack.ts'],
		pool: 'forks',
		testTimeout: 20_000,
		hookTimeout: 60_000,
		// Fail a test file that leaves handles (connections, timers) open.
		teardownTimeout: 10_000
	}
});
