// Presence leaked who was viewing a job (issue 14, item 5): the job page's
// presence was on a public topic, so anyone with a private job's id saw the
// viewers' ids and names and could add fake viewers. Replayed with the real
// supabase-js client and the app's own channel and presence code
// (src/lib/jobs/job-channels.ts, src/lib/components/job-detail/presence.ts):
// outsiders are refused presence on a private job; on a public job they see
// how many are looking and no identities; and what they track never shows to
// members as a person.
import type { SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { otherViewers, type PresenceState } from '../../src/lib/jobs/presence.ts';
import { joinJobTopic, joinTeamViewers, jobTeamTopic, jobTopic, type ChannelStatus } from '../../src/lib/jobs/job-channels.ts';
import { Inbox } from '../helpers/inbox.ts';
import { adminPool } from '../helpers/stack.ts';
import { join, person, teamJob, visitor, type Person } from './link-only-support.ts';

let admin: pg.Pool;
let alice: Person;
let bob: Person;
let eve: Person;
const used: SupabaseClient[] = [];

beforeAll(async () => {
	admin = adminPool(2);
	[alice, bob, eve] = await Promise.all([person('Alice Researcher'), person('Bob Member'), person('Eve Outsider')]);
	await admin.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [alice.teamId, bob.userId]);
}, 60_000);

afterEach(async () => {
	for (const client of used.splice(0)) await client.removeAllChannels();
});

afterAll(async () => {
	await admin?.end();
});

/** A page of the job as the app opens it: the job's topic, and for members the team viewers' topic. */
async function openPage(client: SupabaseClient, jobId: string, member: { userId: string; name: string } | null) {
	used.push(client);
	const key = randomUUID();
	const jobStates = new Inbox<PresenceState>();
	const teamStates = new Inbox<PresenceState>();
	const statuses = new Inbox<ChannelStatus>();
	const state = { job: {} as PresenceState, team: null as PresenceState | null };
	joinJobTopic(client, jobId, key, {
		onMessage: () => {},
		onPresence: (s) => {
			state.job = s;
			jobStates.push(s);
		},
		onStatus: (s) => statuses.push(s)
	});
	await statuses.next((s) => s === 'SUBSCRIBED', `the job topic of ${jobId}`);
	if (member) {
		state.team = {};
		const teamStatuses = new Inbox<ChannelStatus>();
		joinTeamViewers(client, jobId, key, { user_id: member.userId, name: member.name }, {
			onPresence: (s) => {
				state.team = s;
				teamStates.push(s);
			},
			onStatus: (s) => teamStatuses.push(s)
		});
		await teamStatuses.next((s) => s === 'SUBSCRIBED', `the team topic of ${jobId}`);
	}
	return { key, state, jobStates, teamStates, others: () => otherViewers(state.job, state.team, key, member?.userId ?? null) };
}

describe('presence on a job', () => {
	it('is refused to people outside the team on a private job, and the team names to them on any job', async () => {
		const privateJob = await teamJob(admin, alice, 'private');
		const publicJob = await teamJob(admin, alice, 'public');
		for (const client of [eve.client, visitor()]) {
			used.push(client);
			const onJob = await join(client, jobTopic(privateJob.id), (c) => c.on('presence', { event: 'sync' }, () => {}));
			expect(onJob.refused?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: job:${privateJob.id}`);
			const onTeam = await join(client, jobTeamTopic(publicJob.id), (c) => c.on('presence', { event: 'sync' }, () => {}));
			expect(onTeam.refused?.message).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: job:${publicJob.id}:team`);
		}
	});

	it('shows an outsider on a public job how many are looking and none of the members\' identities', async () => {
		const job = await teamJob(admin, alice, 'public');
		const member = await openPage(bob.client, job.id, { userId: bob.userId, name: bob.name });
		for (const [client, label] of [[eve.client, 'Eve'], [visitor(), 'an anonymous visitor']] as const) {
			const outsider = await openPage(client, job.id, null);
			await outsider.jobStates.next((s) => Object.keys(s).includes(member.key), `Bob's page counted at ${label}`);
			expect(outsider.others(), label).toEqual({ names: [], visitors: 1, forTeam: false });
			// Nothing that names a member reached the outsider's client.
			const seen = JSON.stringify(outsider.jobStates.items);
			for (const secret of [bob.userId, bob.name, alice.userId]) expect(seen, label).not.toContain(secret);
			await client.removeAllChannels();
		}
	});

	it('never shows members a viewer an outsider made up as a person, only as a visitor', async () => {
		const job = await teamJob(admin, alice, 'public');
		const member = await openPage(bob.client, job.id, { userId: bob.userId, name: bob.name });
		used.push(eve.client);
		// Eve tracks Alice's identity on the job's topic, and tries the team's topic.
		const forged = await join(eve.client, jobTopic(job.id), (c) => c.on('presence', { event: 'sync' }, () => {}));
		expect(forged.refused).toBeNull();
		expect(await forged.channel.track({ user_id: alice.userId, name: alice.name })).toBe('ok');
		const team = await join(eve.client, jobTeamTopic(job.id), (c) => c.on('presence', { event: 'sync' }, () => {}));
		expect(team.refused).not.toBeNull();
		await member.jobStates.next((s) => Object.keys(s).length === 2, 'Eve counted on the job topic');
		expect(member.others()).toEqual({ names: [], visitors: 1, forTeam: true });
		expect(JSON.stringify(member.state.team)).not.toContain(alice.name);
		// A real team mate is named.
		const alicePage = await openPage(alice.client, job.id, { userId: alice.userId, name: alice.name });
		await member.teamStates.next((s) => Object.keys(s).includes(alicePage.key), 'Alice on the team topic');
		expect(member.others()).toEqual({ names: ['Alice Researcher'], visitors: 1, forTeam: true });
	});
});
