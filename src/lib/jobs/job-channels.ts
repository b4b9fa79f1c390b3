// A job's live channels: private Realtime topics named after its id
// (supabase/migrations/20261207200300_job_topics.sql), joined by anyone who
// may open the job, and only by them:
// * `job:<id>` carries what the database broadcasts about the job
//   (20261207200400: job_updated, event_added, file_added, job_deleted, and
//   access_changed when access to it changed) and counts its open pages in
//   presence (each page tracks an empty payload);
// * `job:<id>:team` names the team's viewers ({ user_id, name }); only team
//   members can join it.
// Nothing is subscribed through the jobs table: a job outside one's team is
// followed by knowing its id, never by listening to everything.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { PresenceState, TeamViewer } from './presence.ts';

export const jobTopic = (jobId: string): string => `job:${jobId}`;
export const jobTeamTopic = (jobId: string): string => `job:${jobId}:team`;

export type JobTopicMessage =
	| { type: 'job_updated'; job: unknown }
	| { type: 'event_added'; event: unknown }
	| { type: 'file_added'; file: unknown }
	| { type: 'job_deleted' }
	| { type: 'access_changed' };

export type ChannelStatus = 'SUBSCRIBED' | 'TIMED_OUT' | 'CLOSED' | 'CHANNEL_ERROR';

export interface JobTopicHandlers {
	onMessage(message: JobTopicMessage): void;
	onPresence(state: PresenceState): void;
	onStatus(status: ChannelStatus, error?: Error): void;
}

type Payload = { payload?: Record<string, unknown> };

/** Joins `job:<id>` and, once joined, counts this page (key `presenceKey`) among the job's viewers. */
export function joinJobTopic(supabase: SupabaseClient, jobId: string, presenceKey: string, handlers: JobTopicHandlers): RealtimeChannel {
	const channel = supabase
		.channel(jobTopic(jobId), { config: { private: true, presence: { key: presenceKey } } })
		.on('broadcast', { event: 'job_updated' }, (m: Payload) => handlers.onMessage({ type: 'job_updated', job: m.payload?.job }))
		.on('broadcast', { event: 'event_added' }, (m: Payload) => handlers.onMessage({ type: 'event_added', event: m.payload?.event }))
		.on('broadcast', { event: 'file_added' }, (m: Payload) => handlers.onMessage({ type: 'file_added', file: m.payload?.file }))
		.on('broadcast', { event: 'job_deleted' }, () => handlers.onMessage({ type: 'job_deleted' }))
		.on('broadcast', { event: 'access_changed' }, () => handlers.onMessage({ type: 'access_changed' }))
		.on('presence', { event: 'sync' }, () => handlers.onPresence(channel.presenceState() as PresenceState));
	channel.subscribe((status, error) => {
		if (status === 'SUBSCRIBED') void channel.track({});
		handlers.onStatus(status as ChannelStatus, error);
	});
	return channel;
}

/** Joins `job:<id>:team` (members of the job's team only) and, once joined, says who this page is. */
export function joinTeamViewers(
	supabase: SupabaseClient,
	jobId: string,
	presenceKey: string,
	viewer: TeamViewer,
	handlers: Pick<JobTopicHandlers, 'onPresence' | 'onStatus'>
): RealtimeChannel {
	const channel = supabase
		.channel(jobTeamTopic(jobId), { config: { private: true, presence: { key: presenceKey } } })
		.on('presence', { event: 'sync' }, () => handlers.onPresence(channel.presenceState() as PresenceState));
	channel.subscribe((status, error) => {
		if (status === 'SUBSCRIBED') void channel.track(viewer);
		handlers.onStatus(status as ChannelStatus, error);
	});
	return channel;
}
