import { error, redirect } from '@sveltejs/kit';
import type { SupabaseClient } from '@supabase/supabase-js';
import { loadMemberships, pickTeam } from '#lib/teams/current-team.ts';
import { isJobLink } from '#lib/tools-ui/job-link.ts';
import type { LayoutServerLoad } from './$types';
import { signInLink } from '#lib/auth/sign-in-link.ts';

export const load: LayoutServerLoad = async ({ locals, cookies, depends, url }) => {
	depends('app:team');
	const user = locals.user;
	// Only a job link lets a visitor without a session this far (hooks.server.ts): no team, no balance.
	if (!user) return { memberships: [], team: null, balance: 0 };
	const memberships = await loadMemberships(locals.supabase, user.id);
	// The database answers an ended session's token with nothing (signed out
	// elsewhere, revoked): ask Auth, on this rare path only, and sign the
	// browser out rather than show an empty account.
	if (memberships.length === 0 && !(await sessionStillLive(locals.supabase))) {
		await locals.supabase.auth.signOut({ scope: 'local' });
		redirect(303, signInLink(url));
	}
	const team = pickTeam(memberships, cookies);
	if (!team) {
		// Someone outside every team may still view a job shared with them.
		if (isJobLink(url)) return { memberships, team: null, balance: 0 };
		error(403, 'You are not a member of any team yet. Ask a team owner to invite you.');
	}
	const { data: account } = await locals.supabase.from('credit_accounts').select('balance').eq('team_id', team.id).maybeSingle();
	return { memberships, team, balance: account?.balance ?? 0 };
};

/** Whether Auth still knows the session (getUser() asks it: an ended session is refused). */
async function sessionStillLive(supabase: SupabaseClient): Promise<boolean> {
	const { error: failed } = await supabase.auth.getUser();
	return !failed;
}
