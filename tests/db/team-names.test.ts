// Team names: a personal team is named after its person, old "My Workspace"
// teams are renamed once, and only a team's owners and admins rename it
// (public.rename_team), never a member, a viewer or another team.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createUser, errorOf, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
	db = await openTestDatabase(2);
});
afterAll(async () => {
	await db?.close();
});

const teamName = async (teamId: string) => (await db.pool.query('select name from public.teams where id = $1', [teamId])).rows[0]?.name;
const rename = (user: TestUser, teamId: string, name: string) =>
	withActor(db.pool, asUser(user), (c) => c.query('select * from public.rename_team($1, $2)', [teamId, name])).then((r) => r.rows[0], errorOf);

describe('personal team names', () => {
	it('names the personal team after the name given at sign-up', async () => {
		const user = await createUser(db.pool, { displayName: 'Alice' });
		expect(await teamName(user.teamId)).toBe("Alice's workspace");
	});

	it("falls back to the email's local part when no name was given", async () => {
		const id = crypto.randomUUID();
		await db.pool.query(
			`insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
			 values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', 'bob.smith@example.test', '', now(), '{}', '{}', now(), now())`,
			[id]
		);
		const { rows } = await db.pool.query(`select t.name from public.teams t where t.created_by = $1 and t.personal`, [id]);
		expect(rows).toEqual([{ name: "bob.smith's workspace" }]);
	});

	it('renames the personal teams still called "My Workspace", and leaves renamed ones alone', async () => {
		const old = await createUser(db.pool, { displayName: 'Carol' });
		const renamedByOwner = await createUser(db.pool, { displayName: 'Dan' });
		await db.pool.query(`update public.teams set name = 'My Workspace' where id = $1`, [old.teamId]);
		await db.pool.query(`update public.teams set name = 'Dan lab' where id = $1`, [renamedByOwner.teamId]);
		await db.pool.query('select private.rename_default_personal_teams()');
		expect(await teamName(old.teamId)).toBe("Carol's workspace");
		expect(await teamName(renamedByOwner.teamId)).toBe('Dan lab');
	});
});

describe('rename_team', () => {
	it('lets an owner or admin rename their team, trimmed; refuses an empty or overlong name', async () => {
		const owner = await createUser(db.pool, { displayName: 'Erin' });
		const admin = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'admin')`, [owner.teamId, admin.id]);
		expect(await rename(owner, owner.teamId, '  Protein lab  ')).toMatchObject({ id: owner.teamId, name: 'Protein lab' });
		expect(await rename(admin, owner.teamId, 'Protein lab 2')).toMatchObject({ name: 'Protein lab 2' });
		expect(await rename(owner, owner.teamId, '   ')).toEqual({ code: '22023', message: 'a team name has 1 to 120 characters' });
		expect(await rename(owner, owner.teamId, 'x'.repeat(121))).toEqual({ code: '22023', message: 'a team name has 1 to 120 characters' });
		expect(await teamName(owner.teamId)).toBe('Protein lab 2');
	});

	it('refuses a member, a viewer, another team and an anonymous caller', async () => {
		const owner = await createUser(db.pool, { displayName: 'Frank' });
		const member = await createUser(db.pool);
		const viewer = await createUser(db.pool);
		const outsider = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member'), ($1, $3, 'viewer')`, [owner.teamId, member.id, viewer.id]);
		const before = await teamName(owner.teamId);
		expect(await rename(member, owner.teamId, 'Taken over')).toEqual({ code: '42501', message: 'only team owners and admins can manage the team' });
		expect(await rename(viewer, owner.teamId, 'Taken over')).toEqual({ code: '42501', message: 'only team owners and admins can manage the team' });
		// Another team's owner learns nothing: the same answer as for a made-up id.
		const outsiderAnswer = await rename(outsider, owner.teamId, 'Taken over');
		expect(outsiderAnswer).toEqual({ code: '42704', message: `team ${owner.teamId} not found` });
		const madeUp = crypto.randomUUID();
		expect(await rename(outsider, madeUp, 'Taken over')).toEqual({ code: '42704', message: `team ${madeUp} not found` });
		const anonymous = await withActor(db.pool, { kind: 'anon' }, (c) => c.query('select public.rename_team($1, $2)', [owner.teamId, 'Taken over'])).then(() => null, errorOf);
		expect(anonymous?.code).toBe('42501');
		expect(await teamName(owner.teamId)).toBe(before);
	});
});
