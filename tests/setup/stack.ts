// Starts one local stack for the whole test run: an embedded Postgres in a
// temporary folder on free ports (fsync off), the gateway and mail catcher,
// plus a template database that database tests clone (one clone per file).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { projectRoot } from '../../supabase/local/config.ts';
import { prepareDatabase, recreateDatabase } from '../../supabase/local/migrate.ts';
import { startStack } from '../../supabase/local/stack.ts';
import type { StackInfo } from '../helpers/stack.ts';
import { ownStackConfig } from '../helpers/own-stack.ts';


export const TEMPLATE_DATABASE = 'foldwork_template';

export default async function setup(project: TestProject) {
	const dir = mkdtempSync('/tmp/foldwork-test-');
	// Postgres runs as the `postgres` user when we are root: it must reach its folder.
	chmodSync(dir, 0o755);
	const config = await ownStackConfig(dir);
	const stack = await startStack(config, { log: (service, message) => service === 'stack' && console.log(`[${service}] ${message}`) });
	const templateUrl = new URL(stack.databaseUrl);
	templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
	await recreateDatabase(stack.databaseUrl, TEMPLATE_DATABASE);
	await prepareDatabase({
		databaseUrl: templateUrl.toString(),
		authenticatorPassword: config.authenticatorPassword,
		migrationsDir: config.migrationsDir,
		root: projectRoot
	});
	const info: StackInfo = {
		apiUrl: stack.config.apiUrl,
		databaseUrl: stack.databaseUrl,
		templateDatabase: TEMPLATE_DATABASE,
		mailUrl: `http://${config.host}:${config.mailWebPort}`,
		smtpPort: config.smtpPort,
		anonKey: config.anonKey,
		serviceRoleKey: config.serviceRoleKey,
		publishableKey: config.publishableKey,
		secretKey: config.secretKey,
		jwtSecret: config.jwtSecret,
		siteUrl: config.auth.siteUrl,
		storageDir: config.storage.dir
	};
	project.provide('stack', info);
	return async () => {
		await stack.stop();
		rmSync(dir, { recursive: true, force: true });
	};
}

declare module 'vitest' {
	export interface ProvidedContext {
		stack: StackInfo;
	}
}
