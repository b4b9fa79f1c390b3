// Database access of the auth service. Every write runs in a transaction as
// `supabase_auth_admin` with search_path `auth`, the role and path GoTrue
// connects with, so triggers on auth.users run exactly as they do under
// GoTrue (a trigger function that is not `security definer` has the same
// rights it would have there).
import type pg from 'pg';

export type Db = pg.PoolClient;

export interface TransactionOptions {
	/**
	 * Errors after which the writes made so far are committed before the error
	 * is rethrown (GoTrue's "commit with error": detecting refresh-token reuse
	 * must revoke the session even though the request fails).
	 */
	commitOn?: (error: unknown) => boolean;
}

export async function inTransaction<T>(pool: pg.Pool, work: (db: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('begin; set local role supabase_auth_admin; set local search_path = auth');
		try {
			const result = await work(client);
			await client.query('commit');
			return result;
		} catch (error) {
			await client.query(options.commitOn?.(error) ? 'commit' : 'rollback').catch(() => {});
			throw error;
		}
	} finally {
		client.release();
	}
}
