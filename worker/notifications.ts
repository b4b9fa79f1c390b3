// A dedicated LISTEN connection: new pending jobs, jobs queued for a class,
// cancellations. It reconnects (with growing pauses) after the database
// restarts or the connection is killed, and a ping notices a connection
// that died silently. Notifications sent while it was down are lost, so
// every (re)connect calls onReconnect for a catch-up pass.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from './log.ts';
import { describeError } from './log.ts';

export interface NotificationListenerOptions {
	databaseUrl: string;
	applicationName: string;
	channels: string[];
	onNotification(channel: string, payload: string): void;
	onReconnect(): void;
	log: Logger;
	pingMs?: number;
}

export class NotificationListener {
	#options: NotificationListenerOptions;
	#client: pg.Client | null = null;
	#stopped = false;
	#connecting: Promise<void> | null = null;
	#ping: NodeJS.Timeout | null = null;
	#retry = new AbortController();
	#failures = 0;

	constructor(options: NotificationListenerOptions) {
		this.#options = options;
	}

	/** Resolves once listening (retrying until it can, unless stopped). */
	async start(): Promise<void> {
		await this.#connectUntilListening();
		const pingMs = this.#options.pingMs ?? 10_000;
		this.#ping = setInterval(() => void this.#checkAlive(), pingMs);
		this.#ping.unref();
	}

	#connectUntilListening(): Promise<void> {
		this.#connecting ??= (async () => {
			while (!this.#stopped) {
				try {
					await this.#connect();
					this.#failures = 0;
					return;
				} catch (error) {
					this.#failures += 1;
					const wait = Math.min(5_000, 100 * 2 ** Math.min(this.#failures - 1, 10));
					this.#options.log.warn(`LISTEN connection failed (${describeError(error)}); retrying in ${wait} ms`);
					await sleep(wait, undefined, { signal: this.#retry.signal }).catch(() => {});
				}
			}
		})().finally(() => {
			this.#connecting = null;
		});
		return this.#connecting;
	}

	async #connect(): Promise<void> {
		const client = new pg.Client({
			connectionString: this.#options.databaseUrl,
			application_name: this.#options.applicationName,
			keepAlive: true,
			connectionTimeoutMillis: 5_000
		});
		client.on('error', (error) => this.#lost(client, error));
		client.on('end', () => this.#lost(client, new Error('connection ended')));
		client.on('notification', (message) => {
			if (message.payload !== undefined) this.#options.onNotification(message.channel, message.payload);
		});
		try {
			await client.connect();
			for (const channel of this.#options.channels) await client.query(`listen ${client.escapeIdentifier(channel)}`);
		} catch (error) {
			client.removeAllListeners('end');
			await client.end().catch(() => {});
			throw error;
		}
		this.#client = client;
		this.#options.onReconnect();
	}

	#lost(client: pg.Client, error: unknown): void {
		if (this.#client !== client) return;
		this.#client = null;
		client.end().catch(() => {});
		if (this.#stopped) return;
		this.#options.log.warn(`LISTEN connection lost (${describeError(error)}); reconnecting`);
		void this.#connectUntilListening();
	}

	async #checkAlive(): Promise<void> {
		const client = this.#client;
		if (!client || this.#stopped) return;
		const timeout = AbortSignal.timeout(5_000);
		try {
			await Promise.race([
				client.query('select 1'),
				new Promise((_, reject) => timeout.addEventListener('abort', () => reject(new Error('ping timed out'))))
			]);
		} catch (error) {
			this.#lost(client, error);
		}
	}

	async stop(): Promise<void> {
		this.#stopped = true;
		this.#retry.abort();
		if (this.#ping) clearInterval(this.#ping);
		await this.#connecting;
		const client = this.#client;
		this.#client = null;
		await client?.end().catch(() => {});
	}
}
