// "Public" and "logged-in" jobs are link-only (issue 14, item 4): outside the
// owning team a job is opened by its id and never listed. The attacks
// replayed here with the real supabase-js client: scraping shared jobs
// through REST and list RPCs as an anonymous visitor and as another team's
// user, guessing ids, listening to the jobs table through Realtime; and the
// promise kept to people with the link: they open the job and follow it live
// on its private topic, without the team's identities, and lose it within a
// second when access is taken away (made private, unshared, member removed).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Inbox } from '../helpers/inbox.ts';
import { restFetch } from '../helpers/rest.ts';
import { adminPool } from '../helpers/stack.ts';
import { join, person, progress, teamJob, visitor, WORKER_HOST, type Person, type TestJob } from './link-only-support.ts';

let admin: pg.Pool;
let alice: Person;
let bob: Person;
let eve: Person;
let ivy: Person;
const jobs = {} as Record<'private' | 'authenticated' | 'invited' | 'public', TestJob>;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
	admin = adminPool(3);
	[alice, bob, eve, ivy] = await Promise.all([person('Alice Researcher'), person('Bob Member'), person('Eve Outsider'), person('Ivy Invitee')]);
	await admin.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [alice.teamId, bob.userId]);
	for (const visibility of ['private', 'authenticated', 'invited', 'public'] as const) {
		jobs[visibility] = await teamJob(admin, alice, visibility, { invitee: visibility === 'invited' ? ivy : undefined });
	}
	// Alice cancels the private one herself: its timeline names her.
	const cancelled = await alice.client.rpc('cancel_job', { job_id: jobs.private.id });
	expect(cancelled.error).toBeNull();
	// Starts the job-file-urls function (its first start may download its npm packages).
	await alice.client.functions.invoke('job-file-urls', { body: { file_ids: [jobs.public.fileId] } });
}, 150_000);

afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) await cleanup();
});

afterAll(async () => {
	for (const p of [alice, bob, eve, ivy]) await p?.client.removeAllChannels();
	await admin?.end();
});

const aliceJobIds = () => Object.values(jobs).map((j) => j.id);

/** What the web app gets from the job-file-urls function for these file ids, as this client. */
async function invokeUrls(client: SupabaseClient, fileIds: string[]): Promise<{ files: Array<{ id: string; url: string }> }> {
	const { data, error } = await client.functions.invoke('job-file-urls', { body: { file_ids: fileIds } });
	expect(error).toBeNull();
	return data;
}

/** The file's text through the signed URL the function issues to this client. */
async function signedText(client: SupabaseClient, fileId: string): Promise<string> {
	const { files } = await invokeUrls(client, [fileId]);
	expect(files.map((f) => f.id)).toEqual([fileId]);
	const res = await fetch(files[0].url);
	expect(res.status).toBe(200);
	return await res.text();
}

/** What the Storage API gives this client by path: the object, its folder's listing, a signed URL of its own. */
async function byPath(client: SupabaseClient, job: TestJob): Promise<{ download: string | null; listed: string[]; signed: boolean }> {
	const bucket = client.storage.from('job-files');
	const download = await bucket.download(job.storagePath);
	const folder = job.storagePath.split('/').slice(0, 3).join('/');
	const list = await bucket.list(folder);
	const signed = await bucket.createSignedUrl(job.storagePath, 60);
	return { download: download.data ? await download.data.text() : null, listed: (list.data ?? []).map((o) => o.name), signed: !!signed.data?.signedUrl };
}

describe('listing other teams\' jobs', () => {
	it('gives an anonymous visitor nothing from GET /rest/v1/jobs?visibility=eq.public, nor from files or events', async () => {
		const res = await restFetch('/jobs?visibility=eq.public&select=id,name,input,result');
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual([]);
		const anon = visitor();
		for (const table of ['jobs', 'job_files', 'job_events']) {
			const { data, error } = await anon.from(table).select('*');
			expect(error, table).toBeNull();
			expect(data, table).toEqual([]);
		}
	});

	it('gives another team\'s signed-in user none of the team\'s shared jobs from REST or any list RPC', async () => {
		const listed = await eve.client.from('jobs').select('id').in('visibility', ['authenticated', 'public', 'invited']);
		expect(listed.error).toBeNull();
		expect(listed.data!.map((r) => r.id)).not.toEqual(expect.arrayContaining([jobs.public.id]));
		expect(listed.data!.filter((r) => aliceJobIds().includes(r.id))).toEqual([]);
		for (const table of ['job_files', 'job_events']) {
			const { data } = await eve.client.from(table).select('job_id').in('job_id', aliceJobIds());
			expect(data, table).toEqual([]);
		}
		const teamList = await eve.client.rpc('list_team_jobs', { team_id: alice.teamId });
		expect(teamList.error).toBeNull();
		expect(teamList.data).toEqual([]);
		const sharedList = await eve.client.rpc('list_shared_jobs');
		expect(sharedList.error).toBeNull();
		expect(sharedList.data).toEqual([]);
	});

	it('lists for an invitee only the job shared with them by email, in "Shared with me"', async () => {
		const { data, error } = await ivy.client.rpc('list_shared_jobs');
		expect(error).toBeNull();
		expect(data).toEqual([expect.objectContaining({ id: jobs.invited.id, name: 'invited job', tool_name: 'Molecule properties', total_count: 1 })]);
		// Nothing about the sharing team's people.
		expect(JSON.stringify(data)).not.toContain(alice.userId);
		const anonymous = await visitor().rpc('list_shared_jobs');
		expect(anonymous.error?.code).toBe('42501');
	});
});

