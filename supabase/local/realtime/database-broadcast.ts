// Broadcast from the database: inserts into realtime.messages (realtime.send,
// realtime.broadcast_changes) arrive on the replication stream and go to the
// channels joined to the message's topic with the same privacy, as Supabase
// Realtime delivers them (no check per message: a private channel's read
// access was decided when it joined, and again on a new access token).
//
// Access changes (local addition): a message with event `access_changed`
// makes the server run the read check again, before the message is
// delivered: when its payload names a `user_id`, for every private channel of
// that user (on any topic: their access changed, nobody else's), otherwise
// for every private channel on its topic or a sub-topic of it
// (`<topic>:...`). A channel that lost its read access is closed with a
// system error. Triggers send it when access is taken away (a job made
// private, unshared, a member removed), so delivery ends at once instead of
// at the subscriber's next token refresh.
//
// realtime.messages is partitioned by day: inserts arrive under the name of
// their partition (messages_YYYY_MM_DD), as Supabase's Realtime reads them.
// The janitor creates the partitions ahead and drops those older than three
// days (realtime.local_maintain_messages, supabase/local/bootstrap.sql).
import type pg from 'pg';
import { fanOut, topicKey, type BroadcastMessage, type Topics } from './broadcast.ts';
import type { Channel } from './channel.ts';
import type { MessageSink } from './postgres-changes.ts';
import type { PrivateChannels } from './private-channels.ts';
import type { CommittedTransaction, RowChange } from './replication.ts';

export const MESSAGES_PUBLICATION = 'supabase_realtime_messages_publication';
export const ACCESS_CHANGED = 'access_changed';

const JANITOR_INTERVAL_MS = 60 * 60 * 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DatabaseBroadcastOptions {
	topics: Topics<Channel>;
	privateChannels: PrivateChannels;
	log(message: string): void;
}

interface MessageRow {
	topic: string;
	extension: string;
	event: string | null;
	payload: string | null;
	isPrivate: boolean;
	id: string;
}

export class DatabaseBroadcasts implements MessageSink {
	readonly publication = MESSAGES_PUBLICATION;
	private readonly options: DatabaseBroadcastOptions;

	constructor(options: DatabaseBroadcastOptions) {
		this.options = options;
	}

	owns(change: RowChange): boolean {
		return change.relation.schema === 'realtime' && change.relation.table.startsWith('messages');
	}

	async evaluate(change: RowChange, tx: CommittedTransaction): Promise<Array<() => void>> {
		const row = change.type === 'INSERT' ? this.read(change) : null;
		if (!row || row.extension !== 'broadcast' || row.event === null || row.payload === null) return [];
		const { topic, event, payload, isPrivate, id } = row;
		if (Buffer.byteLength(`realtime:${topic}`) > 255 || Buffer.byteLength(event) > 255) {
			this.options.log(`broadcast from the database: topic or event of message ${id} is longer than 255 bytes; not delivered`);
			return [];
		}
		if (event === ACCESS_CHANGED && isPrivate) await this.recheck(topic, payload, tx.xid);
		const message: BroadcastMessage = { kind: 'binary', event, encoding: 'json', data: Buffer.from(payload, 'utf8'), meta: { id } };
		const key = topicKey(topic, isPrivate);
		// The receivers are those joined when the message's turn comes (commit order).
		return [() => void fanOut(this.options.topics.of(key), message)];
	}

	private read(change: RowChange): MessageRow | null {
		const tuple = change.newTuple;
		if (!tuple) return null;
		const value = (name: string): string | null => {
			const index = change.relation.columns.findIndex((c) => c.name === name);
			const v = index < 0 ? null : tuple[index];
			return typeof v === 'string' ? v : null;
		};
		const topic = value('topic');
		const extension = value('extension');
		const id = value('id');
		if (topic === null || extension === null || id === null) return null;
		return { topic, extension, id, event: value('event'), payload: value('payload'), isPrivate: value('private') === 't' };
	}

	/** The private channels the access change concerns, each checked again (equal topic and claims once). */
	private async recheck(topic: string, payloadJson: string, writerXid: number): Promise<void> {
		let userId: string | null = null;
		try {
			const payload = JSON.parse(payloadJson) as { user_id?: unknown };
			if (typeof payload.user_id === 'string' && UUID.test(payload.user_id)) userId = payload.user_id.toLowerCase();
		} catch {
			// Not JSON: only the topic is re-checked.
		}
		const affected = new Set<Channel>();
		for (const key of this.options.topics.keys()) {
			if (!key.startsWith('private:')) continue;
			const subTopic = key.slice('private:'.length);
			const sameTopic = subTopic === topic || subTopic.startsWith(`${topic}:`);
			if (userId === null && !sameTopic) continue;
			for (const channel of this.options.topics.of(key)) {
				if (userId === null || channel.subject?.toLowerCase() === userId) affected.add(channel);
			}
		}
		// One check per topic and claims, its verdict for each of those channels; the checks of one topic in one call.
		const byTopic = new Map<string, Map<string, Channel[]>>();
		for (const channel of affected) {
			let groups = byTopic.get(channel.subTopic);
			if (!groups) byTopic.set(channel.subTopic, (groups = new Map()));
			const group = groups.get(channel.claimsJson);
			if (group) group.push(channel);
			else groups.set(channel.claimsJson, [channel]);
		}
		await Promise.all(
			[...byTopic].map(async ([subTopic, groups]) => {
				const channelGroups = [...groups.values()];
				const verdicts = await this.options.privateChannels.readPoliciesMany(subTopic, channelGroups.map((g) => g[0].claims), writerXid);
				for (const [i, group] of channelGroups.entries()) for (const channel of group) channel.applyAccessCheck(verdicts[i]);
			})
		);
	}
}

/** Keeps realtime.messages' daily partitions (ahead, and none older than 3 days), now and every hour; returns the stop. */
export function startMessageJanitor(pool: pg.Pool, log: (message: string) => void): () => void {
	const sweep = () => {
		pool.query('select partition, action from realtime.local_maintain_messages()').catch((error: Error) => log(`realtime.messages janitor: ${error.message}`));
	};
	sweep();
	const timer = setInterval(sweep, JANITOR_INTERVAL_MS);
	timer.unref();
	return () => clearInterval(timer);
}
