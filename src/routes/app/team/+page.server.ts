import { error, fail, redirect, type ActionFailure } from '@sveltejs/kit';
import type { z } from 'zod';
import { parseForm, type FormProblem } from '#lib/forms/parse.ts';
import { canManageTeam, loadMemberships, pickTeam, rememberTeam } from '#lib/teams/current-team.ts';
import {
	createTeam,
	inviteMember,
	loadMembers,
	loadMyInvites,
	loadTeamInvites,
	removeMember,
	renameTeam,
	resendInvite,
	revokeInvite,
	setMemberRole,
	TeamActionError,
	type SentInvite
} from '#lib/teams/membership.ts';
import { createTeamForm, inviteForm, inviteIdForm, memberForm, roleForm, ROLE_LABELS } from '#lib/teams/team-forms.ts';
import { activityPageParam, loadTeamActivity } from '#lib/components/team/activity.ts';
import { loadStorageUse } from '#lib/teams/storage-use.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, parent, depends, url }) => {
	depends('app:team-roster');
	const { team, user } = await parent();
	if (!team || !user) error(403, 'Choose a team first.');
	const manager = canManageTeam(team.role);
	const [members, invites, myInvites, activity, storage] = await Promise.all([
		loadMembers(locals.supabase, team.id),
		manager ? loadTeamInvites(locals.supabase, team.id) : Promise.resolve([]),
		loadMyInvites(locals.supabase, user.email),
		// The audit log is for owners and admins (RLS gives others no rows).
		manager ? loadTeamActivity(locals.supabase, team.id, activityPageParam.parse(url.searchParams.get('activity') ?? undefined)) : Promise.resolve(null),
		// Shown without it rather than failing the page.
		loadStorageUse(locals.supabase, team.id).catch((e: unknown) => {
			console.error('team storage use', e);
			return null;
		})
	]);
	const notice = url.searchParams.get('notice');
	return {
		team,
		members,
		invites,
		activity,
		storage,
		myInvites: myInvites.filter((i) => i.teamId !== team.id),
		notice: notice === 'joined' || notice === 'declined' || notice === 'created' ? (notice as 'joined' | 'declined' | 'created') : null
	};
};

type ActionName = 'invite' | 'resend' | 'revoke' | 'role' | 'remove' | 'create' | 'rename';
type Failure = ActionFailure<FormProblem & { action: ActionName }>;

/** Which form a problem belongs to, so the page shows it beside that form. */
function failed(action: ActionName, failure: ActionFailure<FormProblem>): Failure {
	return fail(failure.status, { ...failure.data, action });
}

function parse<S extends z.ZodType>(action: ActionName, schema: S, data: FormData): { ok: true; data: z.output<S> } | { ok: false; failure: Failure } {
	const parsed = parseForm(schema, data);
	return parsed.ok ? parsed : { ok: false, failure: failed(action, parsed.failure) };
}

/** The database refused: say why beside the form. Anything else is unexpected. */
function refused(action: ActionName, e: unknown, data: FormData, field?: string): Failure {
	if (!(e instanceof TeamActionError)) throw e;
	const values: Record<string, string> = {};
	for (const [key, value] of data) if (typeof value === 'string') values[key] = value;
	// Over the email limit the invite is saved all the same: nothing wrong with the address.
	const aboutField = field && e.status !== 429;
	return fail(e.status, { action, message: e.message, fields: aboutField ? { [field]: e.message } : {}, values });
}

/** How the invitation email went, as a sentence. */
function emailed(invite: SentInvite): string {
	switch (invite.notification.status) {
		case 'sent':
			return `We emailed ${invite.email} the invitation.`;
		case 'recipient_limited':
			return `No email went to ${invite.email}: it has had its invitation and sharing emails for today; use Resend tomorrow.`;
		case 'already_sent':
			return `${invite.email} got an invitation email less than an hour ago.`;
		case 'failed':
			return `The email to ${invite.email} could not be sent (${invite.notification.error ?? 'unknown error'}): use Resend later.`;
		default:
			return `No email went to ${invite.email}: use Resend later.`;
	}
}

