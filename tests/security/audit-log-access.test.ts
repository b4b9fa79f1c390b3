// The audit log through the real REST API, from the attacker's side: a
// member or viewer of the team, the owner of another team and an anonymous
// visitor try to read a team's activity; insiders and the service role try
// to forge, rewrite or erase rows, or to call the trigger's writer. Only the
// team's owners and admins read; nobody writes.
import type { SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPool, anonClient, serviceClient, uniqueEmail } from '../helpers/stack.ts';

const PASSWORD = 'correct-horse-battery-staple';

interface Person {
	id: string;
	client: SupabaseClient;
}

let pool: pg.Pool;
let teamId: string;
let people: Record<'owner' | 'admin' | 'member' | 'viewer' | 'outsider', Person>;

async function person(name: string): Promise<Person> {
	const email = uniqueEmail(name);
	const created = await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true, user_metadata: { display_name: name } });
	if (created.error) throw created.error;
	const client = anonClient();
	const { error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
	if (error) throw error;
	return { id: created.data.user.id, client };
}

/** The team's rows as they are in the database. */
async function stored() {
	return (await pool.query('select * from public.audit_log where team_id = $1 order by id', [teamId])).rows;
}

beforeAll(async () => {
	pool = adminPool();
	people = { owner: await person('owner'), admin: await person('admin'), member: await person('member'), viewer: await person('viewer'), outsider: await person('outsider') };
	const team = await people.owner.client.rpc('create_team', { name: 'Audited lab' });
	if (team.error) throw team.error;
	teamId = team.data.id;
	await pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member'), ($1, $3, 'member'), ($1, $4, 'viewer')`, [
		teamId,
		people.admin.id,
		people.member.id,
		people.viewer.id
	]);
	const promoted = await people.owner.client.rpc('set_team_member_role', { team_id: teamId, user_id: people.admin.id, role: 'admin' });
	if (promoted.error) throw promoted.error;
	const invited = await people.admin.client.rpc('invite_team_member', { team_id: teamId, email: uniqueEmail('invitee') });
	if (invited.error) throw invited.error;
});

afterAll(async () => {
	await pool?.end();
});

describe('reading a team’s activity', () => {
	it('gives its owners and admins every row, with who did what', async () => {
		const all = await stored();
		expect(all.map((r) => r.action)).toEqual(['member.added', 'member.added', 'member.added', 'member.role_changed', 'invite.sent']);
		for (const who of [people.owner, people.admin]) {
			const { data, error } = await who.client.from('audit_log').select('id, action, actor_id').eq('team_id', teamId).order('id');
			expect(error).toBeNull();
			expect(data).toEqual(all.map((r) => ({ id: Number(r.id), action: r.action, actor_id: r.actor_id })));
		}
		expect(all[3]).toMatchObject({ actor_kind: 'user', actor_id: people.owner.id, target_id: people.admin.id });
		expect(all[4]).toMatchObject({ actor_kind: 'user', actor_id: people.admin.id });
	});

	it('gives a member, a viewer and another team’s owner nothing, however they ask', async () => {
		for (const who of [people.member, people.viewer, people.outsider]) {
			const byTeam = await who.client.from('audit_log').select('*').eq('team_id', teamId);
			expect(byTeam.error).toBeNull();
			expect(byTeam.data).toEqual([]);
			const counted = await who.client.from('audit_log').select('id', { count: 'exact', head: true }).eq('team_id', teamId);
			expect(counted.count).toBe(0);
		}
		// The outsider reads their own team's rows only.
		const { data } = await people.outsider.client.from('audit_log').select('team_id');
		expect(new Set((data ?? []).map((r) => r.team_id)).has(teamId)).toBe(false);
	});

	it('refuses an anonymous visitor outright', async () => {
		const { data, error, status } = await anonClient().from('audit_log').select('*').eq('team_id', teamId);
		expect(status).toBe(401);
		expect(error?.code).toBe('42501');
		expect(data).toBeNull();
	});
});

describe('writing to the activity', () => {
	const forged = () => ({ team_id: teamId, actor_kind: 'user', actor_id: people.member.id, action: 'credits.granted', target_type: 'credits' });

	it('refuses inserts, updates and deletes from the team’s own owner, a member and the service role', async () => {
		const before = await stored();
		for (const client of [people.owner.client, people.member.client, serviceClient()]) {
			const insert = await client.from('audit_log').insert(forged());
			expect(insert.status, 'insert').toBe(403);
			expect(insert.error?.code).toBe('42501');
			const update = await client.from('audit_log').update({ actor_name: 'Someone else' }).eq('team_id', teamId);
			expect(update.status, 'update').toBe(403);
			expect(update.error?.code).toBe('42501');
			const remove = await client.from('audit_log').delete().eq('team_id', teamId);
			expect(remove.status, 'delete').toBe(403);
			expect(remove.error?.code).toBe('42501');
		}
		expect(await stored()).toEqual(before);
	});

	it('offers no function to write a row: the triggers’ writer is not in the API', async () => {
		const before = await stored();
		const args = { p_team_id: teamId, p_action: 'credits.granted', p_target_type: 'credits', p_target_id: null, p_target_name: null, p_before: null, p_after: null };
		const viaPublic = await people.owner.client.rpc('write_audit', args);
		expect(viaPublic.error?.code).toBe('PGRST202');
		const viaPrivate = await people.owner.client.schema('private').rpc('write_audit', args);
		expect(viaPrivate.error?.code).toBe('PGRST106');
		expect(await stored()).toEqual(before);
	});
});
