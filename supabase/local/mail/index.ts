// The mail catcher: an SMTP server that keeps every message it receives, and
// an inbox on its own port (a small page plus a JSON API), like Inbucket in
// `supabase start`. Messages live in memory; the newest 1,000 are kept.
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import type { StackConfig } from '../config.ts';
import { sendEmpty, sendJson, sendText } from '../http.ts';
import { renderInbox, renderMessage } from './pages.ts';

export interface StoredMessage {
	id: string;
	from: string;
	to: string[];
	subject: string;
	date: string;
	text: string;
	html: string | null;
	/** Every header by its lower-case name (Inbucket shows them too): List-Unsubscribe and the like. */
	headers: Record<string, string>;
	size: number;
}

const MAX_MESSAGES = 1000;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const MAX_WAIT_MS = 30_000;

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
	const list = Array.isArray(field) ? field : field ? [field] : [];
	return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase())).filter(Boolean);
}

export class Mailbox {
	private messages: StoredMessage[] = [];
	private readonly events = new EventEmitter();

	constructor() {
		this.events.setMaxListeners(0);
	}

	add(message: StoredMessage): void {
		this.messages.push(message);
		if (this.messages.length > MAX_MESSAGES) this.messages.splice(0, this.messages.length - MAX_MESSAGES);
		this.events.emit('message', message);
	}

	/** Newest first; `to` filters by recipient (case-insensitive). */
	list(to?: string): StoredMessage[] {
		const wanted = to?.toLowerCase();
		return this.messages.filter((m) => !wanted || m.to.includes(wanted)).reverse();
	}

	get(id: string): StoredMessage | undefined {
		return this.messages.find((m) => m.id === id);
	}

	delete(id?: string): boolean {
		if (id === undefined) {
			this.messages = [];
			return true;
		}
		const before = this.messages.length;
		this.messages = this.messages.filter((m) => m.id !== id);
		return this.messages.length < before;
	}

	/** Resolves with the first message to `to` that arrives after `after` (or is already there), or null on timeout. */
	wait(to: string, after: string | null, timeoutMs: number): Promise<StoredMessage | null> {
		const wanted = to.toLowerCase();
		const afterIndex = after ? this.messages.findIndex((m) => m.id === after) : -1;
		const existing = this.messages.slice(afterIndex + 1).find((m) => m.to.includes(wanted));
		if (existing) return Promise.resolve(existing);
		return new Promise((resolve) => {
			const onMessage = (m: StoredMessage) => {
				if (!m.to.includes(wanted)) return;
				clearTimeout(timer);
				this.events.off('message', onMessage);
				resolve(m);
			};
			const timer = setTimeout(() => {
				this.events.off('message', onMessage);
				resolve(null);
			}, timeoutMs);
			this.events.on('message', onMessage);
		});
	}
}

function summary(m: StoredMessage) {
	return { id: m.id, from: m.from, to: m.to, subject: m.subject, date: m.date, size: m.size };
}

function createInboxServer(mailbox: Mailbox): http.Server {
	return http.createServer(async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://inbox');
		const parts = url.pathname.split('/').filter(Boolean);
		const method = req.method ?? 'GET';
		res.setHeader('Access-Control-Allow-Origin', '*');
		if (parts[0] === 'api' && parts[1] === 'messages') {
			const id = parts[2];
			if (method === 'GET' && id === 'wait') {
				const to = url.searchParams.get('to');
				if (!to) return sendJson(res, 400, { message: 'Give the recipient as ?to=<email>' });
				const timeout = Math.min(Number(url.searchParams.get('timeout') ?? 10_000) || 10_000, MAX_WAIT_MS);
				const message = await mailbox.wait(to, url.searchParams.get('after'), timeout);
				return message ? sendJson(res, 200, message) : sendJson(res, 408, { message: `No message to ${to} within ${timeout} ms` });
			}
			if (method === 'GET' && !id) return sendJson(res, 200, mailbox.list(url.searchParams.get('to') ?? undefined).map(summary));
			if (method === 'GET' && id) {
				const message = mailbox.get(id);
				return message ? sendJson(res, 200, message) : sendJson(res, 404, { message: `No message ${id}` });
			}
			if (method === 'DELETE') {
				return mailbox.delete(id) ? sendEmpty(res, 204) : sendJson(res, 404, { message: `No message ${id}` });
			}
			return sendJson(res, 405, { message: `${method} is not supported here` });
		}
		if (method === 'GET' && parts.length === 0) return sendText(res, 200, renderInbox(mailbox.list(url.searchParams.get('to') ?? undefined)), 'text/html; charset=utf-8');
		if (method === 'GET' && parts[0] === 'messages' && parts[1]) {
			const message = mailbox.get(parts[1]);
			if (message) return sendText(res, 200, renderMessage(message), 'text/html; charset=utf-8');
		}
		sendJson(res, 404, { message: 'Not found' });
	});
}

function createSmtpServer(mailbox: Mailbox, log: (m: string) => void): SMTPServer {
	return new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		size: MAX_MESSAGE_BYTES,
		logger: false,
		closeTimeout: 1000,
		onData(stream, session, callback) {
			simpleParser(stream)
				.then((parsed) => {
					const envelopeTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
					const to = [...new Set([...envelopeTo, ...addresses(parsed.to), ...addresses(parsed.cc)])];
					const text = parsed.text ?? '';
					const html = typeof parsed.html === 'string' ? parsed.html : null;
					mailbox.add({
						id: randomUUID(),
						from: parsed.from?.text ?? (session.envelope.mailFrom ? session.envelope.mailFrom.address : ''),
						to,
						subject: parsed.subject ?? '',
						date: (parsed.date ?? new Date()).toISOString(),
						text,
						html,
						headers: Object.fromEntries(parsed.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()])),
						size: text.length + (html?.length ?? 0)
					});
					callback();
				})
				.catch((error: unknown) => {
					log(`could not parse a message: ${error instanceof Error ? error.message : error}`);
					callback(error instanceof Error ? error : new Error(String(error)));
				});
		}
	});
}

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; once(e: 'error', cb: (e: Error) => void): unknown }, port: number, host: string, what: string): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', (error: NodeJS.ErrnoException) =>
			reject(error.code === 'EADDRINUSE' ? new Error(`${what} port ${port} is in use`) : error)
		);
		server.listen(port, host, () => resolve());
	});
}

export async function startMail(config: StackConfig, log: (message: string) => void = () => {}): Promise<{ mailbox: Mailbox; close(): Promise<void> }> {
	const mailbox = new Mailbox();
	const smtp = createSmtpServer(mailbox, log);
	const inbox = createInboxServer(mailbox);
	await listen(smtp, config.smtpPort, config.host, 'SMTP');
	try {
		await listen(inbox, config.mailWebPort, config.host, 'Mail inbox');
	} catch (error) {
		await new Promise<void>((resolve) => smtp.close(() => resolve()));
		throw error;
	}
	return {
		mailbox,
		async close() {
			await new Promise<void>((resolve) => smtp.close(() => resolve()));
			await new Promise<void>((resolve) => {
				inbox.close(() => resolve());
				inbox.closeAllConnections();
			});
		}
	};
}
