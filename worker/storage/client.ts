// The Storage API as the worker fleet uses it, with the service role key:
// stream an object in (upload, upsert) or out (download), move, remove, and
// ask whether a key exists. Plain fetch rather than storage-js, whose
// download buffers the whole object: a worker streams files of hundreds of
// MB both ways and keeps its memory flat. Keys are sent as storage-js sends
// them (not percent-encoded; the database only ever makes plain keys).
import { Readable } from 'node:stream';

export const JOB_FILES_BUCKET = 'job-files';

/** A refusal or failure of the Storage API, with Storage's own status and message. */
export class StorageError extends Error {
	readonly status: number;
	/** Storage's logical status (its body's statusCode: "404", "409", ...). */
	readonly statusCode: string;
	constructor(status: number, statusCode: string, message: string) {
		super(message);
		this.name = 'StorageError';
		this.status = status;
		this.statusCode = statusCode;
	}

	get notFound(): boolean {
		return this.statusCode === '404';
	}

	get exists(): boolean {
		return this.statusCode === '409';
	}

	/** A fault worth trying again (Storage or the network, not the request). */
	get transient(): boolean {
		return this.status >= 500 || this.status === 429;
	}
}

export interface StorageClientOptions {
	/** The project's API URL (SUPABASE_URL): the Storage API is at <url>/storage/v1. */
	url: string;
	/** The service role key (SUPABASE_SERVICE_ROLE_KEY): the fleet writes where no user may. */
	serviceRoleKey: string;
	bucket?: string;
	fetch?: typeof fetch;
}

export type UploadBody = Uint8Array | Readable;

async function storageError(response: Response, what: string): Promise<StorageError> {
	const text = await response.text().catch(() => '');
	let statusCode = String(response.status);
	let message = text.slice(0, 500) || response.statusText;
	try {
		const body = JSON.parse(text) as { statusCode?: unknown; message?: unknown; error?: unknown };
		if (typeof body.statusCode === 'string' || typeof body.statusCode === 'number') statusCode = String(body.statusCode);
		if (typeof body.message === 'string') message = body.message;
	} catch {
		// not JSON: keep the text
	}
	return new StorageError(response.status, statusCode, `Storage ${what}: ${message} (${statusCode})`);
}

export class StorageClient {
	readonly bucket: string;
	#base: string;
	#headers: Record<string, string>;
	#fetch: typeof fetch;

	constructor(options: StorageClientOptions) {
		this.bucket = options.bucket ?? JOB_FILES_BUCKET;
		this.#base = `${options.url.replace(/\/+$/, '')}/storage/v1`;
		this.#headers = { apikey: options.serviceRoleKey, authorization: `Bearer ${options.serviceRoleKey}` };
		this.#fetch = options.fetch ?? fetch;
	}

	#objectUrl(route: string, key: string): string {
		return `${this.#base}/object/${route}${this.bucket}/${key}`;
	}

	/** Streams `body` into the object at `key` (replacing it with upsert). */
	async upload(key: string, body: UploadBody, options: { contentType: string; size?: number; upsert?: boolean; signal?: AbortSignal }): Promise<void> {
		const headers: Record<string, string> = {
			...this.#headers,
			'content-type': options.contentType,
			'x-upsert': options.upsert ? 'true' : 'false',
			'cache-control': 'max-age=3600'
		};
		const size = body instanceof Uint8Array ? body.byteLength : options.size;
		if (size !== undefined) headers['content-length'] = String(size);
		const response = await this.#fetch(this.#objectUrl('', key), {
			method: 'POST',
			headers,
			body: body instanceof Uint8Array ? body : (Readable.toWeb(body) as ReadableStream<Uint8Array>),
			signal: options.signal,
			// Node's fetch streams a request body only half-duplex.
			...(body instanceof Uint8Array ? {} : { duplex: 'half' })
		} as RequestInit);
		if (!response.ok) throw await storageError(response, `upload of ${key}`);
		await response.body?.cancel();
	}

	/** The object's bytes as a stream (the response is not buffered). */
	async download(key: string, options: { signal?: AbortSignal } = {}): Promise<Readable> {
		const response = await this.#fetch(this.#objectUrl('authenticated/', key), { headers: this.#headers, signal: options.signal });
		if (!response.ok || !response.body) throw await storageError(response, `download of ${key}`);
		return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
	}

	async exists(key: string): Promise<boolean> {
		const response = await this.#fetch(this.#objectUrl('info/', key), { headers: this.#headers });
		if (response.ok) {
			await response.body?.cancel();
			return true;
		}
		const error = await storageError(response, `info of ${key}`);
		if (error.notFound) return false;
		throw error;
	}

	/** Renames an object (the destination must be free). */
	async move(from: string, to: string): Promise<void> {
		const response = await this.#fetch(`${this.#base}/object/move`, {
			method: 'POST',
			headers: { ...this.#headers, 'content-type': 'application/json' },
			body: JSON.stringify({ bucketId: this.bucket, sourceKey: from, destinationKey: to })
		});
		if (!response.ok) throw await storageError(response, `move of ${from} to ${to}`);
		await response.body?.cancel();
	}

	/** Removes objects (at most 1,000 per call); keys already gone are no error. Returns the keys removed. */
	async remove(keys: string[]): Promise<string[]> {
		if (keys.length === 0) return [];
		const response = await this.#fetch(`${this.#base}/object/${this.bucket}`, {
			method: 'DELETE',
			headers: { ...this.#headers, 'content-type': 'application/json' },
			body: JSON.stringify({ prefixes: keys })
		});
		if (!response.ok) throw await storageError(response, `removal of ${keys.length} object(s)`);
		const removed = (await response.json()) as Array<{ name?: unknown }>;
		return removed.map((r) => String(r.name));
	}
}
