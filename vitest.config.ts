import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['tests/{unit,db,stack,worker,functions,security,cli}/**/*.test.ts'],
		globalSetup: ['tests/setup/stack.ts'],
		pool: 'forks',
		testTimeout: 20_000,
		hookTimeout: 60_000,
		// How long vitest waits, when it shuts down, for the global setup's
		// teardown (tests/setup/stack.ts stopping the stack) before it gives up.
		// It does not detect a test file that leaves handles open.
		teardownTimeout: 10_000
	}
});
