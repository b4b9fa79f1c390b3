import { error } from '@sveltejs/kit';
import { loadMemberships, pickTeam } from '#lib/teams/current-team.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, cookies, depends }) => {
	depends('app:team');
	const user = locals.user;
	if (!user) error(401, 'Sign in first.');
	const memberships = await loadMemberships(locals.supabase, user.id);
	const team = pickTeam(memberships, cookies);
	if (!team) error(403, 'You are not a member of any team yet. Ask a team owner to invite you.');
	const { data: account } = await locals.supabase.from('credit_accounts').select('balance').eq('team_id', team.id).maybeSingle();
	return { memberships, team, balance: account?.balance ?? 0 };
};
