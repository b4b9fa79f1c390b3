import { error } from '@sveltejs/kit';
import { loadFleetStatus } from '#lib/fleet/fleet-status.ts';
import { errorMessage } from '#lib/ui/toasts.svelte.ts';
import type { PageServerLoad } from './$types';

// Public page; the figures are for signed-in people only (fleet_status() is
// granted to `authenticated`, not `anon`), so visitors are asked to sign in.
export const load: PageServerLoad = async ({ locals, parent }) => {
	const { user } = await parent();
	if (!user) return { fleet: null, loadedAt: null };
	try {
		return { fleet: await loadFleetStatus(locals.supabase), loadedAt: new Date().toISOString() };
	} catch (e) {
		error(500, errorMessage(e));
	}
};
