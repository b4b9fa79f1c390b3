// One joined channel of one connection: Realtime's RealtimeChannel. It checks
// the access token (and re-checks it on `access_token` pushes and at expiry),
// authorizes private channels, subscribes to postgres_changes, and handles
// broadcast and presence pushes.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { fanOut, topicKey, type BroadcastMessage, type BroadcastReceiver, type Topics } from './broadcast.ts';
import type { Flusher } from './outbox.ts';
import type { ChangeParams, ChangeSubscriber, PostgresChanges } from './postgres-changes.ts';
import type { PresenceDiff, TopicPresence } from './presence.ts';
import type { PrivateChannels, ReadPolicies } from './private-channels.ts';
import type { BinaryBroadcastPush, PhoenixMessage, Vsn } from './protocol.ts';
import { checkToken } from './tokens.ts';
import type { JwtKeys } from '../jwt.ts';

/** What a channel needs from the server. */
export interface Hub {
	/** The project's JWT secret and signing keys. */
	jwtKeys: JwtKeys;
	log(message: string): void;
	topics: Topics<Channel>;
	presenceOf(key: string): TopicPresence;
	dropPresence(key: string): void;
	changes: PostgresChanges;
	privateChannels: PrivateChannels;
	/** Writes the connections' outboxes (./outbox.ts). */
	flusher: Flusher;
}

/** What a channel needs from its connection. */
export interface ChannelConnection {
	readonly vsn: Vsn;
	/** The token the socket connected with (the API key's JWT). */
	readonly token: string | null;
	send(message: PhoenixMessage): void;
	sendFrame(frame: string | Buffer): void;
	sendEncoded(frame: Buffer): void;
	forget(channel: Channel): void;
}

const changeParams = z.looseObject({
	event: z.string(),
	schema: z.string(),
	table: z.string().optional(),
	filter: z.string().optional()
});

const joinPayload = z.looseObject({
	config: z
		.looseObject({
			broadcast: z.looseObject({ self: z.boolean().optional(), ack: z.boolean().optional() }).optional(),
			presence: z.looseObject({ key: z.string().optional(), enabled: z.boolean().optional() }).optional(),
			postgres_changes: z.array(changeParams.nullable()).optional(),
			private: z.boolean().optional()
		})
		.optional(),
	access_token: z.string().nullable().optional(),
	user_token: z.string().nullable().optional()
});

const broadcastPush = z.looseObject({ type: z.literal('broadcast').optional(), event: z.string(), payload: z.unknown().optional() });
const presencePush = z.looseObject({ type: z.literal('presence').optional(), event: z.enum(['track', 'untrack']), payload: z.unknown().optional() });
const accessTokenPush = z.looseObject({ access_token: z.string().nullable().optional() });

/** Realtime answers a postgres_changes entry with an integer id derived from its params (equal params, equal id). */
function idOf(params: Record<string, unknown>): number {
	const canonical = JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
	return createHash('sha1').update(canonical).digest().readUInt32BE(0) >>> 5;
}

const MAX_TIMER_MS = 60 * 60 * 1000;

export class Channel implements ChangeSubscriber, BroadcastReceiver {
	readonly topic: string;
	readonly subTopic: string;
	readonly joinRef: string | null;
	private readonly conn: ChannelConnection;
	private readonly hub: Hub;
	private isPrivate = false;
	private selfBroadcast = false;
	private ackBroadcast = false;
	private presenceEnabled = false;
	private presenceKey = '';
	private key = '';
	private token: string | null = null;
	private expiryTimer: NodeJS.Timeout | null = null;
	private policies: ReadPolicies | null = null;
	private canWrite: { broadcast?: boolean; presence?: boolean } = {};
	private changeEntries: Array<{ id: number; params: ChangeParams }> = [];
	private joined = false;
	private closed = false;
	claims: Record<string, unknown> & { role: string } = { role: 'anon' };
	claimsJson = '{}';

	constructor(conn: ChannelConnection, hub: Hub, topic: string, joinRef: string | null) {
		this.conn = conn;
		this.hub = hub;
		this.topic = topic;
		this.subTopic = topic.replace(/^realtime:/, '');
		this.joinRef = joinRef;
	}

	get vsn(): Vsn {
		return this.conn.vsn;
	}

	/** The JWT subject the channel acts for (null for the anon and service keys). */
	get subject(): string | null {
		return typeof this.claims.sub === 'string' ? this.claims.sub : null;
	}

	get canReadBroadcast(): boolean {
		return this.joined && (!this.isPrivate || this.policies?.broadcast === true);
	}

	private get canReadPresence(): boolean {
		return this.joined && (!this.isPrivate || this.policies?.presence === true);
	}

	sendEncoded(frame: Buffer): void {
		if (!this.closed) this.conn.sendEncoded(frame);
	}

	private push(event: string, payload: unknown, ref: string | null = null): void {
		if (!this.closed) this.conn.send({ joinRef: this.joinRef, ref, topic: this.topic, event, payload });
	}

