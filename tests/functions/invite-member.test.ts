// The invite-member edge function on the local stack: owners and admins
// invite by email (accounts get a link to accept or decline, new addresses an
// invitation to sign up, and no Auth user is made for them; once signed up
// with proven credentials they accept, live on the team page), re-send,
// revoke, accept, decline, expiry, seat limits and every refusal.
import { beforeAll, describe, expect, it } from 'vitest';
import { listMail, waitForMail } from '../helpers/mail.ts';
import { stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { addMember, adminForFile, callFunction, COLD_START_MS, createTeam, listen, person, signInByEmailLink, type Person } from './support.ts';

const admin = adminForFile();
let owner: Person;
let teamId: string;

const invite = (body: Record<string, unknown>, token = owner.token) => callFunction('invite-member', body, { token });
const membersOf = async (team: string) =>
	(await admin.query('select user_id, role from public.team_members where team_id = $1 order by created_at', [team])).rows;
const inviteRow = async (id: string) => (await admin.query('select status, role, expires_at, accepted_by from public.team_invites where id = $1', [id])).rows[0];

beforeAll(async () => {
	owner = await person(admin, 'team-owner');
	await admin.query(`update public.profiles set display_name = 'Rosalind Franklin' where id = $1`, [owner.id]);
	teamId = await createTeam(admin, owner, 'Crystallography');
	// Starts the function (the first start may download its npm packages).
	expect((await invite({ action: 'accept', invite_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
}, COLD_START_MS);

describe('invite-member: inviting', () => {
	it('invites an account, which accepts through the emailed link; a second account cannot use it', async () => {
		const colleague = await person(admin, 'colleague');
		const answer = await invite({ action: 'invite', team_id: teamId, emails: [colleague.email], role: 'viewer' });
		expect(answer.status).toBe(200);
		expect(answer.body.team).toEqual({ id: teamId, name: 'Crystallography', seat_limit: null });
		const [sent] = answer.body.invites;
		const link = `${stackInfo().siteUrl}/app/team/invites/${sent.id}`;
		expect(sent).toEqual({
			id: expect.any(String),
			email: colleague.email,
			role: 'viewer',
			status: 'pending',
			expires_at: expect.any(String),
			link,
			notification: { status: 'sent' }
		});
		// Seven days by default.
		expect(Date.parse(sent.expires_at) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

		const mail = await waitForMail(colleague.email, { subject: /invited you to join "Crystallography"/ });
		expect(mail.to).toEqual([colleague.email]);
		expect(mail.subject).toBe('Rosalind Franklin invited you to join "Crystallography" on Foldwork');
		expect(mail.text).toContain(`Rosalind Franklin (${owner.email}) invited you to join the team "Crystallography" on Foldwork as a viewer.`);
		expect(mail.text).toContain(`The invitation expires on ${sent.expires_at.slice(0, 10)} (UTC).`);
		expect(mail.links).toEqual([link]);
		expect(mail.html).toContain(`href="${link}"`);

		const inviteId = new URL(mail.links[0]).pathname.split('/').pop();
		// The invite page: the team's name and who invited, for the invitee only.
		expect((await colleague.db.rpc('get_team_invite', { invite_id: inviteId })).data).toEqual({
			id: inviteId,
			email: colleague.email,
			role: 'viewer',
			status: 'pending',
			expired: false,
			expires_at: expect.any(String),
			created_at: expect.any(String),
			team: { id: teamId, name: 'Crystallography' },
			invited_by: { display_name: 'Rosalind Franklin', email: owner.email }
		});
		const stranger = await person(admin, 'stranger');
		expect((await stranger.db.rpc('get_team_invite', { invite_id: inviteId })).error).toMatchObject({
			code: '42704',
			message: `invite ${inviteId} not found (it must be for your confirmed email address)`
		});
		expect(await invite({ action: 'accept', invite_id: inviteId }, stranger.token)).toMatchObject({
			status: 404,
			body: { code: 'not_found', error: `invite ${inviteId} not found (it must be for your confirmed email address)` }
		});
		expect(await invite({ action: 'decline', invite_id: inviteId }, stranger.token)).toMatchObject({ status: 404 });
		const accepted = await invite({ action: 'accept', invite_id: inviteId }, colleague.token);
		expect(accepted).toMatchObject({ status: 200, body: { membership: { team_id: teamId, user_id: colleague.id, role: 'viewer' } } });
		expect(await inviteRow(inviteId!)).toMatchObject({ status: 'accepted', accepted_by: colleague.id });
		expect(await invite({ action: 'accept', invite_id: inviteId }, colleague.token)).toMatchObject({
			status: 409,
			body: { code: 'conflict', error: 'this invite was already accepted' }
		});
		expect(await invite({ action: 'invite', team_id: teamId, emails: [colleague.email] })).toMatchObject({
			status: 409,
			body: { error: `${colleague.email} is already a member of this team` }
		});
	});

	it('invites a new address to sign up, making no Auth user; signed up by link with a password of their own, they accept, live on the team page', async () => {
		const newcomer = uniqueEmail('recruit');
		const answer = await invite({ action: 'invite', team_id: teamId, emails: [newcomer.toUpperCase()] });
		expect(answer.body.invites).toEqual([
			{
				id: expect.any(String),
				email: newcomer,
				role: 'member',
				status: 'pending',
				expires_at: expect.any(String),
				link: `${stackInfo().siteUrl}/app/team/invites/${answer.body.invites[0].id}`,
				notification: { status: 'sent' }
			}
		]);
		const inviteId = answer.body.invites[0].id;
		expect((await admin.query('select id from auth.users where email = $1', [newcomer])).rows).toEqual([]);
		const teamPage = await listen(owner.token, 'team_invites', `team_id=eq.${teamId}`);

		const mail = await waitForMail(newcomer, { subject: /invited you to join "Crystallography"/ });
		expect(mail.text).toContain('Sign up to answer:');
		const signUp = `${stackInfo().siteUrl}/signup?email=${encodeURIComponent(newcomer)}&next=${encodeURIComponent(`/app/team/invites/${inviteId}`)}`;
		expect(mail.links).toEqual([signUp]);

		const { client, session } = await signInByEmailLink(newcomer, { after: mail.id, next: `/app/team/invites/${inviteId}` });
		const { rows } = await admin.query('select id from auth.users where email = $1', [newcomer]);
		// Signed in by link, but the password (Auth's random one) predates the session: choose one first.
		expect(await invite({ action: 'accept', invite_id: inviteId }, session.access_token)).toMatchObject({
			status: 403,
			body: {
				code: 'forbidden',
				error: 'choose a new password before you join a team: a password chosen before your address was confirmed may not be yours, so it has to stop working',
				hint: 'Set a new password in this session (the one you opened from the emailed link), then try again.'
			}
		});
		expect((await membersOf(teamId)).map((m) => m.user_id)).not.toContain(rows[0].id);
		expect((await client.auth.updateUser({ password: 'recruit-chose-this' })).error).toBeNull();
		const accepted = await client.functions.invoke('invite-member', { body: { action: 'accept', invite_id: inviteId } });
		expect(accepted.error).toBeNull();
		expect(accepted.data).toMatchObject({ membership: { team_id: teamId, user_id: rows[0].id, role: 'member' } });

		expect(await membersOf(teamId)).toContainEqual({ user_id: rows[0].id, role: 'member' });
		const cleared = await teamPage.changes.next((c) => c.eventType === 'UPDATE' && c.new.id === inviteId, 'the pending badge to clear');
		expect(cleared.new).toMatchObject({ status: 'accepted', accepted_by: rows[0].id });
	});

	it('keeps an unconfirmed account with the invited address out; confirming alone joins nothing', async () => {
		// Signed up on its own, never confirmed: the invitation goes to its address as an invitation to sign up.
		const unconfirmed = await person(admin, 'unconfirmed', { confirmed: false });
		const answer = await invite({ action: 'invite', team_id: teamId, emails: [unconfirmed.email] });
		expect(answer.body.invites).toMatchObject([{ notification: { status: 'sent' } }]);
		expect((await waitForMail(unconfirmed.email)).links[0]).toMatch(/\/signup\?email=/);
		const inviteId = answer.body.invites[0].id;
		expect((await unconfirmed.db.from('team_invites').select('id')).data).toEqual([]);
		expect(await invite({ action: 'accept', invite_id: inviteId }, unconfirmed.token)).toMatchObject({ status: 404 });
		expect(await invite({ action: 'decline', invite_id: inviteId }, unconfirmed.token)).toMatchObject({ status: 404 });
		expect((await membersOf(teamId)).map((m) => m.user_id)).not.toContain(unconfirmed.id);
		// Confirming the address (here by SQL, as any confirmation does) makes no member: the invite waits for its accept.
		await admin.query('update auth.users set email_confirmed_at = now() where id = $1', [unconfirmed.id]);
		expect((await membersOf(teamId)).map((m) => m.user_id)).not.toContain(unconfirmed.id);
		expect(await inviteRow(inviteId)).toMatchObject({ status: 'pending' });
	});

	it('lets an account decline; a declined invite cannot be accepted', async () => {
		const reluctant = await person(admin, 'reluctant');
		const inviteId = (await invite({ action: 'invite', team_id: teamId, emails: [reluctant.email] })).body.invites[0].id;
		expect((await reluctant.db.from('team_invites').select('id, status')).data).toEqual([{ id: inviteId, status: 'pending' }]);
		expect(await invite({ action: 'decline', invite_id: inviteId }, reluctant.token)).toMatchObject({
			status: 200,
			body: { invite: { id: inviteId, status: 'declined' } }
		});
		expect(await invite({ action: 'accept', invite_id: inviteId }, reluctant.token)).toMatchObject({ status: 409, body: { error: 'this invite was already declined' } });
		expect((await membersOf(teamId)).map((m) => m.user_id)).not.toContain(reluctant.id);
	});

	it('refuses an expired invite; re-sending renews it, at most one email per address per hour', async () => {
		const late = await person(admin, 'late');
		const answer = await invite({ action: 'invite', team_id: teamId, emails: [late.email] });
		const inviteId = answer.body.invites[0].id;
		await waitForMail(late.email);
		await admin.query(`update public.team_invites set expires_at = now() - interval '1 day' where id = $1`, [inviteId]);
		const expired = await invite({ action: 'accept', invite_id: inviteId }, late.token);
		expect(expired.status).toBe(409);
		expect(expired.body.error).toMatch(/^this invite expired on \d{4}-\d\d-\d\d; ask for a new one$/);

		const tooSoon = await invite({ action: 'resend', invite_id: inviteId });
		expect(tooSoon).toMatchObject({ status: 429, body: { code: 'sent_recently', retry_after: expect.any(String) } });
		expect(tooSoon.body.error).toMatch(new RegExp(`^An invitation email went to ${late.email.replace(/[.+]/g, '\\$&')} less than an hour ago; each address gets at most one per hour\\. The invitation is renewed`));
		expect(await listMail(late.email)).toHaveLength(1);

		// An hour later (the log aged by SQL), the email goes out again.
		await admin.query(`update private.email_log set sent_at = sent_at - interval '61 minutes' where subject_id = $1`, [inviteId]);
		const before = (await listMail(late.email))[0].id;
		const resent = await invite({ action: 'resend', invite_id: inviteId });
		expect(resent).toMatchObject({ status: 200, body: { invites: [{ id: inviteId, status: 'pending', notification: { status: 'sent' } }] } });
		await waitForMail(late.email, { after: before, subject: /invited you to join/ });
		expect(await invite({ action: 'accept', invite_id: inviteId }, late.token)).toMatchObject({ status: 200 });
	});

	it('revokes a pending invite; the invitee can no longer accept it', async () => {
		const revoked = await person(admin, 'revoked');
		const inviteId = (await invite({ action: 'invite', team_id: teamId, emails: [revoked.email] })).body.invites[0].id;
		expect(await invite({ action: 'revoke', invite_id: inviteId })).toMatchObject({ status: 200, body: { invite: { id: inviteId, status: 'revoked' } } });
		expect(await invite({ action: 'accept', invite_id: inviteId }, revoked.token)).toMatchObject({ status: 409, body: { error: 'this invite was already revoked' } });
		expect(await invite({ action: 'resend', invite_id: inviteId })).toMatchObject({
			status: 409,
			body: { error: `this invite was already revoked: invite ${revoked.email} again instead` }
		});
	});
});

describe('invite-member: seats', () => {
	it('counts members and pending invites against the seat limit, all or nothing', async () => {
		const boss = await person(admin, 'boss');
		const small = await createTeam(admin, boss, 'Small lab', 3);
		const call = (body: Record<string, unknown>) => invite(body, boss.token);
		const [first, second, third] = [uniqueEmail('seat'), uniqueEmail('seat'), uniqueEmail('seat')];
		expect((await call({ action: 'invite', team_id: small, emails: [first] })).status).toBe(200);
		const full = await call({ action: 'invite', team_id: small, emails: [second, third] });
		expect(full).toMatchObject({
			status: 409,
			body: {
				code: 'conflict',
				error: `this team has 3 seats and they are all taken by members and pending invites, so ${third} cannot be invited: revoke a pending invite or remove a member first`,
				hint: 'Ask for more seats to invite more people.'
			}
		});
		// Nothing of the refused batch remains, and no email went out.
		const { rows } = await admin.query('select email from public.team_invites where team_id = $1 order by email', [small]);
		expect(rows.map((r) => r.email)).toEqual([first]);
		expect(await listMail(second)).toEqual([]);
		expect((await call({ action: 'invite', team_id: small, emails: [second] })).status).toBe(200);
		// A revoked invite frees its seat.
		const pending = (await admin.query(`select id from public.team_invites where team_id = $1 and email = $2`, [small, first])).rows[0].id;
		expect((await call({ action: 'revoke', invite_id: pending })).status).toBe(200);
		expect((await call({ action: 'invite', team_id: small, emails: [third] })).status).toBe(200);
	});
});

describe('invite-member: refusals', () => {
	it('lets only owners and admins of the team invite, re-send and revoke', async () => {
		const admin1 = await person(admin, 'admin');
		const member = await person(admin, 'member');
		const viewer = await person(admin, 'viewer');
		const outsider = await person(admin, 'outsider');
		await addMember(admin, teamId, admin1, 'admin');
		await addMember(admin, teamId, member, 'member');
		await addMember(admin, teamId, viewer, 'viewer');
		const target = uniqueEmail('target');
		const body = { action: 'invite', team_id: teamId, emails: [target] };
		for (const who of [member, viewer]) {
			expect(await invite(body, who.token)).toMatchObject({ status: 403, body: { code: 'forbidden', error: 'only team owners and admins can manage the team' } });
		}
		expect(await invite(body, outsider.token)).toMatchObject({ status: 404, body: { error: `team ${teamId} not found` } });
		expect(await listMail(target)).toEqual([]);
		const byAdmin = await invite(body, admin1.token);
		expect(byAdmin.status).toBe(200);
		const inviteId = byAdmin.body.invites[0].id;
		expect(await invite({ action: 'resend', invite_id: inviteId }, member.token)).toMatchObject({ status: 403 });
		expect(await invite({ action: 'revoke', invite_id: inviteId }, viewer.token)).toMatchObject({ status: 403 });
		expect(await invite({ action: 'revoke', invite_id: inviteId }, outsider.token)).toMatchObject({ status: 404 });
		expect(await callFunction('invite-member', body)).toMatchObject({ status: 401, body: { code: 'not_signed_in' } });
	});

	it('answers bad requests with what to fix', async () => {
		expect(await invite({ team_id: teamId, emails: ['a@example.test'] })).toMatchObject({
			status: 400,
			body: { error: 'action is required: one of invite, resend, revoke, accept, decline; for example {"action": "invite", "team_id": "<uuid>", "emails": ["ada@example.com"], "role": "member"}.' }
		});
		expect(await invite({ action: 'promote' })).toMatchObject({ status: 400, body: { error: 'action must be one of invite, resend, revoke, accept, decline, not "promote".' } });
		expect(await invite({ action: 'invite', team_id: teamId, emails: ['a@example.test'], role: 'owner' })).toMatchObject({
			status: 400,
			body: { error: 'role: role must be one of admin, member, viewer (owners are made from members, not invited)' }
		});
		expect(await invite({ action: 'invite', team_id: teamId, emails: [] })).toMatchObject({ status: 400, body: { error: 'emails: give at least 1 email address' } });
		expect(await invite({ action: 'invite', team_id: teamId })).toMatchObject({ status: 400, body: { error: 'emails: emails is required' } });
		const injected = await invite({ action: 'invite', team_id: teamId, emails: ['ok@example.test', 'x@example.test\nBcc: y@example.test'] });
		expect(injected).toMatchObject({ status: 400, body: { error: 'emails[1]: "x@example.test\\nBcc: y@example.test" contains a line break; give one bare address per entry' } });
		const many = Array.from({ length: 51 }, (_, i) => `n${i}@example.test`);
		expect(await invite({ action: 'invite', team_id: teamId, emails: many })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^emails: too many addresses: 51/) } });
		expect(await invite({ action: 'accept', invite_id: 'abc' })).toMatchObject({
			status: 400,
			body: { error: 'invite_id: invite_id must be a UUID like 0b6a3c1e-2f4d-4e5a-9b7c-8d9e0f1a2b3c' }
		});
		expect(await invite({ action: 'accept', invite_id: '00000000-0000-4000-8000-000000000000', team_id: teamId })).toMatchObject({
			status: 400,
			body: { error: 'unknown field "team_id": the fields are action and invite_id' }
		});
		expect(await callFunction('invite-member', null, { token: owner.token, raw: '{' })).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
		expect(await callFunction('invite-member', null, { token: owner.token, raw: '' })).toMatchObject({ status: 400, body: { code: 'empty_body' } });
		expect(await callFunction('invite-member', null, { token: owner.token, raw: 'x'.repeat(70_000) })).toMatchObject({ status: 413 });
	});
});
