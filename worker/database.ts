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
	// A connection that dies (server restart, failover, terminated backend) emits 'error' on its
	// client. The pool listens only while the client is idle; a client checked out (a transaction
	// between two statements, a claim waiting on pg-boss) had no listener, so the event was
	// unhandled and killed the worker with every job on it. Every client the pool makes gets its
	// own listener for its whole life: the holder learns of the loss from its next statement,
	// which fails, and its loop retries on a fresh connection.
	pool.on('connect', (client) => {
		let reported = false;
		client.on('error', (error) => {
			if (reported) return;
			reported = true;
			log.warn(`database connection lost: ${describeError(error)}`);
		});
	});
	// The idle case, already logged by the client's own listener above; the pool drops the client.
	pool.on('error', () => {});
	return pool;
}

/** Errors that mean the connection or the server went away (not a fault in what was sent): retry on a fresh connection. */
export function isConnectionError(error: unknown): boolean {
	if (!(error instanceof Error)) return false;
	const code = (error as { code?: unknown }).code;
	if (typeof code === 'string') {
		// 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now; 53300: too many connections.
		if (/^(08|57P0[1-3]|53300)/.test(code)) return true;
		if (/^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|ECONNABORTED)$/.test(code)) return true;
	}
	return /Connection terminated|not queryable|connection error|timeout exceeded when trying to connect|Client was closed/i.test(error.message);
}

/**
 * Last line of defence for the worker process: an error from the database connection that
 * escaped every handler (an 'error' event or a rejected promise nobody awaited) is logged and
 * survived, since the loops that own the work retry on a fresh connection. Anything else is a
 * programming error: logged with its stack, and the process exits so its supervisor restarts a
 * clean one (state after an unknown throw is not to be trusted).
 */
export function surviveDatabaseErrors(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
	process.on('uncaughtException', (error) => {
		if (isConnectionError(error)) {
			log.warn(`database connection error nobody handled (survived): ${describeError(error)}`);
			return;
		}
		log.error('uncaught exception; exiting', error);
		exit(70);
	});
	// A tool that leaves a promise rejected and unhandled must not take the worker (and every job on it) down.
	process.on('unhandledRejection', (reason) => {
		if (isConnectionError(reason)) log.warn(`database connection error nobody awaited (survived): ${describeError(reason)}`);
		else log.error('unhandled promise rejection (ignored)', reason);
	});
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
