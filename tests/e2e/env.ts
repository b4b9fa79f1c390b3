// Where the end-to-end platform runs (set by global-setup.ts).
import type { PlatformInfo } from '../helpers/platform.ts';

export type E2EInfo = PlatformInfo;

export function e2eInfo(): E2EInfo {
	const raw = process.env.FOLDWORK_E2E;
	if (!raw) throw new Error('FOLDWORK_E2E is not set: run these tests with `npx playwright test` (global-setup.ts starts the platform)');
	return JSON.parse(raw) as E2EInfo;
}
