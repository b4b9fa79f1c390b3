// A team's private Realtime topic `team:<id>` (supabase/migrations/
// 20261208100000_team_topics.sql and 20261208100100_team_topic_broadcasts.sql)
// carries the team's jobs list, files, credits, roster and shares. The attacks
// replayed with the real supabase-js client: joining another team's topic as
// its neighbour, as an anonymous visitor, with a guessed team id, as someone a
// single job was shared with, with the token of a session that ended; faking
// a message on the topic as a member; and staying on after being removed. And
// what members get: every change of their team, in what the team's rows show
// and nothing of the job's input, settings or result, nor of other teams.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { anonClient, adminPool } from '../helpers/stack.ts';
import { join, person, progress, teamJob, visitor, type Person } from './link-only-support.ts';

let admin: pg.Pool;
let alice: Person;
let bob: Person;
let eve: Person;
let ivy: Person;
const cleanups: Array<() => Promise<unknown>> = [];

const refusal = (teamId: string) => `Unauthorized: You do not have permissions to read from this Channel topic: team:${teamId}`;

beforeAll(async () => {
	admin = adminPool(3);
	[alice, bob, eve, ivy] = await Promise.all([person('Alice Owner'), person('Bob Member'), person('Eve Neighbour'), person('Ivy Invitee')]);
	await admin.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'viewer')`, [alice.teamId, bob.userId]);
}, 60_000);

afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) await cleanup();
});

afterAll(async () => {
	for (const p of [alice, bob, eve, ivy]) await p?.client.removeAllChannels();
	await admin?.end();
});

describe('joining a team\'s topic', () => {
	it('refuses a user of another team, an anonymous visitor and a guessed team id, alike', async () => {
		expect((await join(eve.client, `team:${alice.teamId}`)).refused?.message).toBe(refusal(alice.teamId));
		expect((await join(visitor(), `team:${alice.teamId}`)).refused?.message).toBe(refusal(alice.teamId));
		const guessed = randomUUID();
		expect((await join(eve.client, `team:${guessed}`)).refused?.message).toBe(refusal(guessed));
	});

	it('refuses someone a job of the team was shared with', async () => {
		await teamJob(admin, alice, 'invited', { invitee: ivy });
		expect((await join(ivy.client, `team:${alice.teamId}`)).refused?.message).toBe(refusal(alice.teamId));
	});

	it('refuses the token of a session that ended (signed out elsewhere)', async () => {
		// A second sign-in of Bob's, whose token an attacker copied before he signed it out.
		const stolen = anonClient();
		const { data, error } = await stolen.auth.signInWithPassword({ email: bob.email, password: 'correct-horse-battery-staple' });
		expect(error).toBeNull();
		const token = data.session!.access_token;
		expect((await stolen.auth.signOut({ scope: 'local' })).error).toBeNull();
		const attacker = visitor();
		await attacker.realtime.setAuth(token);
		expect((await join(attacker, `team:${alice.teamId}`)).refused?.message).toBe(refusal(alice.teamId));
		// Bob's own session still works, as a team viewer.
		const own = await join(bob.client, `team:${alice.teamId}`);
		expect(own.refused).toBeNull();
		await bob.client.removeChannel(own.channel);
	});
});

describe('what the team\'s topic carries', () => {
	it('gives members every change of their team\'s jobs, files and credits, without input, settings or results, and nothing of other teams', async () => {
		const mine = await join(bob.client, `team:${alice.teamId}`);
		const theirs = await join(eve.client, `team:${eve.teamId}`);
		expect([mine.refused, theirs.refused]).toEqual([null, null]);
		cleanups.push(() => bob.client.removeChannel(mine.channel), () => eve.client.removeChannel(theirs.channel));

		// Alice submits a job through the RPC: it is charged at once.
		const submitted = await alice.client.rpc('submit_job', {
			tool_id: 'molecule-properties',
			name: 'Watched on the team topic',
			input: { molecules: [{ id: 'secret-molecule', smiles: 'CCO' }] },
			settings: {},
			team_id: alice.teamId
		});
		expect(submitted.error).toBeNull();
		const jobId = (submitted.data as { id: string }).id;
		const added = await mine.inbox.next((m) => m.event === 'job_added', 'the new job');
		expect(added.payload.job).toMatchObject({ id: jobId, team_id: alice.teamId, name: 'Watched on the team topic', status: 'pending', submitted_by: alice.userId, tool_id: 'molecule-properties' });
		const charged = await mine.inbox.next((m) => m.event === 'credits_changed', 'the charge');
		const { data: account } = await alice.client.from('credit_accounts').select('balance').eq('team_id', alice.teamId).single();
		expect(charged.payload).toMatchObject({ balance: account!.balance });

		await admin.query(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
		await admin.query(`update public.jobs set status = 'processing', heartbeat_at = now() where id = $1`, [jobId]);
		await progress(admin, jobId, 60);
		await mine.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { progress: number }).progress === 60, 'the progress update');
		// A heartbeat changes nothing the list shows: no message.
		await admin.query('update public.jobs set heartbeat_at = now() where id = $1', [jobId]);
		await admin.query(`insert into public.job_files (job_id, kind, name, media_type, content) values ($1, 'output', 'result.csv', 'text/csv', convert_to('top secret bytes', 'utf8'))`, [jobId]);
		const file = await mine.inbox.next((m) => m.event === 'file_added', 'the file');
		expect(file.payload.file).toMatchObject({ job_id: jobId, name: 'result.csv', kind: 'output', size_bytes: 16 });
		await admin.query(`update public.jobs set status = 'completed', result = '{"rows":[{"secret-result":1}]}' where id = $1`, [jobId]);
		await mine.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { status: string }).status === 'completed', 'the completion');
		expect((await alice.client.rpc('delete_job', { job_id: jobId })).error).toBeNull();
		const deleted = await mine.inbox.next((m) => m.event === 'job_deleted', 'the deletion');
		expect(deleted.payload).toMatchObject({ job_id: jobId, tool_id: 'molecule-properties' });

		const updates = mine.inbox.items.filter((m) => m.event === 'job_updated').map((m) => (m.payload.job as { status: string; progress: number }));
		expect(updates.map((u) => `${u.status} ${u.progress}`)).toEqual(['queued 0', 'processing 0', 'processing 60', 'completed 100']);
		const everything = JSON.stringify(mine.inbox.items);
		for (const secret of ['secret-molecule', 'secret-result', 'top secret', '"input"', '"settings"', '"result"', 'heartbeat', 'worker_id']) {
			expect(everything, secret).not.toContain(secret);
		}
		// Eve's team topic heard nothing of it: her own job's change, after all of Alice's, is the first thing she gets.
		const eveJob = await teamJob(admin, eve, 'private');
		await progress(admin, eveJob.id, 5);
		await theirs.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { id: string }).id === eveJob.id && (m.payload.job as { progress: number }).progress === 5, 'Eve\'s own change');
		expect(JSON.stringify(theirs.inbox.items)).not.toContain(jobId);
		expect(JSON.stringify(theirs.inbox.items)).not.toContain(alice.teamId);
	});

	it('cannot be written by its members: a broadcast sent on it reaches nobody', async () => {
		const reader = await join(alice.client, `team:${alice.teamId}`);
		const faker = await join(bob.client, `team:${alice.teamId}`);
		cleanups.push(() => alice.client.removeChannel(reader.channel), () => bob.client.removeChannel(faker.channel));
		await faker.channel.send({ type: 'broadcast', event: 'credits_changed', payload: { balance: 1_000_000 } });
		// A real change after the fake one: it arrives, the fake never did.
		await admin.query(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, 5, 'grant', 'real')`, [alice.teamId]);
		const real = await reader.inbox.next((m) => m.event === 'credits_changed', 'the real balance');
		expect(real.payload.balance).not.toBe(1_000_000);
		expect(reader.inbox.items.filter((m) => m.event === 'credits_changed')).toHaveLength(1);
	});
});

