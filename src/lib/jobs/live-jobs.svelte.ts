// The jobs page's rows, kept current without a reload: the server renders a
// page, then Realtime postgres_changes on the team's jobs (RLS-checked per
// subscriber) add new jobs on top, change statuses and progress in place,
// and take deleted jobs out. Running jobs' durations tick once a second.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { applyJobChange, replayJobChanges, type ApplyContext, type JobChange, type JobListFilters, type JobListPage, type JobListRow, type JobListState, type Submitter } from './list.ts';

export type LiveConnection = 'connecting' | 'live' | 'offline';

let channelCount = 0;

/** How long a change is kept to lay over a page loading meanwhile (longer than any page load). */
const REPLAY_MS = 15_000;

export class LiveJobList {
	rows = $state<JobListRow[]>([]);
	total = $state<number | null>(null);
	/** New matching jobs that this page does not show (another sort or page). */
	unseen = $state(0);
	connection = $state<LiveConnection>('connecting');
	/** The clock durations of running jobs are measured against. */
	now = $state(Date.now());

	#filters: JobListFilters;
	#pageSize: number;
	#submitters = new Map<string, string>();
	/** The changes of the last REPLAY_MS, oldest first. */
	#recent: Array<{ at: number; change: JobChange }> = [];

	constructor(page: JobListPage, filters: JobListFilters, pageSize: number, submitters: Submitter[]) {
		this.#filters = filters;
		this.#pageSize = pageSize;
		this.reset(page, filters, submitters);
	}

	/** A freshly loaded page (another filter, sort or page, or a reload). */
	reset(page: JobListPage, filters: JobListFilters, submitters: Submitter[]): void {
		this.#filters = filters;
		this.#submitters = new Map(submitters.map((s) => [s.id, s.name]));
		this.#forgetOld();
		const changes = this.#recent.map((r) => r.change);
		this.#set(replayJobChanges({ rows: page.rows, total: page.total, unseen: 0 }, changes, this.#context()));
	}

	apply(change: JobChange): void {
		this.#forgetOld();
		this.#recent.push({ at: Date.now(), change });
		this.#set(applyJobChange({ rows: this.rows, total: this.total, unseen: this.unseen }, change, this.#context()));
	}

	#context(): ApplyContext {
		return {
			filters: this.#filters,
			pageSize: this.#pageSize,
			submitterName: (id) => (id ? (this.#submitters.get(id) ?? null) : null)
		};
	}

	#forgetOld(): void {
		const since = Date.now() - REPLAY_MS;
		while (this.#recent.length > 0 && this.#recent[0].at < since) this.#recent.shift();
	}

	#set(next: JobListState): void {
		this.rows = next.rows;
		this.total = next.total;
		this.unseen = next.unseen;
	}

	/** A change made here (the job menu), shown at once rather than when Realtime echoes it. */
	patch(id: string, fields: Partial<Pick<JobListRow, 'name' | 'status' | 'visibility' | 'credits_refunded'>>): void {
		this.rows = this.rows.map((row) => (row.id === id ? { ...row, ...fields } : row));
	}

	remove(id: string): void {
		this.apply({ type: 'DELETE', old: { id } });
	}

	/**
	 * Subscribes to the team's job changes once `ready` gives the client
	 * (realtimeClient(): joined as the signed-in user, or RLS lets no private
	 * job through); returns the unsubscribe. After a dropped connection comes
	 * back, `onResync` reloads the page, since changes made meanwhile were not delivered.
	 */
	follow(ready: Promise<SupabaseClient>, teamId: string, onResync: () => void): () => void {
		this.connection = 'connecting';
		let wasLive = false;
		let unsubscribe: (() => void) | undefined;
		let stopped = false;
		const apply = (type: 'INSERT' | 'UPDATE') => (payload: { new: unknown }) => this.apply({ type, record: payload.new });
		void ready.then((supabase) => {
			if (stopped) return;
			const channel: RealtimeChannel = supabase
				.channel(`team-jobs-${teamId}-${++channelCount}`)
				.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'jobs', filter: `team_id=eq.${teamId}` }, apply('INSERT'))
				.on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'jobs', filter: `team_id=eq.${teamId}` }, apply('UPDATE'))
				// A delete carries only the job's id (RLS hides the rest of a row that is gone), so it cannot be filtered by team.
				.on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'jobs' }, (payload) => this.apply({ type: 'DELETE', old: payload.old }))
				.subscribe((status) => {
					if (status === 'SUBSCRIBED') {
						if (wasLive) onResync();
						wasLive = true;
						this.connection = 'live';
					} else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') {
						this.connection = 'offline';
					}
				});
			unsubscribe = () => void supabase.removeChannel(channel);
		});
		const clock = setInterval(() => {
			if (this.rows.some((r) => r.status === 'processing')) this.now = Date.now();
		}, 1000);
		return () => {
			stopped = true;
			clearInterval(clock);
			unsubscribe?.();
		};
	}
}
