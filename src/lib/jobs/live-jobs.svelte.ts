// The jobs page's rows, kept current without a reload: the server renders a
// page, then the team's Realtime topic (#lib/teams/team-topic.ts: job_added,
// job_updated, job_deleted, written by the database) adds new jobs on top,
// changes statuses and progress in place, and takes deleted jobs out.
// Running jobs' durations tick once a second.
import type { SupabaseClient } from '@supabase/supabase-js';
import { followTeam, type TeamTopicStatus } from '#lib/teams/team-topic.ts';
import { applyJobChange, replayJobChanges, type ApplyContext, type JobChange, type JobListFilters, type JobListPage, type JobListRow, type JobListState, type Submitter } from './list.ts';

export type LiveConnection = TeamTopicStatus;

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
	 * Follows the team's job changes once `ready` gives the client
	 * (realtimeClient(): joined as the signed-in user, since only the team's
	 * members may join its topic); returns the stop. After a dropped
	 * connection comes back, `onResync` reloads the page, since changes made
	 * meanwhile were not delivered.
	 */
	follow(ready: Promise<SupabaseClient>, teamId: string, onResync: () => void): () => void {
		const stop = followTeam(ready, teamId, {
			onStatus: (status) => (this.connection = status),
			onResync,
			onMessage: (message) => {
				if (message.type === 'job_added') this.apply({ type: 'INSERT', record: message.job });
				else if (message.type === 'job_updated') this.apply({ type: 'UPDATE', record: message.job });
				else if (message.type === 'job_deleted') this.apply({ type: 'DELETE', old: { id: message.job_id } });
			}
		});
		const clock = setInterval(() => {
			if (this.rows.some((r) => r.status === 'processing')) this.now = Date.now();
		}, 1000);
		return () => {
			clearInterval(clock);
			stop();
		};
	}
}
