// Team management through RPCs: only owners and admins manage, only owners
// make owners, invites are accepted by the confirmed owner of the email while
// pending and unexpired, and a team keeps an owner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createUser, errorOf, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
	db = await openTestDatabase(2);
});
afterAll(async () => {
	await db?.close();
});

const call = async (user: TestUser, sql: string, params: unknown[] = []) => (await withActor(db.pool, asUser(user), (c) => c.query(sql, params))).rows[0];
const refusal = (user: TestUser, sql: string, params: unknown[] = []) => call(user, sql, params).then(() => null, errorOf);

describe('team RPCs', () => {
	it('creates a team owned by its creator, with an empty credit account', async () => {
		const user = await createUser(db.pool);
		const team = await call(user, `select * from public.create_team('  Structural biology  ')`);
		expect(team).toMatchObject({ name: 'Structural biology', personal: false, created_by: user.id });
		const { rows } = await db.pool.query(
			`select m.role, a.balance from public.team_members m join public.credit_accounts a on a.team_id = m.team_id where m.team_id = $1`,
			[team.id]
		);
		expect(rows).toEqual([{ role: 'owner', balance: 0 }]);
		expect(await refusal(user, `select public.create_team('   ')`)).toEqual({ code: '22023', message: 'a team name has 1 to 120 characters' });
	});

	it('invites by email; only the confirmed owner of that email accepts, once', async () => {
		const owner = await createUser(db.pool);
		const team = await call(owner, `select * from public.create_team('Lab')`);
		const invite = await call(owner, `select * from public.invite_team_member($1, ' New@Example.test ', 'viewer')`, [team.id]);
		expect(invite).toMatchObject({ email: 'new@example.test', role: 'viewer', status: 'pending', invited_by: owner.id });

		const someoneElse = await createUser(db.pool);
		expect((await refusal(someoneElse, 'select public.accept_team_invite($1)', [invite.id]))?.code).toBe('42704');
		const unconfirmed = await createUser(db.pool, { email: 'new@example.test', confirmed: false });
		expect((await refusal(unconfirmed, 'select public.accept_team_invite($1)', [invite.id]))?.code).toBe('42704');
		await db.pool.query('update auth.users set email_confirmed_at = now() where id = $1', [unconfirmed.id]);
		expect(await call(unconfirmed, 'select * from public.accept_team_invite($1)', [invite.id])).toMatchObject({ team_id: team.id, user_id: unconfirmed.id, role: 'viewer' });
		expect(await refusal(unconfirmed, 'select public.accept_team_invite($1)', [invite.id])).toEqual({ code: 'P0001', message: 'this invite was already accepted' });
		expect(await refusal(owner, `select public.invite_team_member($1, 'new@example.test')`, [team.id])).toEqual({
			code: 'P0001',
			message: 'new@example.test is already a member of this team'
		});
	});

	it('refuses expired and revoked invites, and invites from non-managers', async () => {
		const owner = await createUser(db.pool);
		const member = await createUser(db.pool);
		const team = await call(owner, `select * from public.create_team('Lab')`);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [team.id, member.id]);
		expect(await refusal(member, `select public.invite_team_member($1, 'x@example.test')`, [team.id])).toEqual({
			code: '42501',
			message: 'only team owners and admins can manage the team'
		});
		expect((await refusal(owner, `select public.invite_team_member($1, 'x@example.test', 'owner')`, [team.id]))?.code).toBe('22023');
		expect((await refusal(owner, `select public.invite_team_member($1, 'nobody', 'member')`, [team.id]))?.message).toBe('not an email address: "nobody"');

		const late = await createUser(db.pool, { email: 'late@example.test' });
		const expired = await call(owner, `select * from public.invite_team_member($1, 'late@example.test')`, [team.id]);
		await db.pool.query(`update public.team_invites set expires_at = now() - interval '1 day' where id = $1`, [expired.id]);
		expect((await refusal(late, 'select public.accept_team_invite($1)', [expired.id]))?.message).toMatch(/^this invite expired on \d{4}-\d\d-\d\d; ask for a new one$/);

		const revokedFor = await createUser(db.pool, { email: 'revoked@example.test' });
		const revoked = await call(owner, `select * from public.invite_team_member($1, 'revoked@example.test')`, [team.id]);
		expect((await refusal(member, 'select public.revoke_team_invite($1)', [revoked.id]))?.code).toBe('42501');
		expect(await call(owner, 'select * from public.revoke_team_invite($1)', [revoked.id])).toMatchObject({ status: 'revoked' });
		expect(await refusal(revokedFor, 'select public.accept_team_invite($1)', [revoked.id])).toEqual({ code: 'P0001', message: 'this invite was already revoked' });
	});

	it('lets owners and admins change roles, only owners touch owners, and keeps an owner', async () => {
		const owner = await createUser(db.pool);
		const admin = await createUser(db.pool);
		const member = await createUser(db.pool);
		const team = await call(owner, `select * from public.create_team('Lab')`);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'admin'), ($1, $3, 'member')`, [team.id, admin.id, member.id]);
		const setRole = 'select * from public.set_team_member_role($1, $2, $3)';
		expect(await call(admin, setRole, [team.id, member.id, 'viewer'])).toMatchObject({ role: 'viewer' });
		expect(await refusal(admin, setRole, [team.id, member.id, 'owner'])).toEqual({ code: '42501', message: 'only team owners can make or unmake owners' });
		expect(await refusal(admin, setRole, [team.id, owner.id, 'member'])).toEqual({ code: '42501', message: 'only team owners can make or unmake owners' });
		expect((await refusal(member, setRole, [team.id, member.id, 'admin']))?.code).toBe('42501');
		expect((await refusal(owner, setRole, [team.id, member.id, 'boss']))?.code).toBe('22023');
		expect(await refusal(owner, setRole, [team.id, owner.id, 'admin'])).toEqual({ code: '23514', message: 'a team needs at least one owner: make someone else owner first' });

		expect(await refusal(admin, 'select public.remove_team_member($1, $2)', [team.id, owner.id])).toEqual({ code: '42501', message: 'only team owners can remove an owner' });
		expect(await call(admin, 'select public.remove_team_member($1, $2) as ok', [team.id, member.id])).toEqual({ ok: true });
		// Leaving: anyone but the last owner.
		expect(await call(admin, 'select public.remove_team_member($1, $2) as ok', [team.id, admin.id])).toEqual({ ok: true });
		expect((await refusal(owner, 'select public.remove_team_member($1, $2)', [team.id, owner.id]))?.code).toBe('23514');
		const { rows } = await db.pool.query('select user_id, role from public.team_members where team_id = $1', [team.id]);
		expect(rows).toEqual([{ user_id: owner.id, role: 'owner' }]);
	});
});
