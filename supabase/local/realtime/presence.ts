// Presence as Phoenix.Presence keeps it: per topic, each key holds the metas
// of the channels that track it; every meta carries its phx_ref. Changes are
// announced as presence_diff {joins, leaves}; a joining channel gets the whole
// state as presence_state.
import { randomBytes } from 'node:crypto';

export interface PresenceMeta {
	phx_ref: string;
	phx_ref_prev?: string;
	[field: string]: unknown;
}

export type PresenceState = Record<string, { metas: PresenceMeta[] }>;

export interface PresenceDiff {
	joins: PresenceState;
	leaves: PresenceState;
}

interface Entry {
	key: string;
	meta: PresenceMeta;
}

function newRef(): string {
	return randomBytes(12).toString('base64url');
}

/** The presences of one topic, each owned by one channel (an object identity). */
export class TopicPresence {
	private readonly byOwner = new Map<object, Entry>();

	get size(): number {
		return this.byOwner.size;
	}

	/** Tracks (or updates) the owner's presence under `key`. */
	track(owner: object, key: string, payload: Record<string, unknown>): PresenceDiff {
		const previous = this.byOwner.get(owner);
		const meta: PresenceMeta = { ...payload, phx_ref: newRef() };
		const diff: PresenceDiff = { joins: {}, leaves: {} };
		if (previous) {
			meta.phx_ref_prev = previous.meta.phx_ref;
			diff.leaves[previous.key] = { metas: [previous.meta] };
		}
		this.byOwner.set(owner, { key, meta });
		diff.joins[key] = { metas: [meta] };
		return diff;
	}

	/** Removes the owner's presence; null when it had none. */
	untrack(owner: object): PresenceDiff | null {
		const entry = this.byOwner.get(owner);
		if (!entry) return null;
		this.byOwner.delete(owner);
		return { joins: {}, leaves: { [entry.key]: { metas: [entry.meta] } } };
	}

	state(): PresenceState {
		const state: PresenceState = {};
		for (const { key, meta } of this.byOwner.values()) (state[key] ??= { metas: [] }).metas.push(meta);
		return state;
	}
}
