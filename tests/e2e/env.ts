// Where the end-to-end stack runs (set by global-setup.ts).
export interface E2EInfo {
	webUrl: string;
	apiUrl: string;
	anonKey: string;
	serviceRoleKey: string;
	databaseUrl: string;
	mailUrl: string;
}

export function e2eInfo(): E2EInfo {
	const raw = process.env.FOLDWORK_E2E;
	if (!raw) throw new Error('FOLDWORK_E2E is not set: run these tests with `npx playwright test` (global-setup.ts starts the stack)');
	return JSON.parse(raw) as E2EInfo;
}
