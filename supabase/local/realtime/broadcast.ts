// Broadcast: which channels listen on which topic, and fan-out of one
// message to them. A message is encoded once per protocol version, as a
// websocket frame whose bytes every receiver shares, not once per receiver.
// Public and private channels of one name are separate topics.
import { websocketFrame } from './outbox.ts';
import { encodeBinaryBroadcast, encodeMessage, type Vsn } from './protocol.ts';

/** A broadcast as it travels between channels. */
export type BroadcastMessage =
	/** JSON pushes, REST messages: the full {type: "broadcast", event, payload} object. */
	| { kind: 'json'; event: string; body: Record<string, unknown> }
	/**
	 * Binary pushes of vsn 2.0.0 clients and broadcasts from the database: the user
	 * payload bytes, JSON or binary, and (from the database) the message's meta, {id}.
	 */
	| { kind: 'binary'; event: string; encoding: 'json' | 'binary'; data: Buffer; meta?: Record<string, unknown> };

export interface BroadcastReceiver {
	readonly topic: string;
	readonly vsn: Vsn;
	/** False on a private channel whose user may not read broadcasts. */
	readonly canReadBroadcast: boolean;
	/** Sends a ready-made websocket frame (the same bytes go to many receivers). */
	sendEncoded(frame: Buffer): void;
}

export function topicKey(subTopic: string, isPrivate: boolean): string {
	return `${isPrivate ? 'private' : 'public'}:${subTopic}`;
}

export class Topics<T> {
	private readonly members = new Map<string, Set<T>>();

	add(key: string, member: T): void {
		let set = this.members.get(key);
		if (!set) this.members.set(key, (set = new Set()));
		set.add(member);
	}

	remove(key: string, member: T): void {
		const set = this.members.get(key);
		if (!set) return;
		set.delete(member);
		if (set.size === 0) this.members.delete(key);
	}

	of(key: string): ReadonlySet<T> {
		return this.members.get(key) ?? new Set();
	}

	/** Every topic key with at least one member. */
	keys(): IterableIterator<string> {
		return this.members.keys();
	}
}

function encodeFor(vsn: Vsn, topic: string, message: BroadcastMessage): string | Buffer | null {
	if (message.kind === 'json') return encodeMessage(vsn, { joinRef: null, ref: null, topic, event: 'broadcast', payload: message.body });
	if (vsn === '2.0.0') return encodeBinaryBroadcast(topic, message.event, message.encoding, message.data, message.meta);
	// vsn 1.0.0 cannot carry binary payloads; JSON ones are decoded for it.
	if (message.encoding === 'binary') return null;
	let payload: unknown;
	try {
		payload = JSON.parse(message.data.toString('utf8'));
	} catch {
		return null;
	}
	const body = { type: 'broadcast', event: message.event, payload, ...(message.meta ? { meta: message.meta } : {}) };
	return encodeMessage(vsn, { joinRef: null, ref: null, topic, event: 'broadcast', payload: body });
}

/** Sends a broadcast to every receiver that may read it, except `sender` when given. */
export function fanOut(receivers: Iterable<BroadcastReceiver>, message: BroadcastMessage, sender?: BroadcastReceiver): number {
	// The receivers of a topic share its name, so this holds one or two entries (the protocol versions).
	const frames: Array<{ vsn: Vsn; topic: string; frame: Buffer | null }> = [];
	let sent = 0;
	for (const receiver of receivers) {
		if (receiver === sender || !receiver.canReadBroadcast) continue;
		let entry = frames.find((f) => f.vsn === receiver.vsn && f.topic === receiver.topic);
		if (!entry) {
			const encoded = encodeFor(receiver.vsn, receiver.topic, message);
			entry = { vsn: receiver.vsn, topic: receiver.topic, frame: encoded === null ? null : websocketFrame(encoded) };
			frames.push(entry);
		}
		if (entry.frame === null) continue;
		receiver.sendEncoded(entry.frame);
		sent++;
	}
	return sent;
}
