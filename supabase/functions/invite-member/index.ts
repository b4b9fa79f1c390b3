// POST /functions/v1/invite-member: team invitations by email.
//
//   {"action": "invite", "team_id", "emails": [...], "role"?: "member"}   owners and admins
//   {"action": "resend", "invite_id"}                                     owners and admins: a fresh 7 days, a new email
//   {"action": "revoke", "invite_id"}                                     owners and admins
//   {"action": "accept", "invite_id"}                                     the invitee (confirmed address)
//   {"action": "decline", "invite_id"}                                    the invitee (confirmed address)
//
// The database decides, as the caller (the team RPCs: roles, seats, expiry,
// whose invite it is). Then, for invite and resend only, the service role
// emails the invitees: a link to accept or decline for confirmed accounts, a
// sign-up invitation (Supabase Auth invite link) for everyone else, whose
// invite is accepted by itself when they confirm their address (database
// trigger). See supabase/functions/README.md.
import { z } from 'zod';
import { teamInvitationEmail, teamSignUpInvitationEmail, type Inviter } from '../_shared/email/templates.ts';
import { HttpError, jsonResponse, readJson, servePost } from '../_shared/http.ts';
import { appLink, signUpLink, teamInvitePath } from '../_shared/links.ts';
import { notify, outcomeKey, type Notification, type Outgoing } from '../_shared/notify.ts';
import { addressesWithAccounts } from '../_shared/recipients.ts';
import { callerClient, callRpc } from '../_shared/supabase.ts';
import { emailList, MAX_BODY_BYTES, parseBody, unknownFields, uuidField } from '../_shared/validate.ts';

const EXAMPLE = '{"action": "invite", "team_id": "<uuid>", "emails": ["ada@example.com"], "role": "member"}';
const ACTIONS = ['invite', 'resend', 'revoke', 'accept', 'decline'] as const;
const ROLES = ['admin', 'member', 'viewer'] as const;

const inviteBody = z.strictObject(
	{
		action: z.literal('invite'),
		team_id: uuidField('team_id'),
		emails: emailList('emails', { min: 1 }),
		role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')} (owners are made from members, not invited)` }).default('member')
	},
	{ error: unknownFields('action, team_id, emails and role') }
);

const inviteIdBody = z.strictObject(
	{ action: z.enum(ACTIONS).exclude(['invite']), invite_id: uuidField('invite_id') },
	{ error: unknownFields('action and invite_id') }
);

interface InviteJson {
	id: string;
	team_id: string;
	email: string;
	role: string;
	status: string;
	expires_at: string;
}

interface Invited {
	team: { id: string; name: string; seat_limit: number | null };
	inviter: { id: string; display_name: string; email: string };
	invites: InviteJson[];
}

/** Emails the invites; a 429 (over the sender's limit) keeps the saved invites in its body. */
async function emailInvites(invited: Invited, limitNote: string) {
	const inviter: Inviter = { displayName: invited.inviter.display_name, email: invited.inviter.email };
	const accounts = await addressesWithAccounts(invited.invites.map((invite) => invite.email));
	const outgoing: Outgoing[] = invited.invites.map((invite) => ({
		email: invite.email,
		subjectId: invite.id,
		compose: () => {
			const path = teamInvitePath(invite.id);
			const common = { to: invite.email, inviter, teamName: invited.team.name, role: invite.role, expiresAt: invite.expires_at };
			return accounts.has(invite.email)
				? teamInvitationEmail({ ...common, link: appLink(path) })
				: teamSignUpInvitationEmail({ ...common, signUpLink: signUpLink(invite.email, path) });
		}
	}));
	const answer = (notifications: Map<string, Notification> | null) => ({
		team: invited.team,
		invites: invited.invites.map((invite) => ({
			id: invite.id,
			email: invite.email,
			role: invite.role,
			status: invite.status,
			expires_at: invite.expires_at,
			link: appLink(teamInvitePath(invite.id)),
			notification: notifications?.get(outcomeKey(invite.email, invite.id)) ?? { status: 'not_sent' }
		}))
	});
	return answer(await notify(invited.inviter.id, 'team_invite', outgoing, limitNote, answer(null)));
}

servePost('invite-member', async (request) => {
	const client = callerClient(request);
	const body = await readJson(request, MAX_BODY_BYTES, EXAMPLE);
	const action = (body as { action?: unknown } | null)?.action;
	if (!ACTIONS.includes(action as (typeof ACTIONS)[number])) {
		throw new HttpError(
			400,
			'invalid_request',
			action === undefined
				? `action is required: one of ${ACTIONS.join(', ')}; for example ${EXAMPLE}.`
				: `action must be one of ${ACTIONS.join(', ')}, not ${JSON.stringify(action)}.`
		);
	}

	if (action === 'invite') {
		const { team_id, emails, role } = parseBody(inviteBody, body);
		const invited = await callRpc<Invited>(client, 'invite_team_members', { team_id, emails, role });
		return jsonResponse(await emailInvites(invited, 'The invitations are saved all the same, but no email went out: re-send them later.'));
	}

	const { invite_id } = parseBody(inviteIdBody, body);
	switch (action) {
		case 'resend': {
			const invited = await callRpc<Invited>(client, 'resend_team_invite', { invite_id });
			const answer = await emailInvites(invited, 'The invitation is renewed all the same, but no email went out.');
			const notification = answer.invites[0].notification;
			if (notification.status === 'already_sent') {
				const next = new Date(Date.parse(notification.last_sent_at) + 3_600_000);
				throw new HttpError(
					429,
					'sent_recently',
					`An invitation email went to ${answer.invites[0].email} less than an hour ago; each address gets at most one per hour. ` +
						`The invitation is renewed (it now expires on ${answer.invites[0].expires_at.slice(0, 10)}); send the email again after ${next.toISOString().slice(11, 16)} UTC.`,
					{ ...answer, retry_after: next.toISOString() },
					{ 'Retry-After': String(Math.max(1, Math.ceil((next.getTime() - Date.now()) / 1000))) }
				);
			}
			return jsonResponse(answer);
		}
		case 'revoke':
			return jsonResponse({ invite: await callRpc(client, 'revoke_team_invite', { invite_id }) });
		case 'accept':
			return jsonResponse({ membership: await callRpc(client, 'accept_team_invite', { invite_id }) });
		default:
			return jsonResponse({ invite: await callRpc(client, 'decline_team_invite', { invite_id }) });
	}
});
