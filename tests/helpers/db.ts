// Database tests: a database of their own (cloned from the migrated
// template), users created the way the auth service creates them, and
// acting as a user, the anon role or the service role inside a transaction,
// the way the REST service does (role + request.jwt.claims).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase } from './stack.ts';

export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

export interface TestDatabase {
	url: string;
	pool: pg.Pool;
	close(): Promise<void>;
}

export async function openTestDatabase(max = 4): Promise<TestDatabase> {
	const db = await createTestDatabase();
	const pool = new pg.Pool({ connectionString: db.url, max });
	return {
		url: db.url,
		pool,
		async close() {
			await pool.end();
			await db.drop();
		}
	};
}

export interface TestUser {
	id: string;
	email: string;
	/** The user's personal team ("<display name>'s workspace"). */
	teamId: string;
}

/** Inserts into auth.users as GoTrue does on sign-up; the database's triggers do the rest. */
export async function createUser(
	db: Queryable,
	options: { email?: string; confirmed?: boolean; displayName?: string } = {}
): Promise<TestUser> {
	const id = randomUUID();
	const email = options.email ?? `user-${id.slice(0, 8)}@example.test`;
	await db.query(
		`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
		   raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
		 values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '', $3,
		   '{"provider":"email","providers":["email"]}', $4, now(), now())`,
		[id, email, options.confirmed === false ? null : new Date(), { display_name: options.displayName ?? email.split('@')[0] }]
	);
	const { rows } = await db.query<{ team_id: string }>(
		`select t.id as team_id from public.teams t where t.personal and t.created_by = $1`,
		[id]
	);
	return { id, email, teamId: rows[0]?.team_id };
}

export type Actor = { kind: 'user'; id: string; email: string } | { kind: 'anon' } | { kind: 'service' };

export const anon: Actor = { kind: 'anon' };
export const service: Actor = { kind: 'service' };
export function asUser(user: { id: string; email: string }): Actor {
	return { kind: 'user', id: user.id, email: user.email };
}

/** Switches the current transaction to the actor (as the REST service does per request). */
export async function actAs(client: Queryable, actor: Actor): Promise<void> {
	if (actor.kind === 'user') {
		await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
			JSON.stringify({ sub: actor.id, role: 'authenticated', email: actor.email, aud: 'authenticated' })
		]);
	} else if (actor.kind === 'anon') {
		await client.query(`select set_config('role', 'anon', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role: 'anon' })]);
	} else {
		await client.query(`select set_config('role', 'service_role', true), set_config('request.jwt.claims', $1, true)`, [
			JSON.stringify({ role: 'service_role' })
		]);
	}
}

/** Back to the superuser within the current transaction. */
export async function actAsAdmin(client: Queryable): Promise<void> {
	await client.query(`reset role; select set_config('request.jwt.claims', '', true)`);
}

/** Runs fn in one transaction as the actor; commits, or rolls back when asked or on error. */
export async function withActor<T>(pool: pg.Pool, actor: Actor, fn: (client: pg.PoolClient) => Promise<T>, rollback = false): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('begin');
		await actAs(client, actor);
		const result = await fn(client);
		await client.query(rollback ? 'rollback' : 'commit');
		return result;
	} catch (error) {
		await client.query('rollback').catch(() => {});
		throw error;
	} finally {
		client.release();
	}
}

/** Runs fn in one transaction as the superuser and always rolls back. */
export async function inRolledBackTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('begin');
		return await fn(client);
	} finally {
		await client.query('rollback').catch(() => {});
		client.release();
	}
}

export interface DbError {
	code: string;
	message: string;
}

/** Runs a statement under a savepoint: its error (if any), and the transaction stays usable. */
export async function attempt(client: pg.PoolClient | pg.Client, sql: string, params: unknown[] = []): Promise<{ rows: any[]; error: DbError | null }> {
	await client.query('savepoint attempt');
	try {
		const { rows } = await client.query(sql, params);
		await client.query('release savepoint attempt');
		return { rows, error: null };
	} catch (error) {
		await client.query('rollback to savepoint attempt');
		const e = error as pg.DatabaseError;
		return { rows: [], error: { code: e.code ?? '', message: e.message } };
	}
}

export function errorOf(error: unknown): DbError {
	const e = error as pg.DatabaseError;
	return { code: e.code ?? '', message: e.message };
}

/** The path a job takes from pending to each status (all legal transitions). */
export const pathTo: Record<string, string[]> = {
	pending: [],
	queued: ['queued'],
	processing: ['queued', 'processing'],
	retry: ['queued', 'processing', 'retry'],
	completed: ['queued', 'processing', 'completed'],
	failed: ['queued', 'processing', 'failed'],
	timeout: ['queued', 'processing', 'timeout'],
	cancelled: ['cancelled']
};

/** Moves a job along legal transitions as the superuser (the way a worker would). */
export async function driveJob(db: Queryable, jobId: string, status: string): Promise<void> {
	for (const step of pathTo[status]) {
		await db.query(
			`update public.jobs set status = $2::public.job_status,
			   error_message = case when $2::text = 'failed' then 'the input could not be parsed' else error_message end,
			   result = case when $2::text = 'completed' then '{"rows":[]}'::jsonb else result end
			 where id = $1`,
			[jobId, step]
		);
	}
}

export const proteinInput = (n = 1) => ({
	sequences: Array.from({ length: n }, (_, i) => ({ id: `P${i + 1}`, sequence: 'MKVLAAGIVGLLLA' }))
});
export const moleculeInput = (n = 1) => ({
	molecules: Array.from({ length: n }, (_, i) => ({ id: `M${i + 1}`, smiles: 'CCO' }))
});
