import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { errorMessage } from '#lib/ui/toasts.svelte.ts';
import { loadLedger } from '#lib/credits/ledger.ts';
import { loadPricing } from '#lib/credits/pricing.ts';
import type { PageServerLoad } from './$types';

const pageParam = z.coerce.number().int().min(1).max(100_000).catch(1);

export const load: PageServerLoad = async ({ locals, parent, url, depends }) => {
	// Read again when the team's topic says the balance changed.
	depends('app:credits');
	const { team } = await parent();
	if (!team) error(403, 'Choose a team first.');
	const page = pageParam.parse(url.searchParams.get('page') ?? 1);
	try {
		const [ledger, pricing, account] = await Promise.all([
			loadLedger(locals.supabase, team.id, page),
			loadPricing(locals.supabase),
			locals.supabase.from('credit_accounts').select('balance, updated_at').eq('team_id', team.id).maybeSingle()
		]);
		if (account.error) throw account.error;
		return { team, ledger, pricing, balance: account.data?.balance ?? 0 };
	} catch (e) {
		error(500, errorMessage(e));
	}
};
