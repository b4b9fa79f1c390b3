import { error, fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { rememberTeam } from '#lib/teams/current-team.ts';
import { acceptInvite, declineInvite, loadInvite, TeamActionError } from '#lib/teams/membership.ts';
import type { Actions, PageServerLoad } from './$types';

const inviteId = z.uuid();

export const load: PageServerLoad = async ({ locals, params, parent }) => {
	const id = inviteId.safeParse(params.inviteId);
	if (!id.success) error(404, 'There is no such invite: check the link in your email.');
	const { memberships, user } = await parent();
	const invite = await loadInvite(locals.supabase, id.data);
	return {
		invite,
		expired: invite?.expired ?? false,
		alreadyMember: invite ? memberships.some((m) => m.id === invite.teamId) : false,
		// Only invitees may answer; team managers may open the link too.
		forMe: invite ? invite.email === user?.email.toLowerCase() : false
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
	}
};