/** The team the page showed (actions have no parent data: the same cookie decides). */
async function currentTeam({ locals, cookies }: RequestEvent) {
	const team = pickTeam(await loadMemberships(locals.supabase, locals.user!.id), cookies);
	if (!team) error(403, 'Choose a team first.');
	return team;
}

export const actions: Actions = {
	invite: async (event) => {
		const team = await currentTeam(event);
		const data = await event.request.formData();
		const parsed = parse('invite', inviteForm, data);
		if (!parsed.ok) return parsed.failure;
		try {
			const invite = await inviteMember(event.locals.supabase, team.id, parsed.data.email, parsed.data.role);
			const as = `Invited ${invite.email} as ${ROLE_LABELS[invite.role].toLowerCase()}`;
			return { action: 'invite' as const, done: `${as}. ${emailed(invite)} The invite is pending until they accept it.` };
		} catch (e) {
			return refused('invite', e, data, 'email');
		}
	},
	resend: async (event) => {
		const data = await event.request.formData();
		const parsed = parse('resend', inviteIdForm, data);
		if (!parsed.ok) return parsed.failure;
		try {
			const invite = await resendInvite(event.locals.supabase, parsed.data.invite_id);
			return { action: 'resend' as const, done: `${emailed(invite)} The invite for ${invite.email} is valid for 7 more days.` };
		} catch (e) {
			return refused('resend', e, data);
		}
	},
	revoke: async (event) => {
		const data = await event.request.formData();
		const parsed = parse('revoke', inviteIdForm, data);
		if (!parsed.ok) return parsed.failure;
		try {
			const invite = await revokeInvite(event.locals.supabase, parsed.data.invite_id);
			return { action: 'revoke' as const, done: `Revoked the invite for ${invite.email}.` };
		} catch (e) {
			return refused('revoke', e, data);
		}
	},
	role: async (event) => {
		const team = await currentTeam(event);
		const data = await event.request.formData();
		const parsed = parse('role', roleForm, data);
		if (!parsed.ok) return parsed.failure;
		try {
			await setMemberRole(event.locals.supabase, team.id, parsed.data.user_id, parsed.data.role);
			return { action: 'role' as const, done: `Role changed to ${ROLE_LABELS[parsed.data.role].toLowerCase()}.` };
		} catch (e) {
			return refused('role', e, data);
		}
	},
	remove: async (event) => {
		const team = await currentTeam(event);
		const data = await event.request.formData();
		const parsed = parse('remove', memberForm, data);
		if (!parsed.ok) return parsed.failure;
		try {
			await removeMember(event.locals.supabase, team.id, parsed.data.user_id);
		} catch (e) {
			return refused('remove', e, data);
		}
		// Leaving: the team is no longer yours to show.
		if (parsed.data.user_id === event.locals.user?.id) redirect(303, '/app/jobs');
		return { action: 'remove' as const, done: 'Removed from the team.' };
	},
	rename: async (event) => {
		const team = await currentTeam(event);
		const data = await event.request.formData();
		const parsed = parse('rename', createTeamForm, data);
		if (!parsed.ok) return parsed.failure;
		try {
			const renamed = await renameTeam(event.locals.supabase, team.id, parsed.data.name);
			return { action: 'rename' as const, done: `Team renamed to “${renamed.name}”.` };
		} catch (e) {
			return refused('rename', e, data, 'name');
		}
	},
	create: async (event) => {
		const data = await event.request.formData();
		const parsed = parse('create', createTeamForm, data);
		if (!parsed.ok) return parsed.failure;
		let teamId: string;
		try {
			teamId = (await createTeam(event.locals.supabase, parsed.data.name)).id;
		} catch (e) {
			return refused('create', e, data, 'name');
		}
		rememberTeam(event.cookies, teamId);
		redirect(303, '/app/team?notice=created');
	}
};
