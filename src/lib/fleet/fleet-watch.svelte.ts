// The fleet's figures (public.fleet_status(), as /status shows them), read
// again every so often while the tab is visible, for pages that say whether
// a tool can run now. A failed read keeps the last figures.
import type { SupabaseClient } from '@supabase/supabase-js';
import { loadFleetStatus, type FleetClass } from './fleet-status.ts';

const REFRESH_MS = 10_000;

export class FleetWatch {
	fleet = $state<FleetClass[] | null>(null);

	constructor(initial: FleetClass[] | null) {
		this.fleet = initial;
	}

	/** Starts refreshing; returns the function that stops it. */
	start(supabase: SupabaseClient, refreshMs = REFRESH_MS): () => void {
		let timer: ReturnType<typeof setTimeout> | undefined;
		let stopped = false;
		const refresh = async () => {
			clearTimeout(timer);
			if (stopped || document.visibilityState !== 'visible') return;
			try {
				this.fleet = await loadFleetStatus(supabase);
			} catch {
				// Keep the last figures; the next read may work.
			}
			if (!stopped && document.visibilityState === 'visible') timer = setTimeout(refresh, refreshMs);
		};
		const onVisibility = () => {
			if (document.visibilityState === 'visible') void refresh();
			else clearTimeout(timer);
		};
		document.addEventListener('visibilitychange', onVisibility);
		timer = setTimeout(refresh, this.fleet ? refreshMs : 0);
		return () => {
			stopped = true;
			clearTimeout(timer);
			document.removeEventListener('visibilitychange', onVisibility);
		};
	}
}
