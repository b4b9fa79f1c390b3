import { loadCompareSelection } from '#lib/compare/load.ts';
import type { PageServerLoad } from './$types';

// Each job is opened as the job page opens it (get_job, as this viewer): the
// page holds only what the viewer may see; the rest is "not available to you".
export const load: PageServerLoad = async ({ url, locals }) => {
	return { selection: await loadCompareSelection(locals.supabase, url.searchParams.get('ids')) };
};
