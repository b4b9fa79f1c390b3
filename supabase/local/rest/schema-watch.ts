// Keeps the schema cache current: LISTEN pgrst on a dedicated connection
// (reconnecting when it drops), reload on 'reload schema', and a refresh a
// request can await after a cache miss, so DDL committed just before the
// request is seen even if its notification has not arrived yet.
import pg from 'pg';
import { loadSchemaCache, type SchemaCache } from './schema-cache.ts';

export interface SchemaWatch {
	current(): SchemaCache;
	/**
	 * Reloads unless a reload that started after `since` (ms epoch) already
	 * finished or is running; resolves with the fresh cache.
	 */
	refresh(since: number): Promise<SchemaCache>;
	close(): Promise<void>;
}

export interface SchemaWatchOptions {
	connectionString: string;
	pool: pg.Pool;
	schemas: string[];
	log(message: string): void;
}

export async function startSchemaWatch(options: SchemaWatchOptions): Promise<SchemaWatch> {
	let closed = false;
	let cache: SchemaCache;
	let reloading: { startedAt: number; promise: Promise<SchemaCache> } | null = null;

	const load = async (): Promise<SchemaCache> => {
		const client = await options.pool.connect();
		try {
			return await loadSchemaCache(client, options.schemas);
		} finally {
			client.release();
		}
	};

	const reload = (): Promise<SchemaCache> => {
		const startedAt = Date.now();
		const promise = load().then(
			(fresh) => {
				// A later reload may have finished first; keep the newest.
				if (!cache || fresh.loadedAt >= cache.loadedAt) cache = fresh;
				return cache;
			},
			(error: unknown) => {
				options.log(`schema cache reload failed: ${error instanceof Error ? error.message : String(error)}`);
				return cache;
			}
		);
		const entry = { startedAt, promise };
		reloading = entry;
		void promise.finally(() => {
			if (reloading === entry) reloading = null;
		});
		return promise;
	};

	cache = await load();

	let listener: pg.Client | null = null;
	let retryTimer: NodeJS.Timeout | null = null;
	const connectListener = async (): Promise<void> => {
		if (closed) return;
		const client = new pg.Client({ connectionString: options.connectionString });
		client.on('error', () => {});
		client.on('end', () => {
			if (listener === client) listener = null;
			if (!closed) scheduleReconnect();
		});
		client.on('notification', (msg) => {
			if (msg.channel !== 'pgrst') return;
			const payload = (msg.payload ?? '').trim();
			// The cache holds the in-database configuration too (role settings), so both reload it.
			if (payload === '' || payload === 'reload schema' || payload === 'reload config') void reload();
		});
		try {
			await client.connect();
			await client.query('listen pgrst');
			if (closed) {
				await client.end().catch(() => {});
				return;
			}
			listener = client;
			// Changes made while we were not listening.
			void reload();
		} catch (error) {
			options.log(`schema listener: ${error instanceof Error ? error.message : String(error)}`);
			await client.end().catch(() => {});
		}
	};
	const scheduleReconnect = () => {
		if (closed || retryTimer) return;
		retryTimer = setTimeout(() => {
			retryTimer = null;
			void connectListener();
		}, 500);
		retryTimer.unref();
	};
	await connectListener();

	return {
		current: () => cache,
		refresh(since: number) {
			if (reloading && reloading.startedAt >= since) return reloading.promise;
			if (cache.loadedAt >= since) return Promise.resolve(cache);
			return reload();
		},
		async close() {
			closed = true;
			if (retryTimer) clearTimeout(retryTimer);
			const l = listener;
			listener = null;
			if (l) await l.end().catch(() => {});
			if (reloading) await reloading.promise.catch(() => {});
		}
	};
}
