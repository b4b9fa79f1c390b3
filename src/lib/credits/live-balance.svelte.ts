// A team's credit balance kept current while a page is open: the balance the
// server read for the page, then each `credits_changed` on the team's
// Realtime topic (the database sends it after every ledger row: a charge, a
// refund, a grant). Used by the header and the credits page.
import type { SupabaseClient } from '@supabase/supabase-js';
import { followTeam, type TeamTopicFollower } from '#lib/teams/team-topic.ts';

export class LiveBalance {
	#read = $state(0);
	#live = $state<number | null>(null);
	/** What to show: the latest balance heard, else the one read. */
	readonly value = $derived(this.#live ?? this.#read);

	constructor(read: number) {
		this.#read = read;
	}

	/** A balance the server read (a page load): it replaces anything heard before it. */
	reset(read: number): void {
		this.#read = read;
		this.#live = null;
	}

	/**
	 * Follows the team's topic (see followTeam); `onChange` runs after each
	 * change heard, and `more` passes the follower's other callbacks on.
	 * Returns the stop.
	 */
	follow(ready: Promise<SupabaseClient>, teamId: string, onChange?: () => void, more: Omit<TeamTopicFollower, 'onMessage'> = {}): () => void {
		return followTeam(ready, teamId, {
			...more,
			onMessage: (message) => {
				if (message.type !== 'credits_changed') return;
				this.#live = message.balance;
				onChange?.();
			}
		});
	}
}
