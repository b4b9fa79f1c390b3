// One job, kept live on its `job:<id>` Realtime channel: the job row's
// status and progress (postgres_changes, RLS-checked per subscriber), new
// timeline events and files, and presence (who else has the job open).
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { otherViewers, type OtherViewers, type ViewerPresence } from '#lib/components/job-detail/presence.ts';
import {
	isWaiting,
	jobEventSchema,
	jobFileSchema,
	jobRowSchema,
	loadDisplayName,
	loadJobFiles,
	loadJobProgress,
	loadJobView,
	loadQueueInsight,
	type JobEvent,
	type JobFileMeta,
	type JobRow,
	type JobView
} from './job-view.ts';
import { isTerminal } from './status.ts';

/** Fields a job update may carry; input and settings never change, and large unchanged values may be left out. */
const jobChangeSchema = jobRowSchema
	.pick({
		status: true,
		progress: true,
		progress_message: true,
		result: true,
		error_message: true,
		error_code: true,
		name: true,
		visibility: true,
		attempt: true,
		queued_at: true,
		started_at: true,
		finished_at: true,
		updated_at: true
	})
	.partial();

/** How often a waiting job's place in the queue is asked again (it moves as other jobs start). */
const QUEUE_REFRESH_MS = 5_000;

export type LoadState = 'loading' | 'ready' | 'missing' | 'error';

export interface Viewer {
	/** The signed-in user; null for an anonymous visitor (tracked in presence as "a visitor"). */
	userId: string | null;
}

export class JobLive {
	view = $state<JobView | null>(null);
	state = $state<LoadState>('loading');
	error = $state<string | null>(null);
	others = $state<OtherViewers>({ names: [], visitors: 0 });
	/** True while the Realtime channel is joined (updates arrive live). */
	live = $state(false);
	/** The clock for a running job's elapsed time; ticks once a second while it runs. */
	now = $state(Date.now());

	readonly jobId: string;
	readonly #supabase: SupabaseClient;
	readonly #presenceKey = crypto.randomUUID();
	#channel: RealtimeChannel | null = null;
	#timers: ReturnType<typeof setInterval>[] = [];
	#stopped = false;
	#refreshing: Promise<void> | null = null;

	constructor(supabase: SupabaseClient, jobId: string, initial?: JobView | null) {
		this.#supabase = supabase;
		this.jobId = jobId;
		if (initial && initial.job.id === jobId) {
			this.view = initial;
			this.state = 'ready';
		}
	}