describe('opening a job by its id', () => {
	it('lets an anonymous visitor with the link open a public job and its file, without the team\'s people or machines', async () => {
		const anon = visitor();
		const { data, error } = await anon.rpc('get_job', { job_id: jobs.public.id });
		expect(error).toBeNull();
		expect(data).toMatchObject({
			access: 'link',
			job: { id: jobs.public.id, name: 'public job', status: 'processing', input: { molecules: [{ smiles: 'CCO' }] }, submitted_by: null },
			submitter_name: null,
			files: [{ id: jobs.public.fileId, name: 'result.csv', size_bytes: 3 }]
		});
		const text = JSON.stringify(data);
		expect(text).not.toContain(alice.userId);
		expect(text).not.toContain(WORKER_HOST);
		expect(data.events.map((e: { to_status: string; message: string | null }) => [e.to_status, e.message])).toEqual([
			['pending', null],
			['queued', null],
			['processing', null]
		]);
		// Its file: through a signed URL the job-file-urls function issues after checking the job by id.
		expect(await signedText(anon, jobs.public.fileId)).toBe('a,b');
		// The team sees its own people.
		const team = await bob.client.rpc('get_job', { job_id: jobs.public.id });
		expect(team.data).toMatchObject({ access: 'team', job: { submitted_by: alice.userId }, submitter_name: 'Alice Researcher' });
		expect(JSON.stringify(team.data.events)).toContain(`Started on ${WORKER_HOST}`);
	});

	it('answers a guessed or unknown id exactly as it answers a job the caller may not open', async () => {
		// The signing function too: a file of a job the caller may not open is absent, like an unknown one.
		for (const client of [visitor(), eve.client]) {
			const unknownUrls = await invokeUrls(client, [randomUUID()]);
			expect(unknownUrls).toEqual({ files: [] });
			expect(await invokeUrls(client, [jobs.private.fileId])).toEqual(unknownUrls);
		}
		expect(await invokeUrls(visitor(), [jobs.authenticated.fileId, jobs.invited.fileId])).toEqual({ files: [] });
		const answer = async (token: string | undefined, fn: string, body: object) => {
			const res = await restFetch(`/rpc/${fn}`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
			return { status: res.status, body: await res.text() };
		};
		for (const token of [undefined, eve.token]) {
			const unknown = await answer(token, 'get_job', { job_id: randomUUID() });
			expect(await answer(token, 'get_job', { job_id: jobs.private.id })).toEqual(unknown);
			expect(unknown).toEqual({ status: 200, body: 'null' });
			const noFile = await answer(token, 'job_file_locations', { file_ids: [randomUUID()] });
			expect(await answer(token, 'job_file_locations', { file_ids: [jobs.private.fileId] })).toEqual(noFile);
			expect(noFile).toEqual({ status: 200, body: '[]' });
		}
		// A job for signed-in users is closed to anonymous visitors, open to any account.
		expect((await visitor().rpc('get_job', { job_id: jobs.authenticated.id })).data).toBeNull();
		expect((await eve.client.rpc('get_job', { job_id: jobs.authenticated.id })).data).toMatchObject({ access: 'link' });
		// The cancelled private job's timeline (naming Alice) reaches nobody outside.
		expect((await ivy.client.rpc('get_job', { job_id: jobs.private.id })).data).toBeNull();
	});
});

describe('realtime', () => {
	it('sends another team\'s subscriber to postgres_changes on jobs nothing of a public job', async () => {
		const mine = await teamJob(admin, eve, 'private');
		const changes = new Inbox<{ new: { id?: string } }>();
		const subscribed = new Inbox<string>();
		const channel = eve.client
			.channel(`jobs-table-${randomUUID()}`)
			.on('postgres_changes', { event: '*', schema: 'public', table: 'jobs' }, (p) => changes.push(p as never))
			.on('postgres_changes', { event: '*', schema: 'public', table: 'jobs', filter: `id=eq.${jobs.public.id}` }, (p) => changes.push(p as never))
			.on('postgres_changes', { event: '*', schema: 'public', table: 'job_events' }, (p) => changes.push(p as never))
			.on('system', {}, (m: { message: string }) => subscribed.push(m.message))
			.subscribe();
		cleanups.push(() => eve.client.removeChannel(channel));
		await subscribed.next((m) => m === 'Subscribed to PostgreSQL', 'the postgres_changes subscription');
		await progress(admin, jobs.public.id, 40);
		await admin.query(`update public.jobs set status = 'completed', result = '{"rows":[]}' where id = $1`, [jobs.public.id]);
		// Eve's own job changes after Alice's: its arrival shows nothing of Alice's came before it.
		await progress(admin, mine.id, 50);
		await changes.next((c) => c.new?.id === mine.id, 'the change of Eve\'s own job');
		expect(changes.items.filter((c) => JSON.stringify(c).includes(jobs.public.id))).toEqual([]);
	});

	it('refuses another team\'s user the topic of a private job, and of an id that does not exist, alike', async () => {
		for (const id of [jobs.private.id, randomUUID()]) {
			const { refused } = await join(eve.client, `job:${id}`);
			expect(refused?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: job:${id}`);
		}
	});

	it('sends a visitor with the id the job\'s updates without the team\'s identities, and nobody can fake them', async () => {
		const job = await teamJob(admin, alice, 'public');
		const anon = visitor();
		const watcher = await join(anon, `job:${job.id}`);
		expect(watcher.refused).toBeNull();
		cleanups.push(() => anon.removeAllChannels());
		// Eve may watch too, but her broadcasts on the topic reach nobody.
		const faker = await join(eve.client, `job:${job.id}`);
		expect(faker.refused).toBeNull();
		cleanups.push(() => eve.client.removeChannel(faker.channel));
		await faker.channel.send({ type: 'broadcast', event: 'job_updated', payload: { job: { id: job.id, status: 'failed', error_message: 'fake' } } });
		await progress(admin, job.id, 70);
		const update = await watcher.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { progress?: number }).progress === 70, 'the progress update');
		expect(update.payload.job).toMatchObject({ id: job.id, progress: 70, progress_message: 'Step 70', submitted_by: null });
		expect(watcher.inbox.items.filter((m) => JSON.stringify(m).includes('fake'))).toEqual([]);
		// The status change brings its timeline event, without the message that names who cancelled.
		// cancel_job writes "Cancelled by Alice Researcher" in the timeline.
		expect((await alice.client.rpc('cancel_job', { job_id: job.id })).error).toBeNull();
		const event = await watcher.inbox.next(
			(m) => m.event === 'event_added' && (m.payload.event as { to_status?: string }).to_status === 'cancelled',
			'the cancellation event'
		);
		expect(event.payload.event).toMatchObject({ from_status: 'processing', to_status: 'cancelled', message: null });
		const everything = JSON.stringify(watcher.inbox.items);
		for (const secret of [alice.userId, 'Alice Researcher', WORKER_HOST]) expect(everything).not.toContain(secret);
	});

	it('stops delivering to a visitor within a second of the job being made private', async () => {
		const job = await teamJob(admin, alice, 'public');
		const anon = visitor();
		const watcher = await join(anon, `job:${job.id}`);
		cleanups.push(() => anon.removeAllChannels());
		await progress(admin, job.id, 20);
		await watcher.inbox.next((m) => m.event === 'job_updated', 'an update while public');
		const made = await alice.client.rpc('set_job_visibility', { job_id: job.id, visibility: 'private' });
		expect(made.error).toBeNull();
		const changedAt = Date.now();
		const closed = await watcher.statuses.next((s) => s.status === 'CLOSED', 'the channel closing', 3_000);
		expect(closed.at - changedAt).toBeLessThan(1_000);
		const seen = watcher.inbox.items.length;
		await progress(admin, job.id, 90);
		// A member still following it receives this update; the visitor has nothing more.
		const member = await join(bob.client, `job:${job.id}`);
		cleanups.push(() => bob.client.removeChannel(member.channel));
		await progress(admin, job.id, 95);
		await member.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { progress?: number }).progress === 95, 'the member\'s update');
		expect(watcher.inbox.items.slice(seen).filter((m) => m.event === 'job_updated')).toEqual([]);
		// Joining again is refused.
		expect((await join(visitor(), `job:${job.id}`)).refused).not.toBeNull();
	});

	it('stops delivering to an invitee within a second of being unshared', async () => {
		const job = await teamJob(admin, alice, 'invited', { invitee: ivy });
		const watcher = await join(ivy.client, `job:${job.id}`);
		expect(watcher.refused).toBeNull();
		cleanups.push(() => ivy.client.removeAllChannels());
		await progress(admin, job.id, 30);
		await watcher.inbox.next((m) => m.event === 'job_updated', 'an update while shared');
		const unshared = await alice.client.rpc('unshare_job', { job_id: job.id, email: ivy.email });
		expect(unshared.data).toBe(true);
		const changedAt = Date.now();
		const closed = await watcher.statuses.next((s) => s.status === 'CLOSED', 'the channel closing', 3_000);
		expect(closed.at - changedAt).toBeLessThan(1_000);
		expect((await ivy.client.rpc('get_job', { job_id: job.id })).data).toBeNull();
	});

	it('stops delivering a private job to a member within a second of their removal from the team', async () => {
		const carl = await person('Carl Member');
		await admin.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [alice.teamId, carl.userId]);
		const job = await teamJob(admin, alice, 'private');
		const watcher = await join(carl.client, `job:${job.id}`);
		const names = await join(carl.client, `job:${job.id}:team`, (c) => c.on('presence', { event: 'sync' }, () => {}));
		expect([watcher.refused, names.refused]).toEqual([null, null]);
		cleanups.push(() => carl.client.removeAllChannels());
		await progress(admin, job.id, 30);
		await watcher.inbox.next((m) => m.event === 'job_updated', 'an update while a member');
		const removed = await alice.client.rpc('remove_team_member', { team_id: alice.teamId, user_id: carl.userId });
		expect(removed.error).toBeNull();
		const changedAt = Date.now();
		for (const channel of [watcher, names]) {
			const closed = await channel.statuses.next((s) => s.status === 'CLOSED', 'the channel closing', 3_000);
			expect(closed.at - changedAt).toBeLessThan(1_000);
		}
		expect((await carl.client.rpc('get_job', { job_id: job.id })).data).toBeNull();
	});
});

describe('a job\'s files in Storage (the private job-files bucket)', () => {
	const none = { download: null, listed: [], signed: false };
	const all = { download: 'a,b', listed: ['result.csv'], signed: true };

	it('reads, lists and signs by path only for the job\'s team and its invitees', async () => {
		for (const visibility of ['private', 'authenticated', 'invited', 'public'] as const) {
			expect(await byPath(bob.client, jobs[visibility]), `member, ${visibility}`).toEqual(all);
			// The link-only rule: people with the link (and outsiders guessing paths) never get a file by path.
			expect(await byPath(eve.client, jobs[visibility]), `other team, ${visibility}`).toEqual(none);
			expect(await byPath(visitor(), jobs[visibility]), `anonymous, ${visibility}`).toEqual(none);
		}
		expect(await byPath(ivy.client, jobs.invited), 'invitee').toEqual(all);
		// A share by invitation on a job that is public gives no path access beyond the link's.
		expect(await byPath(ivy.client, jobs.public), 'invitee of another job').toEqual(none);
	});

	it('gives people with the link each file through a signed URL issued after the by-id check', async () => {
		expect(await signedText(eve.client, jobs.authenticated.fileId)).toBe('a,b');
		expect(await signedText(eve.client, jobs.public.fileId)).toBe('a,b');
		expect(await signedText(ivy.client, jobs.invited.fileId)).toBe('a,b');
		expect(await invokeUrls(eve.client, [jobs.invited.fileId, jobs.private.fileId])).toEqual({ files: [] });
	});

	it('lets no client write, overwrite or delete a job\'s files, not even the job\'s team', async () => {
		for (const client of [alice.client, bob.client, eve.client, visitor()]) {
			const bucket = client.storage.from('job-files');
			const job = jobs.public;
			expect((await bucket.upload(job.storagePath, 'forged', { upsert: true })).error).not.toBeNull();
			expect((await bucket.upload(job.storagePath.replace('result.csv', 'planted.csv'), 'planted')).error).not.toBeNull();
			const removed = await bucket.remove([job.storagePath]);
			expect(removed.data ?? []).toEqual([]);
		}
		expect(await byPath(bob.client, jobs.public)).toEqual(all);
	});
});
