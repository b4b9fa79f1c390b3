// Shared by the link-only and presence attack tests: a team (Alice owns it,
// Bob is a member), an outsider with a team of her own (Eve), an invitee
// with an account (Ivy), all real confirmed accounts signed in with
// supabase-js; jobs of Alice's team in each visibility with a file and a
// timeline that names a worker host and who cancelled; and supabase-js
// Realtime channels with deadlines.
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Inbox } from '../helpers/inbox.ts';
import { anonClient, serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';

const PASSWORD = 'correct-horse-battery-staple';
export const WORKER_HOST = `gpu-node-${randomUUID().slice(0, 6)}.lab.internal`;

export interface Person {
	userId: string;
	email: string;
	name: string;
	teamId: string;
	/** supabase-js signed in as this person (REST, RPC and Realtime). */
	client: SupabaseClient;
	token: string;
}

/** A confirmed account (Auth admin API) signed in with its password. */
export async function person(name: string): Promise<Person> {
	const email = uniqueEmail(name.split(' ')[0].toLowerCase());
	const created = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true, user_metadata: { display_name: name } });
	if (created.error) throw created.error;
	const client = anonClient();
	const { data, error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
	if (error) throw error;
	await client.realtime.setAuth(data.session.access_token);
	const team = await client.from('teams').select('id').eq('personal', true).single();
	if (team.error) throw team.error;
	return { userId: created.data.user.id, email, name, teamId: team.data.id, client, token: data.session.access_token };
}

/** A visitor without an account: supabase-js with the anon key only. */
export function visitor(): SupabaseClient {
	return createClient(stackInfo().apiUrl, stackInfo().anonKey, { auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } });
}

export type Visibility = 'private' | 'authenticated' | 'invited' | 'public';

export interface TestJob {
	id: string;
	fileId: string;
	/** Where its output file's bytes are in the job-files bucket. */
	storagePath: string;
}

/**
 * A job of `owner`'s team, run by a worker on WORKER_HOST (its timeline says
 * so, as worker_claim_jobs writes it), with one output file; shared with
 * `invitee` when given (an attached share, as after claiming it).
 */
export async function teamJob(admin: pg.Pool, owner: Person, visibility: Visibility, options: { status?: 'processing' | 'completed'; invitee?: Person } = {}): Promise<TestJob> {
	const client = await admin.connect();
	try {
		await client.query('begin');
		const { rows } = await client.query(
			`insert into public.jobs (team_id, tool_id, submitted_by, name, input, settings, visibility)
			 values ($1, 'molecule-properties', $2, $3, '{"molecules":[{"id":"m1","smiles":"CCO"}]}', '{}', $4) returning id`,
			[owner.teamId, owner.userId, `${visibility} job`, visibility]
		);
		const id: string = rows[0].id;
		await client.query(`update public.jobs set status = 'queued' where id = $1`, [id]);
		await client.query(`select set_config('foldwork.status_message', $1, true)`, [`Started on ${WORKER_HOST}`]);
		await client.query(`update public.jobs set status = 'processing', progress = 10, heartbeat_at = now() where id = $1`, [id]);
		await client.query(`select set_config('foldwork.status_message', '', true)`);
		// Its output's bytes in the private job-files bucket, as the worker fleet writes them (service role).
		const storagePath = `${owner.teamId}/${id}/output/result.csv`;
		const uploaded = await serviceClient().storage.from('job-files').upload(storagePath, 'a,b', { contentType: 'text/csv' });
		if (uploaded.error) throw uploaded.error;
		const file = await client.query(
			`insert into public.job_files (job_id, kind, name, media_type, size_bytes, storage_path) values ($1, 'output', 'result.csv', 'text/csv', 3, $2) returning id`,
			[id, storagePath]
		);
		if (options.status === 'completed') await client.query(`update public.jobs set status = 'completed', result = '{"rows":[]}' where id = $1`, [id]);
		if (options.invitee) {
			await client.query(
				`insert into public.job_shares (job_id, email, user_id, invited_by, accepted_at) values ($1, $2, $3, $4, now())`,
				[id, options.invitee.email, options.invitee.userId, owner.userId]
			);
		}
		await client.query('commit');
		return { id, fileId: file.rows[0].id, storagePath };
	} catch (error) {
		await client.query('rollback');
		throw error;
	} finally {
		client.release();
	}
}

/** Moves a running job's progress on, as a worker reports it. */
export async function progress(admin: pg.Pool, jobId: string, value: number): Promise<void> {
	await admin.query('update public.jobs set progress = $2, progress_message = $3 where id = $1', [jobId, value, `Step ${value}`]);
}

export type Broadcast = { event: string; payload: Record<string, unknown> };
export type Status = { status: string; at: number };

/** A channel of `client`, subscribed (or refused: the error), collecting broadcasts and status changes. */
export async function join(
	client: SupabaseClient,
	topic: string,
	setup: (channel: RealtimeChannel) => RealtimeChannel = (c) => c,
	isPrivate = true
): Promise<{ channel: RealtimeChannel; inbox: Inbox<Broadcast>; statuses: Inbox<Status>; refused: Error | null }> {
	const inbox = new Inbox<Broadcast>();
	const statuses = new Inbox<Status>();
	const channel = setup(client.channel(topic, { config: { private: isPrivate } }).on('broadcast', { event: '*' }, (m) => inbox.push(m as unknown as Broadcast)));
	const refused = await new Promise<Error | null>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`joining ${topic} timed out`)), 8_000);
		channel.subscribe((status, error) => {
			statuses.push({ status, at: Date.now() });
			if (status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR') {
				clearTimeout(timer);
				resolve(status === 'SUBSCRIBED' ? null : (error ?? new Error(status)));
			}
		});
	});
	// A refused join is retried by supabase-js; stop it.
	if (refused) await client.removeChannel(channel);
	return { channel, inbox, statuses, refused };
}
