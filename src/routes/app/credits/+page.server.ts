import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { errorMessage } from '#lib/ui/toasts.svelte.ts';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import { loadLedger } from '#lib/credits/ledger.ts';
import { loadPricing } from '#lib/credits/pricing.ts';
import { creditRequestForm, CreditRequestError, loadCreditRequests, requestCredits } from '#lib/credits/requests.ts';
import { canRun, loadMemberships, pickTeam } from '#lib/teams/current-team.ts';
import type { Actions, PageServerLoad } from './$types';
import { count } from '#lib/ui/plural.ts';

const pageParam = z.coerce.number().int().min(1).max(100_000).catch(1);

export const load: PageServerLoad = async ({ locals, parent, url, depends }) => {
	// Read again when the team's topic says the balance changed.
	depends('app:credits');
	const { team } = await parent();
	if (!team) error(403, 'Choose a team first.');
	const page = pageParam.parse(url.searchParams.get('page') ?? 1);
	try {
		const [ledger, pricing, account, requests] = await Promise.all([
			loadLedger(locals.supabase, team.id, page),
			loadPricing(locals.supabase),
			locals.supabase.from('credit_accounts').select('balance, updated_at').eq('team_id', team.id).maybeSingle(),
			loadCreditRequests(locals.supabase, team.id)
		]);
		if (account.error) throw account.error;
		return { team, ledger, pricing, balance: account.data?.balance ?? 0, requests };
	} catch (e) {
		error(500, errorMessage(e));
	}
};

export const actions: Actions = {
	/** Request credits: the request-credits function records it and emails the operators. */
	request: async ({ locals, cookies, request }) => {
		const data = await request.formData();
		if (!locals.user) error(401, 'Sign in first.');
		const team = pickTeam(await loadMemberships(locals.supabase, locals.user.id), cookies);
		if (!team) error(403, 'Choose a team first.');
		if (!canRun(team.role)) return formFailure(403, 'Team viewers cannot ask for credits: ask a team owner or admin.', data);
		const parsed = parseForm(creditRequestForm, data);
		if (!parsed.ok) return parsed.failure;
		try {
			await requestCredits(locals.supabase, team.id, parsed.data.credits, parsed.data.message);
		} catch (e) {
			if (!(e instanceof CreditRequestError)) throw e;
			return formFailure(e.status, e.message, data, e.field ? { [e.field]: e.message } : {});
		}
		return {
			done: `Asked the operators for ${count(parsed.data.credits, 'credit')}. They get back to you by email; granted credits appear in the history below.`
		};
	}
};
