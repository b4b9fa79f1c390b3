// Teams, members, invites and profiles: what sign-up creates, what members
// see and may change, and that a team keeps an owner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createUser, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
	db = await openTestDatabase(2);
});
afterAll(async () => {
	await db?.close();
});

async function lab(owner: TestUser, members: [TestUser, string][]): Promise<string> {
	const { rows } = await db.pool.query(`insert into public.teams (name, created_by) values ('Lab', $1) returning id`, [owner.id]);
	await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'owner')`, [rows[0].id, owner.id]);
	for (const [user, role] of members) {
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, $3)`, [rows[0].id, user.id, role]);
	}
	return rows[0].id;
}

describe('sign-up', () => {
	it('creates a profile and a personal team named after them that they own', async () => {
		const user = await createUser(db.pool, { email: 'Ada.Lovelace@Example.test', displayName: 'Ada' });
		const { rows } = await db.pool.query(
			`select p.email, p.display_name, t.name, t.personal, m.role
			 from public.profiles p join public.team_members m on m.user_id = p.id join public.teams t on t.id = m.team_id where p.id = $1`,
			[user.id]
		);
		expect(rows).toEqual([{ email: 'ada.lovelace@example.test', display_name: 'Ada', name: "Ada's workspace", personal: true, role: 'owner' }]);
	});

	it('keeps the profile in step with auth.users', async () => {
		const user = await createUser(db.pool, { email: 'grace@example.test', displayName: 'Grace' });
		await db.pool.query(`update auth.users set email = 'grace.hopper@example.test', raw_user_meta_data = '{"full_name":"Grace Hopper"}' where id = $1`, [user.id]);
		const { rows } = await db.pool.query('select email, display_name from public.profiles where id = $1', [user.id]);
		expect(rows[0]).toEqual({ email: 'grace.hopper@example.test', display_name: 'Grace Hopper' });
		await db.pool.query('delete from auth.users where id = $1', [user.id]);
		expect((await db.pool.query('select 1 from public.profiles where id = $1', [user.id])).rowCount).toBe(0);
	});
});

describe('teams', () => {
	it('shows members their teams, teammates and profiles, and outsiders nothing', async () => {
		const owner = await createUser(db.pool);
		const viewer = await createUser(db.pool);
		const outsider = await createUser(db.pool);
		const teamId = await lab(owner, [[viewer, 'viewer']]);
		const look = (user: TestUser) =>
			withActor(
				db.pool,
				asUser(user),
				async (c) => ({
					team: (await c.query('select 1 from public.teams where id = $1', [teamId])).rowCount,
					members: (await c.query('select 1 from public.team_members where team_id = $1', [teamId])).rowCount,
					ownerProfile: (await c.query('select 1 from public.profiles where id = $1', [owner.id])).rowCount,
					credits: (await c.query('select balance from public.credit_accounts where team_id = $1', [teamId])).rowCount
				}),
				true
			);
		expect(await look(viewer)).toEqual({ team: 1, members: 2, ownerProfile: 1, credits: 1 });
		expect(await look(outsider)).toEqual({ team: 0, members: 0, ownerProfile: 0, credits: 0 });
	});

	it('lets owners and admins rename a team, and nobody change membership directly', async () => {
		const owner = await createUser(db.pool);
		const admin = await createUser(db.pool);
		const member = await createUser(db.pool);
		const teamId = await lab(owner, [
			[admin, 'admin'],
			[member, 'member']
		]);
		const rename = (user: TestUser, name: string) =>
			withActor(db.pool, asUser(user), async (c) => (await c.query('update public.teams set name = $2 where id = $1', [teamId, name])).rowCount);
		expect(await rename(member, 'Mine')).toBe(0);
		expect(await rename(admin, 'Protein lab')).toBe(1);
		expect((await db.pool.query('select name from public.teams where id = $1', [teamId])).rows[0].name).toBe('Protein lab');
		await expect(withActor(db.pool, asUser(owner), (c) => c.query('update public.teams set personal = true where id = $1', [teamId]))).rejects.toThrow(/permission denied/);
		await expect(
			withActor(db.pool, asUser(owner), (c) => c.query(`update public.team_members set role = 'owner' where team_id = $1`, [teamId]))
		).rejects.toThrow(/permission denied/);
		await expect(
			withActor(db.pool, asUser(member), (c) => c.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'owner')`, [teamId, member.id]))
		).rejects.toThrow(/permission denied/);
	});

	it('lets users change their own display name and nothing else of a profile', async () => {
		const user = await createUser(db.pool);
		const other = await createUser(db.pool);
		await withActor(db.pool, asUser(user), async (c) => {
			expect((await c.query(`update public.profiles set display_name = 'Me' where id = $1`, [user.id])).rowCount).toBe(1);
			expect((await c.query(`update public.profiles set display_name = 'You' where id = $1`, [other.id])).rowCount).toBe(0);
		});
		await expect(withActor(db.pool, asUser(user), (c) => c.query(`update public.profiles set email = 'x@y.z' where id = $1`, [user.id]))).rejects.toThrow(
			/permission denied/
		);
	});

	it('keeps at least one owner in a team', async () => {
		const owner = await createUser(db.pool);
		const admin = await createUser(db.pool);
		const teamId = await lab(owner, [[admin, 'admin']]);
		await expect(db.pool.query(`update public.team_members set role = 'admin' where team_id = $1 and user_id = $2`, [teamId, owner.id])).rejects.toThrow(
			'a team needs at least one owner: make someone else owner first'
		);
		await expect(db.pool.query(`delete from public.team_members where team_id = $1 and user_id = $2`, [teamId, owner.id])).rejects.toThrow(
			'a team needs at least one owner'
		);
		await db.pool.query(`update public.team_members set role = 'owner' where team_id = $1 and user_id = $2`, [teamId, admin.id]);
		await db.pool.query(`delete from public.team_members where team_id = $1 and user_id = $2`, [teamId, owner.id]);
		// Deleting the whole team is fine.
		await db.pool.query('delete from public.teams where id = $1', [teamId]);
	});

	it('shows invites to the team owners and admins and to the invitee only', async () => {
		const owner = await createUser(db.pool);
		const member = await createUser(db.pool);
		const invitee = await createUser(db.pool, { email: 'invitee@example.test' });
		const unconfirmed = await createUser(db.pool, { email: 'later@example.test', confirmed: false });
		const teamId = await lab(owner, [[member, 'member']]);
		await db.pool.query(
			`insert into public.team_invites (team_id, email, role, invited_by) values ($1, 'invitee@example.test', 'member', $2), ($1, 'later@example.test', 'viewer', $2)`,
			[teamId, owner.id]
		);
		const count = (user: TestUser) =>
			withActor(db.pool, asUser(user), async (c) => (await c.query('select email from public.team_invites where team_id = $1 order by email', [teamId])).rows.map((r) => r.email), true);
		expect(await count(owner)).toEqual(['invitee@example.test', 'later@example.test']);
		expect(await count(member)).toEqual([]);
		expect(await count(invitee)).toEqual(['invitee@example.test']);
		expect(await count(unconfirmed)).toEqual([]);
		await expect(
			db.pool.query(`insert into public.team_invites (team_id, email, role) values ($1, 'invitee@example.test', 'admin')`, [teamId])
		).rejects.toThrow(/team_invites_one_pending_idx/);
		await expect(db.pool.query(`insert into public.team_invites (team_id, email, role) values ($1, 'x@example.test', 'owner')`, [teamId])).rejects.toThrow(
			/check constraint/
		);
	});
});
