// The worker's connection pool and transactions. The pool replaces
// connections that die (database restart, pg_terminate_backend): a query on
// a dead one fails, the caller's loop backs off and tries again on a fresh one.
import pg from 'pg';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';

/** What pg-boss calls accept as `db`: it runs their statements on our connection (inside our transaction). */
export interface SqlExecutor {
	executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

export function createPool(databaseUrl: string, applicationName: string, max: number, log: Logger): pg.Pool {
	const pool = new pg.Pool({
		connectionString: databaseUrl,
		max,
		application_name: applicationName,
		keepAlive: true,
		connectionTimeoutMillis: 5_000,
		idleTimeoutMillis: 30_000
	});
	// An idle connection that dies (server restart, terminated backend) is reported here and dropped by the pool.
	pool.on('error', (error) => log.warn(`idle database connection lost: ${describeError(error)}`));
	return pool;
}

export function executorFor(client: pg.Pool | pg.PoolClient): SqlExecutor {
	return { executeSql: (text, values) => client.query(text, values as unknown[]) };
}

/** Runs fn in a transaction on one pooled connection; a connection that failed is discarded, not reused. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	let broken: Error | undefined;
	try {
		await client.query('begin');
		const result = await fn(client);
		await client.query('commit');
		return result;
	} catch (error) {
		broken = error instanceof Error ? error : new Error(String(error));
		await client.query('rollback').catch(() => {});
		throw error;
	} finally {
		client.release(broken);
	}
}
