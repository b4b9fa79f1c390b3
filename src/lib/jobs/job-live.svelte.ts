// One job, kept live on its private Realtime topics (./job-channels.ts):
// the database broadcasts the job's state, new timeline events and files on
// `job:<id>` to whoever may open the job, and presence there counts who has
// it open; members of the job's team also name themselves on
// `job:<id>:team`. When access is taken away (the job made private,
// unshared, a member removed) the server closes the channel; the view then
// reads the job again and shows it is no longer available.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { NOBODY_ELSE, otherViewers, type OtherViewers, type PresenceState } from './presence.ts';
import { joinJobTopic, joinTeamViewers, type ChannelStatus, type JobTopicMessage } from './job-channels.ts';
import { isWaiting } from './status.ts';
import {
	jobEventSchema,
	jobFileSchema,
	jobRowSchema,
	loadDisplayName,
	loadJobProgress,
	loadJobView,
	loadQueueInsight,
	type JobEvent,
	type JobFileMeta,
	type JobRow,
	type JobView
} from './job-view.ts';
import { isTerminal } from './status.ts';

/** Fields a job_updated message may carry; input, settings and result never travel on the topic. */
const jobChangeSchema = jobRowSchema
	.pick({
		status: true,
		progress: true,
		progress_message: true,
		error_message: true,
		error_code: true,
		credits_refunded: true,
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
	/** The signed-in user; null for an anonymous visitor. */
	userId: string | null;
}

export class JobLive {
	view = $state<JobView | null>(null);
	state = $state<LoadState>('loading');
	error = $state<string | null>(null);
	others = $state<OtherViewers>(NOBODY_ELSE);
	/** True while the job's topic is joined (updates arrive live). */
	live = $state(false);
	/** The clock for a running job's elapsed time; ticks once a second while it runs. */
	now = $state(Date.now());

	readonly jobId: string;
	readonly #supabase: SupabaseClient;
	readonly #presenceKey = crypto.randomUUID();
	#jobChannel: RealtimeChannel | null = null;
	#teamChannel: RealtimeChannel | null = null;
	#realtime: SupabaseClient | null = null;
	#jobPresence: PresenceState = {};
	#teamPresence: PresenceState = {};
	#viewer: Viewer = { userId: null };
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

	/**
	 * Loads (when needed) and joins the job's topics once `realtime` gives the
	 * client whose token Realtime should check (the signed-in user's, or the
	 * anonymous key); returns the cleanup.
	 */
	start(viewer: Viewer, realtime: Promise<SupabaseClient>): () => void {
		this.#viewer = viewer;
		const loaded = this.state === 'ready' ? Promise.resolve() : this.refresh();
		void Promise.all([realtime, loaded]).then(([client]) => {
			if (this.#stopped || !this.view) return;
			this.#realtime = client;
			void this.#join(client, viewer);
		});
		this.#timers.push(
			setInterval(() => {
				if (this.view?.job.status === 'processing') this.now = Date.now();
			}, 1000),
			setInterval(() => {
				if (this.view?.access === 'team' && isWaiting(this.view.job.status)) void this.#refreshQueue();
			}, QUEUE_REFRESH_MS)
		);
		return () => this.stop();
	}

	stop(): void {
		this.#stopped = true;
		for (const t of this.#timers) clearInterval(t);
		this.#timers = [];
		this.#leave();
		this.live = false;
	}

	// Each forgets its channel before removing it, so the CLOSED that follows is not taken for the server's.
	#leave(): void {
		this.#leaveTeam();
		const channel = this.#jobChannel;
		this.#jobChannel = null;
		if (channel) void this.#realtime?.removeChannel(channel);
	}

	#leaveTeam(): void {
		const channel = this.#teamChannel;
		this.#teamChannel = null;
		this.#teamPresence = {};
		if (channel) void this.#realtime?.removeChannel(channel);
	}

	/** Shows a change made here (the job menu) at once; the topic and a fresh read follow. */
	patch(fields: Partial<Pick<JobRow, 'name' | 'status' | 'visibility' | 'credits_refunded'>>): void {
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
			if (!loaded) return this.#gone();
			const current = this.view?.job;
			// A live update newer than what this read saw wins.
			if (current && Date.parse(current.updated_at) > Date.parse(loaded.job.updated_at)) loaded.job = { ...loaded.job, ...jobChangeSchema.parse(current) };
			this.view = loaded;
			this.state = 'ready';
			this.error = null;
		} catch (e) {
			if (this.#stopped) return;
			this.error = e instanceof Error ? e.message : String(e);
			if (!this.view) this.state = 'error';
		}
	}

	/** The job was deleted, or this viewer may no longer open it: nothing more arrives. */
	#gone(): void {
		this.view = null;
		this.state = 'missing';
		this.live = false;
		this.others = NOBODY_ELSE;
		this.#leave();
	}

	async #join(client: SupabaseClient, viewer: Viewer): Promise<void> {
		const onStatus = (status: ChannelStatus) => {
			if (this.#stopped || !this.#jobChannel) return;
			if (status === 'SUBSCRIBED') {
				this.live = true;
				// Whatever changed between the first read and the subscription.
				void (this.#refreshing ?? Promise.resolve()).then(() => {
					if (this.state === 'ready') return this.#catchUp();
				});
			} else {
				this.live = false;
				// Closed by the server (access taken away) or refused: is the job still ours to see?
				if (status === 'CLOSED' || status === 'CHANNEL_ERROR') void this.refresh();
			}
		};
		this.#jobChannel = joinJobTopic(client, this.jobId, this.#presenceKey, {
			onMessage: (message) => this.#onMessage(message),
			onPresence: (state) => {
				this.#jobPresence = state;
				this.#updateOthers();
			},
			onStatus
		});
		if (this.view?.access !== 'team' || !viewer.userId) return;
		const name = (await loadDisplayName(this.#supabase, viewer.userId)) ?? 'A team mate';
		if (this.#stopped || this.state !== 'ready') return;
		this.#teamChannel = joinTeamViewers(client, this.jobId, this.#presenceKey, { user_id: viewer.userId, name }, {
			onPresence: (state) => {
				this.#teamPresence = state;
				this.#updateOthers();
			},
			// Closed when this viewer leaves the team; the job's topic says what else changed.
			onStatus: () => {}
		});
	}

	#updateOthers(): void {
		const forTeam = this.view?.access === 'team';
		this.others = otherViewers(this.#jobPresence, forTeam ? this.#teamPresence : null, this.#presenceKey, this.#viewer.userId);
	}

	#onMessage(message: JobTopicMessage): void {
		switch (message.type) {
			case 'job_updated':
				return this.#onJobChange(message.job);
			case 'event_added':
				return this.#onEvent(message.event);
			case 'file_added':
				return this.#onFile(message.file);
			case 'job_deleted':
				return this.#gone();
			case 'access_changed':
				// Who may see it changed (visibility, shares, members): read it again as ourselves.
				return void this.#catchUp();
		}
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
			this.view = { ...this.view, job, access: fresh.access, events, files, queue: isWaiting(job.status) ? fresh.queue : null };
			// No longer in the job's team (but still with the link): team mates' names are not ours to see.
			if (fresh.access !== 'team' && this.#teamChannel) {
				this.#leaveTeam();
				this.#updateOthers();
			}
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
		const file = jobFileSchema.safeParse(row);
		if (!file.success || !this.view) {
			if (this.view) void this.#catchUp();
			return;
		}
		if (this.view.files.some((f) => f.id === file.data.id)) return;
		const files: JobFileMeta[] = [...this.view.files, file.data].sort(byKindAndName);
		this.view = { ...this.view, files };
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