	private reply(request: PhoenixMessage, status: 'ok' | 'error', response: unknown): void {
		if (!this.closed) this.conn.send({ joinRef: this.joinRef, ref: request.ref, topic: this.topic, event: 'phx_reply', payload: { status, response } });
	}

	sendChange(ids: number[], dataJson: string): void {
		if (this.closed) return;
		// The change's JSON is shared by every subscriber: splice it in rather than re-encoding it per channel.
		const payload = `{"ids":${JSON.stringify(ids)},"data":${dataJson}}`;
		const frame =
			this.conn.vsn === '2.0.0'
				? `[${JSON.stringify(this.joinRef)},null,${JSON.stringify(this.topic)},"postgres_changes",${payload}]`
				: `{"join_ref":${JSON.stringify(this.joinRef)},"ref":null,"topic":${JSON.stringify(this.topic)},"event":"postgres_changes","payload":${payload}}`;
		this.conn.sendFrame(frame);
	}

	sendSystem(status: 'ok' | 'error', message: string, extension = 'postgres_changes'): void {
		this.push('system', { extension, status, message, channel: this.subTopic });
	}

	private setToken(token: string, claims: Record<string, unknown> & { role: string; exp: number }): void {
		this.token = token;
		this.claims = claims;
		this.claimsJson = JSON.stringify(claims);
		this.scheduleExpiry(claims.exp);
	}

	/** Ends the channel when its token expires, with the message Realtime sends. */
	private scheduleExpiry(exp: number): void {
		if (this.expiryTimer) clearTimeout(this.expiryTimer);
		const delay = Math.min(MAX_TIMER_MS, Math.max(0, exp * 1000 - Date.now()));
		this.expiryTimer = setTimeout(() => {
			this.expiryTimer = null;
			const check = checkToken(this.token, this.hub.jwtKeys);
			if (check.ok) this.scheduleExpiry(check.claims.exp);
			else this.shutdown(check.message);
		}, delay);
		this.expiryTimer.unref();
	}

	/** Realtime's shutdown_response: a system error, then the channel closes. */
	shutdown(message: string): void {
		if (this.closed) return;
		this.sendSystem('error', message, 'system');
		this.push('phx_close', {});
		this.close();
	}

	async join(request: PhoenixMessage): Promise<void> {
		const parsed = joinPayload.safeParse(request.payload ?? {});
		if (!parsed.success) this.hub.log(`join ${this.topic}: invalid join payload: ${parsed.error.message}`);
		const join = parsed.success ? parsed.data : {};
		const config = join.config ?? {};
		this.isPrivate = config.private === true;
		this.selfBroadcast = config.broadcast?.self === true;
		this.ackBroadcast = config.broadcast?.ack === true;
		this.presenceEnabled = config.presence?.enabled === true;
		this.presenceKey = config.presence?.key || randomUUID();
		this.key = topicKey(this.subTopic, this.isPrivate);

		const refuse = (reason: string) => {
			this.reply(request, 'error', { reason });
			this.close();
		};
		if (this.subTopic === '') return refuse('TopicNameRequired: You must provide a topic name');
		const given = join.access_token ?? join.user_token ?? null;
		const token = given && !given.startsWith('sb_') ? given : this.conn.token;
		const check = checkToken(token, this.hub.jwtKeys);
		if (!check.ok) return refuse(`${check.code}: ${check.message}`);
		this.setToken(token ?? '', check.claims);

		if (this.isPrivate) {
			this.policies = await this.hub.privateChannels.readPolicies(this.subTopic, this.claims);
			if (this.closed) return;
			if (!this.policies.broadcast && !this.policies.presence) {
				return refuse(`Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`);
			}
		}

		this.changeEntries = (config.postgres_changes ?? [])
			.filter((p): p is z.infer<typeof changeParams> => p !== null)
			.map((params) => ({ id: idOf(params), params }));
		// Subscriptions are in place before the reply, so a SUBSCRIBED client misses nothing once the stream is up.
		const changesError = await this.hub.changes.subscribe(this, this.changeEntries);
		if (this.closed) {
			this.hub.changes.unsubscribe(this);
			return;
		}
		this.hub.topics.add(this.key, this);
		this.joined = true;
		this.reply(request, 'ok', { postgres_changes: this.changeEntries.map(({ id, params }) => ({ ...params, id })) });
		if (changesError) this.sendSystem('error', changesError);
		else if (this.changeEntries.length > 0 && this.hub.changes.ready) this.sendSystem('ok', 'Subscribed to PostgreSQL');
		if (this.presenceEnabled && this.canReadPresence) this.push('presence_state', this.hub.presenceOf(this.key).state());
	}

	async handle(message: PhoenixMessage): Promise<void> {
		if (this.closed) return;
		switch (message.event) {
			case 'phx_leave':
				this.reply(message, 'ok', {});
				this.close();
				return;
			case 'access_token':
				return this.refreshToken(message);
			case 'broadcast': {
				const push = broadcastPush.safeParse(message.payload);
				if (!push.success) return;
				return this.broadcast(message.ref, { kind: 'json', event: push.data.event, body: { ...push.data, type: 'broadcast' } });
			}
			case 'presence':
				return this.presence(message);
			default:
				this.hub.log(`channel ${this.topic}: unexpected message ${message.event}`);
		}
	}