describe('the same topic name outside Realtime Authorization', () => {
	it('gives a public channel of the name nothing of the team, and lets nothing sent there reach members', async () => {
		// Public channels are not authorised, so Eve may join `team:<Alice's id>` as one: it must be another room.
		const outsiderRoom = await join(eve.client, `team:${alice.teamId}`, undefined, false);
		const anonymous = visitor();
		const anonymousRoom = await join(anonymous, `team:${alice.teamId}`, undefined, false);
		expect([outsiderRoom.refused, anonymousRoom.refused]).toEqual([null, null]);
		const member = await join(bob.client, `team:${alice.teamId}`);
		expect(member.refused).toBeNull();
		cleanups.push(
			() => eve.client.removeChannel(outsiderRoom.channel),
			() => anonymous.removeAllChannels(),
			() => bob.client.removeChannel(member.channel)
		);
		// Eve fakes a balance on the public room; then a real change happens.
		await outsiderRoom.channel.send({ type: 'broadcast', event: 'credits_changed', payload: { balance: 1_000_000 } });
		const job = await teamJob(admin, alice, 'private');
		await progress(admin, job.id, 42);
		await admin.query(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, 7, 'grant', 'real')`, [alice.teamId]);
		const real = await member.inbox.next((m) => m.event === 'credits_changed', 'the real balance');
		expect(real.payload.balance).not.toBe(1_000_000);
		await member.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { progress: number }).progress === 42, 'the job update');
		expect(member.inbox.items.filter((m) => m.event === 'credits_changed')).toHaveLength(1);
		// Eve's public room heard her own fake at most, and nothing of the team's rows.
		expect([...outsiderRoom.inbox.items, ...anonymousRoom.inbox.items].filter((m) => m.payload.balance !== 1_000_000)).toEqual([]);
	});
});

describe('leaving the team', () => {
	it('stops delivering to a removed member within a second', async () => {
		const carl = await person('Carl Member');
		await admin.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [alice.teamId, carl.userId]);
		const watcher = await join(carl.client, `team:${alice.teamId}`);
		const stays = await join(bob.client, `team:${alice.teamId}`);
		expect([watcher.refused, stays.refused]).toEqual([null, null]);
		cleanups.push(() => carl.client.removeAllChannels(), () => bob.client.removeChannel(stays.channel));
		const job = await teamJob(admin, alice, 'private');
		await progress(admin, job.id, 30);
		await watcher.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { progress: number }).progress === 30, 'an update while a member');

		const removed = await alice.client.rpc('remove_team_member', { team_id: alice.teamId, user_id: carl.userId });
		expect(removed.error).toBeNull();
		const removedAt = Date.now();
		const closed = await watcher.statuses.next((s) => s.status === 'CLOSED', 'the removed member\'s channel closing', 3_000);
		expect(closed.at - removedAt).toBeLessThan(1_000);
		const seen = watcher.inbox.items.length;
		await progress(admin, job.id, 80);
		// Bob, still a member, gets it; Carl has nothing more, and cannot join again.
		await stays.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { progress: number }).progress === 80, 'the remaining member\'s update');
		expect(watcher.inbox.items.slice(seen)).toEqual([]);
		expect((await join(carl.client, `team:${alice.teamId}`)).refused?.message).toBe(refusal(alice.teamId));
		// The roster change reached the team's pages.
		await stays.inbox.next((m) => m.event === 'roster_changed', 'the roster change');
	});

	it('stops delivering to a channel whose session ended (signed out), within a second, and leaves the person\'s other sessions be', async () => {
		// An attacker holding the token of one of Bob's sessions joins while it is live.
		const stolen = anonClient();
		const { data, error } = await stolen.auth.signInWithPassword({ email: bob.email, password: 'correct-horse-battery-staple' });
		expect(error).toBeNull();
		const attacker = visitor();
		await attacker.realtime.setAuth(data.session!.access_token);
		const watcher = await join(attacker, `team:${alice.teamId}`);
		const stays = await join(bob.client, `team:${alice.teamId}`);
		expect([watcher.refused, stays.refused]).toEqual([null, null]);
		cleanups.push(() => attacker.removeAllChannels(), () => bob.client.removeChannel(stays.channel));
		const job = await teamJob(admin, alice, 'private');
		await progress(admin, job.id, 30);
		await watcher.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { progress: number }).progress === 30, 'an update while the session lives');

		// Bob signs that session out; its token is still signed and unexpired.
		expect((await stolen.auth.signOut({ scope: 'local' })).error).toBeNull();
		const endedAt = Date.now();
		const closed = await watcher.statuses.next((s) => s.status === 'CLOSED' || s.status === 'CHANNEL_ERROR', 'the ended session\'s channel closing', 3_000);
		expect(closed.at - endedAt).toBeLessThan(1_000);
		const seen = watcher.inbox.items.length;
		await progress(admin, job.id, 80);
		await stays.inbox.next((m) => m.event === 'job_updated' && (m.payload.job as { progress: number }).progress === 80, 'the live session\'s update');
		expect(watcher.inbox.items.slice(seen)).toEqual([]);
	});
});