	/** Loads (when needed) and subscribes; returns the cleanup. */
	start(viewer: Viewer): () => void {
		if (this.state !== 'ready') void this.refresh();
		void this.#join(viewer);
		this.#timers.push(
			setInterval(() => {
				if (this.view?.job.status === 'processing') this.now = Date.now();
			}, 1000),
			setInterval(() => {
				if (this.view && isWaiting(this.view.job.status) && viewer.userId) void this.#refreshQueue();
			}, QUEUE_REFRESH_MS)
		);
		return () => this.stop();
	}

	stop(): void {
		this.#stopped = true;
		for (const t of this.#timers) clearInterval(t);
		this.#timers = [];
		if (this.#channel) void this.#supabase.removeChannel(this.#channel);
		this.#channel = null;
		this.live = false;
	}

	/** Shows a change made here (the job menu) at once; Realtime and a fresh read follow. */
	patch(fields: Partial<Pick<JobRow, 'name' | 'status' | 'visibility'>>): void {
		if (this.view) this.view = { ...this.view, job: { ...this.view.job, ...fields } };
		void this.#catchUp();
	}

	/** Reads the whole job again (first load, or when a change did not carry the result). */
	refresh(): Promise<void> {
		this.#refreshing ??= this.#load().finally(() => (this.#refreshing = null));
		return this.#refreshing;
	}

	async #load(): Promise<void> {
		try {
			const loaded = await loadJobView(this.#supabase, this.jobId);
			if (this.#stopped) return;
			if (!loaded) {
				this.view = null;
				this.state = 'missing';
				return;
			}
			const current = this.view?.job;
			// A live update newer than what this read saw wins.
			if (current && Date.parse(current.updated_at) > Date.parse(loaded.job.updated_at)) loaded.job = current;
			this.view = loaded;
			this.state = 'ready';
			this.error = null;
		} catch (e) {
			if (this.#stopped) return;
			this.error = e instanceof Error ? e.message : String(e);
			if (!this.view) this.state = 'error';
		}
	}

	async #join(viewer: Viewer): Promise<void> {
		const name = viewer.userId ? await loadDisplayName(this.#supabase, viewer.userId) : null;
		if (this.#stopped) return;
		const presence: ViewerPresence = { user_id: viewer.userId, name: viewer.userId ? (name ?? 'Someone signed in') : null };
		const filter = `job_id=eq.${this.jobId}`;
		const channel = this.#supabase
			.channel(`job:${this.jobId}`, { config: { presence: { key: this.#presenceKey } } })
			.on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'jobs', filter: `id=eq.${this.jobId}` }, (p) => this.#onJobChange(p.new))
			.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'job_events', filter }, (p) => this.#onEvent(p.new))
			.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'job_files', filter }, (p) => this.#onFile(p.new))
			.on('presence', { event: 'sync' }, () => {
				this.others = otherViewers(channel.presenceState() as Record<string, unknown[]>, this.#presenceKey, viewer.userId);
			});
		this.#channel = channel;
		channel.subscribe((status) => {
			if (this.#stopped) return;
			if (status === 'SUBSCRIBED') {
				this.live = true;
				void channel.track(presence);
				// Whatever changed between the first read and the subscription.
				void (this.#refreshing ?? Promise.resolve()).then(() => {
					if (this.state === 'ready') return this.#catchUp();
				});
			} else {
				this.live = false;
			}
		});
	}

	#onJobChange(row: unknown): void {
		const view = this.view;
		if (!view) return;
		const change = jobChangeSchema.safeParse(row);
		if (!change.success) return void this.refresh();
		const c = change.data;
		if (c.updated_at && Date.parse(c.updated_at) < Date.parse(view.job.updated_at)) return;
		const statusChanged = c.status !== undefined && c.status !== view.job.status;
		const next: JobRow = { ...view.job };
		for (const [key, value] of Object.entries(c)) if (value !== undefined) (next as Record<string, unknown>)[key] = value;
		this.view = { ...view, job: next, queue: isWaiting(next.status) ? view.queue : null };
		if (next.status === 'processing') this.now = Date.now();
		// Files, timeline and queue place (and the result, if the change did not carry it) come with a fresh read.
		if (statusChanged) void this.#catchUp();
	}

	/** Reads the job's progress, timeline and files again; the whole job only when its result is missing. */
	async #catchUp(): Promise<void> {
		try {
			const fresh = await loadJobProgress(this.#supabase, this.jobId);
			if (this.#stopped || !this.view) return;
			if (!fresh) return void this.refresh();
			const current = this.view.job;
			const newer = Date.parse(fresh.state.updated_at) >= Date.parse(current.updated_at) || Number.isNaN(Date.parse(current.updated_at));
			const job: JobRow = newer ? { ...current, ...fresh.state } : current;
			// Merged with what Realtime delivered while this read was under way.
			const events = mergeById(this.view.events, fresh.events).sort((a, b) => a.id - b.id);
			const files = mergeById(this.view.files, fresh.files).sort(byKindAndName);
			this.view = { ...this.view, job, events, files, queue: isWaiting(job.status) ? fresh.queue : null };
			if (job.status === 'completed' && (job.result === null || job.result === undefined)) void this.refresh();
		} catch (e) {
			if (!this.#stopped) this.error = e instanceof Error ? e.message : String(e);
		}
	}

	#onEvent(row: unknown): void {
		const event = jobEventSchema.safeParse(row);
		if (!event.success || !this.view) return;
		if (this.view.events.some((e) => e.id === event.data.id)) return;
		const events: JobEvent[] = [...this.view.events, event.data].sort((a, b) => a.id - b.id);
		this.view = { ...this.view, events };
	}

	#onFile(row: unknown): void {
		// The row may carry the content too; only the metadata is kept.
		const file = jobFileSchema.safeParse(row);
		if (!file.success || !this.view) {
			if (this.view) void this.#refreshFiles();
			return;
		}
		if (this.view.files.some((f) => f.id === file.data.id)) return;
		const files: JobFileMeta[] = [...this.view.files, file.data].sort(byKindAndName);
		this.view = { ...this.view, files };
	}

	async #refreshFiles(): Promise<void> {
		try {
			const files = await loadJobFiles(this.#supabase, this.jobId);
			if (this.view && !this.#stopped) this.view = { ...this.view, files };
		} catch {
			// The next status change reads them again.
		}
	}

	async #refreshQueue(): Promise<void> {
		const queue = await loadQueueInsight(this.#supabase, this.jobId);
		if (this.view && !this.#stopped && isWaiting(this.view.job.status)) this.view = { ...this.view, queue };
	}
}

function mergeById<T extends { id: string | number }>(current: T[], fresh: T[]): T[] {
	const byId = new Map(current.map((x) => [x.id, x]));
	for (const x of fresh) byId.set(x.id, x);
	return [...byId.values()];
}

function byKindAndName(a: JobFileMeta, b: JobFileMeta): number {
	return a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name);
}

/** Elapsed run time of a job in ms: started to finished, or to `now` while it runs. */
export function elapsedMs(job: Pick<JobRow, 'started_at' | 'finished_at' | 'status'>, now: number): number | null {
	if (!job.started_at) return null;
	const end = job.finished_at ? Date.parse(job.finished_at) : isTerminal(job.status) ? null : now;
	return end === null ? null : Math.max(0, end - Date.parse(job.started_at));
}
