// Notifications through the real stack and supabase-js, from the attacker's
// side: another user (Eve) cannot join Alice's topic `user:<id>`, nor read,
// mark or delete her notifications through REST or RPC, nor change her
// settings; an anonymous visitor cannot either; a guessed unsubscribe token
// changes nobody's settings. And what Alice gets: her notification live on
// her topic, as the bell hears it.
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient } from '../helpers/stack.ts';
import { join, person, visitor, type Person } from './link-only-support.ts';

let admin: pg.Pool;
let alice: Person;
let eve: Person;

const refusal = (userId: string) => `Unauthorized: You do not have permissions to read from this Channel topic: user:${userId}`;

/** A job of Alice's that ends now (as a worker ends it): her notification. */
async function finishAJob(name: string): Promise<string> {
	const { rows } = await admin.query(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input) values ($1, 'molecule-properties', $2, $3, '{"molecules":[{"id":"m1","smiles":"CCO"}]}') returning id`,
		[alice.teamId, alice.userId, name]
	);
	const id = rows[0].id as string;
	for (const status of ['queued', 'processing', 'completed']) {
		await admin.query(`update public.jobs set status = $2::public.job_status, result = case when $2 = 'completed' then '{"rows":[]}'::jsonb end where id = $1`, [id, status]);
	}
	return id;
}

beforeAll(async () => {
	admin = adminPool(2);
	[alice, eve] = await Promise.all([person('Alice Owner'), person('Eve Neighbour')]);
}, 60_000);

afterAll(async () => {
	for (const p of [alice, eve]) await p?.client.removeAllChannels();
	await admin?.end();
});

describe("a person's topic", () => {
	it('refuses another user, an anonymous visitor and a guessed id, and gives Alice her notifications live', async () => {
		expect((await join(eve.client, `user:${alice.userId}`)).refused?.message).toBe(refusal(alice.userId));
		expect((await join(visitor(), `user:${alice.userId}`)).refused?.message).toBe(refusal(alice.userId));
		const guessed = randomUUID();
		expect((await join(eve.client, `user:${guessed}`)).refused?.message).toBe(refusal(guessed));

		const own = await join(alice.client, `user:${alice.userId}`);
		const eves = await join(eve.client, `user:${eve.userId}`);
		expect([own.refused, eves.refused]).toEqual([null, null]);
		const jobId = await finishAJob('Live one');
		const heard = await own.inbox.next((m) => m.event === 'notification_added', 'the notification on her topic');
		expect(heard.payload.notification).toMatchObject({ kind: 'job_completed', title: 'Job "Live one" completed', link: `/app/tools/molecule-properties?jobId=${jobId}` });
		// Eve's own topic heard nothing of it.
		expect(eves.inbox.items).toEqual([]);
		await alice.client.removeChannel(own.channel);
		await eve.client.removeChannel(eves.channel);
	});

	it("lets nothing sent by a client reach the bell: not from Alice's other session, not from a public room of the name", async () => {
		const reader = await join(alice.client, `user:${alice.userId}`);
		// Alice's second session (another browser), and Eve on a public channel named like Alice's topic.
		const second = anonClient();
		expect((await second.auth.signInWithPassword({ email: alice.email, password: 'correct-horse-battery-staple' })).error).toBeNull();
		await second.realtime.setAuth((await second.auth.getSession()).data.session!.access_token);
		const faker = await join(second, `user:${alice.userId}`);
		const publicRoom = await join(eve.client, `user:${alice.userId}`, undefined, false);
		expect([reader.refused, faker.refused, publicRoom.refused]).toEqual([null, null, null]);
		const forged = { notification: { id: randomUUID(), kind: 'job_completed', title: 'Your job finished: open https://evil.example', body: null, link: null, created_at: new Date().toISOString(), read_at: null } };
		await faker.channel.send({ type: 'broadcast', event: 'notification_added', payload: forged });
		await publicRoom.channel.send({ type: 'broadcast', event: 'notification_added', payload: forged });
		await finishAJob('Real one');
		const real = await reader.inbox.next((m) => m.event === 'notification_added', 'the real notification');
		expect((real.payload.notification as { title: string }).title).toBe('Job "Real one" completed');
		expect(reader.inbox.items.filter((m) => m.event === 'notification_added')).toHaveLength(1);
		await alice.client.removeChannel(reader.channel);
		await second.removeAllChannels();
		await eve.client.removeChannel(publicRoom.channel);
	});
});

describe("someone else's notifications", () => {
	it('cannot be read, marked read or deleted by another user or a visitor', async () => {
		await finishAJob('Private news');
		const { data: mine } = await alice.client.from('notifications').select('id, read_at').is('read_at', null);
		expect(mine?.length).toBeGreaterThan(0);
		const ids = mine!.map((n) => n.id);

		expect((await eve.client.from('notifications').select('id').in('id', ids)).data).toEqual([]);
		expect((await eve.client.from('notifications').update({ read_at: new Date().toISOString() }).in('id', ids).select('id')).error?.code).toBe('42501');
		expect((await eve.client.from('notifications').delete().in('id', ids).select('id')).error?.code).toBe('42501');
		expect((await eve.client.rpc('mark_notifications_read', { ids })).data).toBe(0);
		expect((await eve.client.from('notifications').insert({ user_id: alice.userId, kind: 'job_completed', title: 'Click here' })).error?.code).toBe('42501');
		expect((await eve.client.from('notification_preferences').insert({ user_id: alice.userId, kind: 'job_completed', delivery: 'off' })).error?.code).toBe('42501');

		const anon = visitor();
		expect((await anon.from('notifications').select('id')).error?.code).toBe('42501');
		expect((await anon.rpc('mark_notifications_read', { ids })).error?.code).toBe('42501');

		const { data: after } = await alice.client.from('notifications').select('id, read_at').in('id', ids);
		expect(after?.map((n) => n.read_at)).toEqual(ids.map(() => null));
		expect((await admin.query('select count(*)::int as n from public.notification_preferences where user_id = $1', [alice.userId])).rows[0].n).toBe(0);
	});

	it("cannot be unsubscribed with a guessed token, by anyone", async () => {
		const anon = visitor();
		for (const token of [randomBytes(32).toString('hex'), '0'.repeat(64), alice.userId]) {
			const { error } = await anon.rpc('unsubscribe_notifications', { token, kind: 'all' });
			expect(error?.message).toBe('this unsubscribe link is not valid: open the link from the email again, or change your settings in the app');
		}
		expect((await admin.query('select count(*)::int as n from public.notification_preferences where user_id = $1', [alice.userId])).rows[0].n).toBe(0);
	});
});
