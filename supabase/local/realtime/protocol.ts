// The Phoenix channel protocol as realtime-js speaks it. vsn 1.0.0 frames are
// JSON objects, vsn 2.0.0 frames are JSON arrays [join_ref, ref, topic, event,
// payload] plus two binary frames for user broadcasts: kind 3 (client push)
// and kind 4 (server broadcast).
import { z } from 'zod';

export type Vsn = '1.0.0' | '2.0.0';

export interface PhoenixMessage {
	joinRef: string | null;
	ref: string | null;
	topic: string;
	event: string;
	payload: unknown;
}

/** A broadcast the client pushed as a kind-3 binary frame. */
export interface BinaryBroadcastPush {
	joinRef: string | null;
	ref: string | null;
	topic: string;
	/** The user's event name (payload.event on the client). */
	userEvent: string;
	encoding: 'json' | 'binary';
	/** The user payload bytes: UTF-8 JSON or raw binary. */
	data: Buffer;
}

export type Incoming = { kind: 'message'; message: PhoenixMessage } | { kind: 'binary-broadcast'; push: BinaryBroadcastPush };

const ref = z.union([z.string(), z.number().transform(String)]).nullable().optional();

const v1Frame = z.object({
	topic: z.string(),
	event: z.string(),
	payload: z.unknown(),
	ref,
	join_ref: ref
});

const v2Frame = z.tuple([ref, ref, z.string(), z.string(), z.unknown()]);

const USER_BROADCAST_PUSH = 3;
const USER_BROADCAST = 4;

/** Decodes one websocket frame; throws on a frame that is not a Phoenix message. */
export function decodeFrame(data: Buffer, isBinary: boolean, vsn: Vsn): Incoming {
	if (isBinary) {
		if (vsn !== '2.0.0') throw new Error('binary frames need vsn 2.0.0');
		return { kind: 'binary-broadcast', push: decodeBinaryPush(data) };
	}
	const json: unknown = JSON.parse(data.toString('utf8'));
	if (vsn === '2.0.0') {
		const [joinRef, ref, topic, event, payload] = v2Frame.parse(json);
		return { kind: 'message', message: { joinRef: joinRef ?? null, ref: ref ?? null, topic, event, payload } };
	}
	const frame = v1Frame.parse(json);
	return {
		kind: 'message',
		message: { joinRef: frame.join_ref ?? null, ref: frame.ref ?? null, topic: frame.topic, event: frame.event, payload: frame.payload }
	};
}

function decodeBinaryPush(data: Buffer): BinaryBroadcastPush {
	if (data.length < 7 || data[0] !== USER_BROADCAST_PUSH) throw new Error('unknown binary frame');
	const lengths = [data[1], data[2], data[3], data[4], data[5]];
	const encoding = data[6];
	let offset = 7;
	const take = (n: number) => {
		if (offset + n > data.length) throw new Error('truncated binary frame');
		const part = data.subarray(offset, offset + n).toString('utf8');
		offset += n;
		return part;
	};
	const joinRef = take(lengths[0]);
	const ref = take(lengths[1]);
	const topic = take(lengths[2]);
	const userEvent = take(lengths[3]);
	take(lengths[4]); // metadata (e.g. persist): nothing here uses it
	return {
		joinRef: joinRef || null,
		ref: ref || null,
		topic,
		userEvent,
		encoding: encoding === 1 ? 'json' : 'binary',
		data: data.subarray(offset)
	};
}

export function encodeMessage(vsn: Vsn, message: PhoenixMessage): string {
	if (vsn === '2.0.0') return JSON.stringify([message.joinRef, message.ref, message.topic, message.event, message.payload]);
	return JSON.stringify({ join_ref: message.joinRef, ref: message.ref, topic: message.topic, event: message.event, payload: message.payload });
}

export function encodeReply(vsn: Vsn, request: PhoenixMessage, status: 'ok' | 'error', response: unknown): string {
	return encodeMessage(vsn, { joinRef: request.joinRef, ref: request.ref, topic: request.topic, event: 'phx_reply', payload: { status, response } });
}

/** A kind-4 frame: a user broadcast as realtime-js 2.x decodes it, with optional JSON metadata (e.g. {id}). */
export function encodeBinaryBroadcast(topic: string, userEvent: string, encoding: 'json' | 'binary', data: Buffer, meta?: Record<string, unknown>): Buffer {
	const topicBytes = Buffer.from(topic, 'utf8');
	const eventBytes = Buffer.from(userEvent, 'utf8');
	const metaBytes = Buffer.from(meta ? JSON.stringify(meta) : '', 'utf8');
	if (topicBytes.length > 255 || eventBytes.length > 255) throw new Error('topic or event longer than 255 bytes');
	if (metaBytes.length > 255) throw new Error('metadata longer than 255 bytes');
	const header = Buffer.from([USER_BROADCAST, topicBytes.length, eventBytes.length, metaBytes.length, encoding === 'json' ? 1 : 0]);
	return Buffer.concat([header, topicBytes, eventBytes, metaBytes, data]);
}
