// The local Realtime server at /realtime/v1: Supabase Realtime's websocket
// (Phoenix channels: postgres_changes checked against each subscriber's RLS,
// broadcast, broadcast from the database, presence, private channels) and its
// REST broadcast endpoints.
import type { IncomingMessage } from 'node:http';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import type { StackContext, StackService } from '../context.ts';
import type { ApiRequest, UpgradeRequest } from '../gateway.ts';
import { HttpError, parseJsonBody, readBody, sendEmpty } from '../http.ts';
import { Authorizer } from './authorizer.ts';
import { fanOut, topicKey, Topics, type BroadcastMessage } from './broadcast.ts';
import type { Channel, Hub } from './channel.ts';
import { Connection } from './connection.ts';
import { DatabaseBroadcasts, startMessageJanitor } from './database-broadcast.ts';
import { Flusher } from './outbox.ts';
import { PostgresChanges } from './postgres-changes.ts';
import { TopicPresence } from './presence.ts';
import { PrivateChannels } from './private-channels.ts';
import type { Vsn } from './protocol.ts';
import { checkToken } from './tokens.ts';
import { TypeCatalog } from './values.ts';

/** Phoenix closes a socket that sent nothing (not even a heartbeat) for this long. */
const IDLE_TIMEOUT_MS = 90_000;
const MAX_FRAME_BYTES = 3 * 1024 * 1024;

const restMessages = z.object({
	messages: z
		.array(
			z.object({
				topic: z.string().min(1),
				event: z.string().min(1),
				payload: z.unknown().optional(),
				private: z.boolean().optional()
			})
		)
		.min(1)
});

function rejectUpgrade(request: UpgradeRequest, status: number, text: string, body: unknown): void {
	const json = JSON.stringify(body);
	request.socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`);
}

export async function createRealtimeService(ctx: StackContext): Promise<StackService> {
	const log = (message: string) => ctx.log('realtime', message);
	const applicationName = `foldwork realtime :${ctx.config.apiPort}`;
	const authorizer = new Authorizer(ctx.authenticatorUrl, applicationName, log);
	const catalog = new TypeCatalog(ctx.adminPool);
	const topics = new Topics<Channel>();
	const privateChannels = new PrivateChannels(ctx.adminPool, log);
	const messages = new DatabaseBroadcasts({ topics, privateChannels, log });
	const changes = new PostgresChanges({ databaseUrl: ctx.config.databaseUrl, adminPool: ctx.adminPool, authorizer, catalog, applicationName, log, messages });
	const stopJanitor = startMessageJanitor(ctx.adminPool, log);
	const presence = new Map<string, TopicPresence>();
	const hub: Hub = {
		jwtKeys: ctx.config.jwtKeys,
		log,
		topics,
		presenceOf(key) {
			let p = presence.get(key);
			if (!p) presence.set(key, (p = new TopicPresence()));
			return p;
		},
		dropPresence(key) {
			if (presence.get(key)?.size === 0) presence.delete(key);
		},
		changes,
		privateChannels,
		flusher: new Flusher()
	};

	const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
	const connections = new Set<Connection>();
	const sweep = setInterval(() => {
		const cutoff = Date.now() - IDLE_TIMEOUT_MS;
		for (const c of connections) if (c.lastSeen < cutoff) c.terminate();
	}, 15_000);
	sweep.unref();

	/** Delivers REST broadcasts the caller may send (private topics: per the realtime.messages policies). */
	const broadcastFromRest = async (token: string | null, items: Array<{ topic: string; event: string; payload: BroadcastMessage; isPrivate: boolean }>) => {
		const check = checkToken(token, ctx.config.jwtKeys);
		if (!check.ok) throw new HttpError(401, { message: `${check.code}: ${check.message}` });
		for (const item of items) {
			if (item.isPrivate && !(await hub.privateChannels.canWrite(item.topic, check.claims, 'broadcast'))) continue;
			fanOut(hub.topics.of(topicKey(item.topic, item.isPrivate)), item.payload);
		}
	};

	return {
		prefix: '/realtime/v1',

		async handle(request: ApiRequest) {
			const { req, res, path, url } = request;
			if (req.method === 'POST' && path === '/api/broadcast') {
				let body: unknown;
				const text = (await readBody(req)).toString('utf8');
				try {
					body = parseJsonBody(text || 'null');
				} catch (error) {
					throw new HttpError(400, { message: `Could not parse request body as JSON: ${(error as Error).message}` });
				}
				const parsed = restMessages.safeParse(body);
				if (!parsed.success) throw new HttpError(422, { errors: { messages: [z.prettifyError(parsed.error)] } });
				await broadcastFromRest(
					request.token,
					parsed.data.messages.map((m) => ({
						topic: m.topic,
						event: m.event,
						isPrivate: m.private === true,
						payload: { kind: 'json', event: m.event, body: { type: 'broadcast', event: m.event, payload: m.payload ?? {} } }
					}))
				);
				sendEmpty(res, 202, { 'Content-Length': '0' });
				return;
			}
			// httpSend(): POST /api/broadcast/<topic>/events/<event>[?private=true]
			const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
			if (req.method === 'POST' && single) {
				const topic = decodeURIComponent(single[1]);
				const event = decodeURIComponent(single[2]);
				const raw = await readBody(req);
				const isJson = !(req.headers['content-type'] ?? '').startsWith('application/octet-stream');
				let payload: BroadcastMessage;
				if (isJson) {
					let value: unknown;
					try {
						value = parseJsonBody(raw.toString('utf8'));
					} catch (error) {
						throw new HttpError(400, { message: `Could not parse request body as JSON: ${(error as Error).message}` });
					}
					payload = { kind: 'json', event, body: { type: 'broadcast', event, payload: value } };
				} else {
					payload = { kind: 'binary', event, encoding: 'binary', data: raw };
				}
				await broadcastFromRest(request.token, [{ topic, event, payload, isPrivate: url.searchParams.get('private') === 'true' }]);
				sendEmpty(res, 202, { 'Content-Length': '0' });
				return;
			}
			throw new HttpError(404, { message: 'Not found' });
		},

		upgrade(request: UpgradeRequest) {
			if (request.path !== '/websocket' && request.path !== '/websocket/') {
				rejectUpgrade(request, 404, 'Not Found', { message: 'Not found' });
				return;
			}
			const vsnParam = request.url.searchParams.get('vsn') ?? '1.0.0';
			if (vsnParam !== '1.0.0' && vsnParam !== '2.0.0') {
				rejectUpgrade(request, 400, 'Bad Request', { message: `Unsupported serializer version: ${vsnParam}` });
				return;
			}
			const token = request.url.searchParams.get('access_token') ?? request.token;
			const check = checkToken(token, ctx.config.jwtKeys);
			if (!check.ok) {
				rejectUpgrade(request, 403, 'Forbidden', { message: `${check.code}: ${check.message}` });
				return;
			}
			wss.handleUpgrade(request.req as IncomingMessage, request.socket, request.head, (ws) => {
				const connection = new Connection(ws, vsnParam as Vsn, token, hub);
				connections.add(connection);
				ws.on('close', () => connections.delete(connection));
			});
		},

		async close() {
			clearInterval(sweep);
			stopJanitor();
			hub.flusher.drain();
			for (const c of connections) c.close();
			connections.clear();
			await new Promise<void>((resolve) => wss.close(() => resolve()));
			await changes.close();
			await authorizer.close();
		}
	};
}
