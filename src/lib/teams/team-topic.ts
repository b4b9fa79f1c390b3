// A team's live channel: its private Realtime topic `team:<id>`
// (supabase/migrations/20261208100000_team_topics.sql), which only the team's
// members can join and only the database writes to (20261208100100). It
// carries every change the team's pages show: jobs added, updated and
// deleted (the list fields), files added, the balance, roster and share
// changes. One channel per team serves the whole page (the header's balance,
// the jobs list, a tool's History, the files and credits pages, the team
// page and the share dialog each follow it); it is left when the last of
// them stops. A change is fanned out to the members' channels as it is,
// instead of being checked against each subscriber's RLS as postgres_changes
// does, so a thousand people online cost the database what ten do.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';

export const teamTopic = (teamId: string): string => `team:${teamId}`;

const shareSchema = z.object({ id: z.uuid(), job_id: z.uuid(), email: z.string(), user_id: z.uuid().nullable(), created_at: z.string() });

/** Each event as the database sends it; anything else on the topic is ignored. */
const messageSchema = z.discriminatedUnion('type', [
	z.object({ type: z.literal('job_added'), job: z.looseObject({ id: z.uuid(), tool_id: z.string() }) }),
	z.object({ type: z.literal('job_updated'), job: z.looseObject({ id: z.uuid(), tool_id: z.string() }) }),
	z.object({ type: z.literal('job_deleted'), job_id: z.uuid(), tool_id: z.string() }),
	z.object({ type: z.literal('file_added'), file: z.looseObject({ id: z.uuid(), job_id: z.uuid() }) }),
	z.object({ type: z.literal('credits_changed'), balance: z.number() }),
	z.object({ type: z.literal('roster_changed') }),
	z.object({
		type: z.literal('share_changed'),
		operation: z.enum(['INSERT', 'UPDATE', 'DELETE']),
		share: z.union([shareSchema, z.object({ id: z.uuid(), job_id: z.uuid() })])
	}),
	z.object({ type: z.literal('access_changed') })
]);

export type TeamTopicMessage = z.infer<typeof messageSchema>;

export type TeamTopicStatus = 'connecting' | 'live' | 'offline';

export interface TeamTopicFollower {
	onMessage?(message: TeamTopicMessage): void;
	onStatus?(status: TeamTopicStatus): void;
	/**
	 * The channel joined again after it was down (a lost connection): what
	 * changed meanwhile was not delivered, so read it again.
	 */
	onResync?(): void;
	/** The server closed the channel: this user is no longer a member of the team (or the session ended). */
	onRevoked?(): void;
}

interface Shared {
	followers: Set<TeamTopicFollower>;
	status: TeamTopicStatus;
	wasLive: boolean;
	client: SupabaseClient | null;
	channel: RealtimeChannel | null;
	/** True once this page itself removed the channel (its CLOSED is not the server's). */
	leaving: boolean;
}

const teams = new Map<string, Shared>();

function setStatus(shared: Shared, status: TeamTopicStatus): void {
	shared.status = status;
	for (const f of shared.followers) f.onStatus?.(status);
}

/** How long after the server closed the channel it is joined again, once (a refreshed token may have what the old one lost). */
const REJOIN_AFTER_CLOSE_MS = 1_000;

function join(teamId: string, shared: Shared, client: SupabaseClient): void {
	shared.client = client;
	const channel = client.channel(teamTopic(teamId), { config: { private: true } }).on('broadcast', { event: '*' }, (message: { event?: string; payload?: unknown }) => {
		const parsed = messageSchema.safeParse({ ...(message.payload as object), type: message.event });
		if (!parsed.success) return;
		for (const f of [...shared.followers]) f.onMessage?.(parsed.data);
	});
	shared.channel = channel;
	const revoked = () => {
		setStatus(shared, 'offline');
		for (const f of [...shared.followers]) f.onRevoked?.();
	};
	channel.subscribe((status, error) => {
		if (shared.leaving || shared.channel !== channel) return;
		if (status === 'SUBSCRIBED') {
			const resync = shared.wasLive;
			shared.wasLive = true;
			setStatus(shared, 'live');
			if (resync) for (const f of [...shared.followers]) f.onResync?.();
		} else if (status === 'CLOSED') {
			// Closed by the server: access was taken away (or the token ended). supabase-js does not join
			// again; this does, once, a moment later.
			revoked();
			setTimeout(() => {
				if (!shared.leaving && shared.channel === channel && shared.followers.size > 0) join(teamId, shared, client);
			}, REJOIN_AFTER_CLOSE_MS);
		} else if (error?.message.startsWith('Unauthorized')) {
			// Refused (not a member): supabase-js would ask again every few seconds; nothing will change that.
			shared.channel = null;
			void client.removeChannel(channel);
			revoked();
		} else {
			// CHANNEL_ERROR, TIMED_OUT (the connection): supabase-js joins again by itself.
			setStatus(shared, 'offline');
		}
	});
}

/**
 * Follows the team's topic once `ready` gives the client whose token
 * Realtime checks (realtimeClient(): the signed-in user; the anonymous key is
 * refused); returns the stop. Followers of one team share one channel.
 */
export function followTeam(ready: Promise<SupabaseClient>, teamId: string, follower: TeamTopicFollower): () => void {
	let shared = teams.get(teamId);
	if (!shared) {
		const created: Shared = { followers: new Set(), status: 'connecting', wasLive: false, client: null, channel: null, leaving: false };
		teams.set(teamId, created);
		shared = created;
		void ready.then((client) => {
			if (teams.get(teamId) === created && created.followers.size > 0) join(teamId, created, client);
		});
	}
	shared.followers.add(follower);
	follower.onStatus?.(shared.status);
	const mine = shared;
	return () => {
		if (!mine.followers.delete(follower) || mine.followers.size > 0) return;
		teams.delete(teamId);
		mine.leaving = true;
		if (mine.channel) void mine.client?.removeChannel(mine.channel);
	};
}
