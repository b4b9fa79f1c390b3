import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { rememberTeam } from '#lib/teams/current-team.ts';
import { acceptInvite, declineInvite, loadInvite, TeamActionError } from '#lib/teams/membership.ts';
import { emailLinkRedirect, loadAccountAccess, newPasswordPath, PendingAccessError, sendSignInLink } from '#lib/teams/pending-access.ts';
import type { Actions, PageServerLoad } from './$types';

const inviteId = z.uuid();

export const load: PageServerLoad = async ({ locals, params, parent, url }) => {
	const id = inviteId.safeParse(params.inviteId);
	if (!id.success) error(404, 'There is no such invite: check the link in your email.');
	const { memberships, user } = await parent();
	const invite = await loadInvite(locals.supabase, id.data);
	// Only invitees may answer; team managers may open the link too.
	const forMe = invite ? invite.email === user?.email.toLowerCase() : false;
	// Joining needs proven credentials: say which step comes first, if any.
	const access = forMe && invite?.status === 'pending' ? await loadAccountAccess(locals.supabase) : null;
	return {
		invite,
		expired: invite?.expired ?? false,
		alreadyMember: invite ? memberships.some((m) => m.id === invite.teamId) : false,
		forMe,
		step: access && !access.credentialsProven ? access.state : null,
		newPasswordLink: newPasswordPath(url.pathname)
	};
};

async function answer(locals: App.Locals, params: { inviteId: string }, how: 'accept' | 'decline') {
	const id = inviteId.safeParse(params.inviteId);
	if (!id.success) error(404, 'There is no such invite.');
	try {
		return how === 'accept' ? (await acceptInvite(locals.supabase, id.data)).team_id : (await declineInvite(locals.supabase, id.data)).teamId;
	} catch (e) {
		if (e instanceof TeamActionError) return fail(e.status, { message: e.message });
		throw e;
	}
}

export const actions: Actions = {
	accept: async ({ locals, params, cookies }) => {
		const result = await answer(locals, params, 'accept');
		if (typeof result !== 'string') return result;
		rememberTeam(cookies, result);
		redirect(303, '/app/team?notice=joined');
	},
	decline: async ({ locals, params }) => {
		const result = await answer(locals, params, 'decline');
		if (typeof result !== 'string') return result;
		redirect(303, '/app/team?notice=declined');
	},
	// The first step for an account whose session did not come from an emailed link: one to the invited address.
	emailLink: async ({ locals, url }) => {
		const email = locals.user?.email;
		if (!email) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
		try {
			const sent = await sendSignInLink(locals.supabase, email, emailLinkRedirect(url.origin, url.pathname), false);
			if (sent === 'wait') return fail(429, { message: 'A link was sent a moment ago: wait a minute, then ask again.' });
		} catch (e) {
			if (e instanceof PendingAccessError) return fail(502, { message: e.message });
			throw e;
		}
		return { linkSent: email };
	}
};
