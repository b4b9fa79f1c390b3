// Shared by the edge function tests: users and jobs made with superuser SQL
// (fast, no password hashing), calls to a function as a user over HTTP (the
// way supabase-js sends them), the email log, and live changes as a user.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll } from 'vitest';
import { createUser, type TestUser } from '../helpers/db.ts';
import { Inbox } from '../helpers/inbox.ts';
import { subscribe } from '../helpers/realtime.ts';
import { tokenClient, userToken } from '../helpers/rest.ts';
import { adminPool, stackInfo, uniqueEmail } from '../helpers/stack.ts';

/** The first call on a clean machine downloads the functions' npm packages. */
export const COLD_START_MS = 90_000;

/** Closes what `listen` opened. */
const openListeners: Array<() => Promise<void>> = [];

/** A superuser pool for the calling test file; it and every listener from `listen` are closed after the file's tests. */
export function adminForFile(): pg.Pool {
	const admin = adminPool(2);
	afterAll(async () => {
		for (const close of openListeners.splice(0)) await close();
		await admin.end();
	});
	return admin;
}

export interface Person extends TestUser {
	token: string;
	db: SupabaseClient;
}

export async function person(admin: pg.Pool, prefix: string, options: { confirmed?: boolean; email?: string } = {}): Promise<Person> {
	const user = await createUser(admin, { email: options.email ?? uniqueEmail(prefix), confirmed: options.confirmed });
	const token = userToken(user.id);
	return { ...user, token, db: tokenClient(token) };
}

export async function addMember(admin: pg.Pool, teamId: string, user: { id: string }, role: 'owner' | 'admin' | 'member' | 'viewer'): Promise<void> {
	await admin.query('insert into public.team_members (team_id, user_id, role) values ($1, $2, $3)', [teamId, user.id, role]);
}

export async function createTeam(admin: pg.Pool, owner: { id: string }, name = 'Lab', seatLimit: number | null = null): Promise<string> {
	const { rows } = await admin.query<{ id: string }>('insert into public.teams (name, created_by, seat_limit) values ($1, $2, $3) returning id', [
		name,
		owner.id,
		seatLimit
	]);
	await addMember(admin, rows[0].id, owner, 'owner');
	return rows[0].id;
}

export async function createJob(admin: pg.Pool, teamId: string, submitter: { id: string }, name = 'Kinase panel'): Promise<string> {
	const { rows } = await admin.query<{ id: string }>(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input) values ($1, 'protein-properties', $2, $3, '{"sequences":[{"id":"p1","sequence":"MKV"}]}') returning id`,
		[teamId, submitter.id, name]
	);
	return rows[0].id;
}

export interface Answer {
	status: number;
	headers: Headers;
	/** JSON of varying shapes (or text); each test reads the fields it checks. */
	body: any;
}

/** POSTs `body` (JSON, or `raw` as is) to the function as `token`'s user, as supabase-js does. */
export async function callFunction(
	name: string,
	body: unknown,
	options: { token?: string; raw?: BodyInit; method?: string; headers?: Record<string, string> } = {}
): Promise<Answer> {
	const headers: Record<string, string> = { apikey: stackInfo().anonKey, 'content-type': 'application/json', ...options.headers };
	headers.authorization = `Bearer ${options.token ?? stackInfo().anonKey}`;
	const res = await fetch(`${stackInfo().apiUrl}/functions/v1/${name}`, {
		method: options.method ?? 'POST',
		headers,
		body: options.method === 'GET' ? undefined : (options.raw ?? JSON.stringify(body))
	});
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		// Not JSON: the test sees the text.
	}
	return { status: res.status, headers: res.headers, body: parsed };
}

export type Change = { eventType: string; new: Record<string, unknown>; old: Record<string, unknown> };

/** Live changes of `table` matching `filter`, as the user with `token` sees them (RLS applies); closed after the file's tests. */
export async function listen(token: string, table: string, filter: string) {
	const client = createClient(stackInfo().apiUrl, stackInfo().anonKey, { accessToken: async () => token });
	await client.realtime.setAuth(token);
	const changes = new Inbox<Change>();
	const system = new Inbox<{ message: string }>();
	const channel = client
		.channel(`fn-${randomUUID()}`)
		.on('postgres_changes', { event: '*', schema: 'public', table, filter } as never, (change: Change) => changes.push(change))
		.on('system', {}, (message: { message: string }) => system.push(message));
	await subscribe(channel);
	openListeners.push(async () => {
		await client.removeAllChannels();
		client.realtime.disconnect();
	});
	await system.next((m) => m.message === 'Subscribed to PostgreSQL', 'Subscribed to PostgreSQL');
	return { changes };
}
