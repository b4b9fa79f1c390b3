// Shared by the edge function tests: users and jobs made with superuser SQL
// (fast, no password hashing), calls to a function as a user over HTTP (the
// way supabase-js sends them), the email log, live changes as a user, and
// signing in from an emailed link the way the web app's password-less
// sign-up does.
import { createClient, type Session, type SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, expect } from 'vitest';
import { follow, fragmentOf, ssrClient, verifyLink } from '../helpers/auth.ts';
import { createUser, type TestUser } from '../helpers/db.ts';
import { Inbox } from '../helpers/inbox.ts';
import { listMail, waitForMail, type ReceivedMail } from '../helpers/mail.ts';
import { subscribe } from '../helpers/realtime.ts';
import { tokenClient, userToken } from '../helpers/rest.ts';
import { adminPool, anonClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

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
	return readAnswer(res);
}

/** A response as the tests read it: its body parsed as JSON, or its text when it is not JSON (a CSV export, an HTML error). */
export async function readAnswer(res: Response): Promise<Answer> {
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
		void client.realtime.disconnect();
	});
	await system.next((m) => m.message === 'Subscribed to PostgreSQL', 'Subscribed to PostgreSQL');
	return { changes };
}

/** The id of the newest email to `email` (to wait for the next one after it), or undefined when there is none. */
export async function newestMailId(email: string): Promise<string | undefined> {
	return (await listMail(email))[0]?.id;
}

/** Asks for an email, again while Auth refuses within its per-address interval (max_frequency, 1 s). */
async function untilSent(ask: () => Promise<{ error: { status?: number; message: string } | null }>): Promise<void> {
	await waitFor('Auth to send the email', async () => {
		const { error } = await ask();
		if (error && error.status !== 429) throw new Error(`Auth refused: ${error.message}`);
		return !error;
	});
}

export interface EmailLinkSession {
	client: SupabaseClient;
	session: Session;
	/** The auth email whose link was followed. */
	mail: ReceivedMail;
}

/**
 * What the web app's password-less sign-up (and sign-in by link) does for
 * `email`: signInWithOtp with @supabase/ssr (PKCE, as the app's server
 * client), the emailed link (a sign-up confirmation, or a magic link once the
 * address is confirmed) followed like a browser, and the code exchanged for a
 * session on /auth/callback. `after`: the newest email already in the inbox.
 */
export async function signInByEmailLink(email: string, options: { after?: string; next?: string } = {}): Promise<EmailLinkSession> {
	const { client } = ssrClient();
	const redirectTo = `${stackInfo().siteUrl}/auth/callback?next=${encodeURIComponent(options.next ?? '/app/jobs')}`;
	await untilSent(() => client.auth.signInWithOtp({ email, options: { emailRedirectTo: redirectTo } }));
	const mail = await waitForMail(email, { subject: /^(Confirm Your Signup|Your Magic Link)$/, after: options.after });
	const landing = await follow(verifyLink(mail));
	expect(`${landing.origin}${landing.pathname}`).toBe(`${stackInfo().siteUrl}/auth/callback`);
	const code = landing.searchParams.get('code');
	expect(code, `a code in ${landing.href}`).toBeTruthy();
	const { data, error } = await client.auth.exchangeCodeForSession(code!);
	expect(error).toBeNull();
	return { client, session: data.session!, mail };
}

/** An ordinary sign-up with a password (implicit flow), whatever Auth answers; the confirmation email goes to the address. */
export async function signUpWithPassword(email: string, password: string) {
	const client = anonClient();
	let result: Awaited<ReturnType<SupabaseClient['auth']['signUp']>> | undefined;
	await untilSent(async () => (result = await client.auth.signUp({ email, password })));
	return { client, result: result! };
}

/** Follows a session from an email link's fragment (implicit flow) onto a fresh client. */
export async function clientFromFragment(landing: URL): Promise<{ client: SupabaseClient; session: Session }> {
	const fragment = fragmentOf(landing);
	const client = anonClient();
	const { data, error } = await client.auth.setSession({ access_token: fragment.get('access_token')!, refresh_token: fragment.get('refresh_token')! });
	expect(error).toBeNull();
	return { client, session: data.session! };
}