	async handleBinaryBroadcast(push: BinaryBroadcastPush): Promise<void> {
		if (this.closed) return;
		return this.broadcast(push.ref, { kind: 'binary', event: push.userEvent, encoding: push.encoding, data: Buffer.from(push.data) });
	}

	private async broadcast(ref: string | null, message: BroadcastMessage): Promise<void> {
		if (this.isPrivate) {
			this.canWrite.broadcast ??= await this.hub.privateChannels.canWrite(this.subTopic, this.claims, 'broadcast');
			if (!this.canWrite.broadcast || this.closed) return;
		}
		fanOut(this.hub.topics.of(this.key), message, this.selfBroadcast ? undefined : this);
		if (this.ackBroadcast && ref !== null) this.conn.send({ joinRef: this.joinRef, ref, topic: this.topic, event: 'phx_reply', payload: { status: 'ok', response: {} } });
	}

	private announce(diff: PresenceDiff): void {
		for (const member of this.hub.topics.of(this.key)) if (member.canReadPresence) member.push('presence_diff', diff);
	}

	private async presence(message: PhoenixMessage): Promise<void> {
		const push = presencePush.safeParse(message.payload);
		if (!push.success) return this.reply(message, 'error', { reason: 'Presence track payload must be a map' });
		if (this.isPrivate) {
			this.canWrite.presence ??= await this.hub.privateChannels.canWrite(this.subTopic, this.claims, 'presence');
			if (this.closed) return;
			if (!this.canWrite.presence) return this.reply(message, 'error', {});
		}
		const presence = this.hub.presenceOf(this.key);
		if (push.data.event === 'untrack') {
			const diff = presence.untrack(this);
			this.reply(message, 'ok', {});
			if (diff) this.announce(diff);
			return;
		}
		const payload = push.data.payload ?? {};
		if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
			return this.reply(message, 'error', { reason: 'Presence track payload must be a map' });
		}
		const wasEnabled = this.presenceEnabled;
		this.presenceEnabled = true;
		const diff = presence.track(this, this.presenceKey, payload as Record<string, unknown>);
		this.reply(message, 'ok', {});
		// A track can be what enables presence: the tracker then needs the state it never got.
		if (!wasEnabled && this.canReadPresence) this.push('presence_state', presence.state());
		this.announce(diff);
	}

	private async refreshToken(message: PhoenixMessage): Promise<void> {
		const parsed = accessTokenPush.safeParse(message.payload);
		const token = parsed.success ? parsed.data.access_token : null;
		if (!token || token.startsWith('sb_') || token === this.token) return;
		const check = checkToken(token, this.hub.jwtKeys);
		if (!check.ok) return this.shutdown(check.message);
		const previous = this.policies;
		this.setToken(token, check.claims);
		this.canWrite = {};
		if (this.isPrivate) {
			const policies = await this.hub.privateChannels.readPolicies(this.subTopic, this.claims);
			if (this.closed) return;
			this.policies = policies;
			if ((previous?.broadcast && !policies.broadcast) || (previous?.presence && !policies.presence)) {
				return this.shutdown(`You no longer have permission to read from this Channel topic: ${this.subTopic}`);
			}
		}
		if (this.changeEntries.length > 0) {
			// Re-created with the new claims: filters are checked against the new role's privileges.
			const error = await this.hub.changes.subscribe(this, this.changeEntries);
			if (this.closed) {
				this.hub.changes.unsubscribe(this);
				return;
			}
			if (error) this.sendSystem('error', error);
			else if (this.hub.changes.ready) this.sendSystem('ok', 'Subscribed to PostgreSQL');
		}
	}

	/**
	 * Applies the join-time read check run again after an access change: a
	 * channel that lost a read it had is closed with a system error, as after a
	 * new access token. Write checks are forgotten, so the next send or track is
	 * checked again.
	 */
	applyAccessCheck(policies: ReadPolicies): void {
		if (!this.isPrivate || !this.joined || this.closed) return;
		const previous = this.policies;
		this.policies = policies;
		this.canWrite = {};
		if ((previous?.broadcast && !policies.broadcast) || (previous?.presence && !policies.presence)) {
			this.shutdown(`You no longer have permission to read from this Channel topic: ${this.subTopic}`);
		}
	}

	/** Releases everything the channel holds: subscriptions, presence, timers. */
	close(): void {
		if (this.closed) return;
		this.closed = true;
		if (this.expiryTimer) clearTimeout(this.expiryTimer);
		this.expiryTimer = null;
		this.hub.changes.unsubscribe(this);
		if (this.joined) {
			this.hub.topics.remove(this.key, this);
			const presence = this.hub.presenceOf(this.key);
			const diff = presence.untrack(this);
			if (diff) this.announce(diff);
			if (presence.size === 0) this.hub.dropPresence(this.key);
		}
		this.joined = false;
		this.conn.forget(this);
	}
}
