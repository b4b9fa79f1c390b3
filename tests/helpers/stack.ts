// What tests know about the stack started by tests/setup/stack.ts, and small
// helpers to reach it: supabase-js clients, admin SQL, per-file databases.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface StackInfo {
	apiUrl: string;
	/** Superuser URL of the stack's project database (the one the gateway serves). */
	databaseUrl: string;
	/** A migrated, unseeded database that tests clone. */
	templateDatabase: string;
	mailUrl: string;
	smtpPort: number;
	anonKey: string;
	serviceRoleKey: string;
	publishableKey: string;
	secretKey: string;
	jwtSecret: string;
	siteUrl: string;
	/** The local Storage service's folder (a temporary one for the test run). */
	storageDir: string;
}

export function stackInfo(): StackInfo {
	return inject('stack');
}

/** A supabase-js client that keeps its session in memory (no storage, no auto refresh timers). */
export function anonClient(key = stackInfo().anonKey): SupabaseClient {
	return createClient(stackInfo().apiUrl, key, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
}

export function serviceClient(): SupabaseClient {
	return anonClient(stackInfo().serviceRoleKey);
}

/** A superuser pool on the stack's project database; end it in afterAll. */
export function adminPool(max = 2): pg.Pool {
	return new pg.Pool({ connectionString: stackInfo().databaseUrl, max });
}

export function uniqueEmail(prefix = 'user'): string {
	return `${prefix}-${randomUUID().slice(0, 8)}@example.test`;
}

/**
 * A fresh database cloned from the migrated template, for tests that need
 * their own state. Returns its superuser URL and a drop function.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
	const info = stackInfo();
	const name = `test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
	const admin = new pg.Client({ connectionString: info.databaseUrl });
	await admin.connect();
	try {
		await admin.query(`create database ${name} template ${info.templateDatabase}`);
	} finally {
		await admin.end();
	}
	const url = new URL(info.databaseUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		async drop() {
			const c = new pg.Client({ connectionString: info.databaseUrl });
			await c.connect();
			try {
				// pg's Pool.end() resolves before its clients' sockets are closed; a backend still
				// there when the drop forces it out makes that client emit an error its pool no
				// longer handles. Give them a moment to leave on their own first.
				for (let i = 0; i < 40; i++) {
					const { rows } = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
					if (rows[0].n === 0) break;
					await new Promise((resolve) => setTimeout(resolve, 50));
				}
				await c.query(`drop database if exists ${name} with (force)`);
			} finally {
				await c.end();
			}
		}
	};
}
