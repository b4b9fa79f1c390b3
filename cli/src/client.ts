// The typed TypeScript client of the Foldwork API: one method per route of
// the contract (src/lib/api/contract.ts, compiled in beside this file), every
// request checked and every response parsed with the contract's zod schemas,
// so a server that drifts from the contract is an error here, not a wrong
// value later. 429s are retried after the server's Retry-After.
import type { z } from 'zod';
import {
	apiErrorSchema,
	apiRoute,
	deleteResponseSchema,
	estimateRequestSchema,
	estimateResponseSchema,
	filesResponseSchema,
	jobResponseSchema,
	listJobsQuerySchema,
	listJobsResponseSchema,
	submitRequestSchema,
	submitResponseSchema,
	tokenInfoResponseSchema,
	toolsResponseSchema,
	uploadsRequestSchema,
	uploadsResponseSchema,
	waitRequestSchema,
	waitResponseSchema,
	exportJsonSchema,
	type ApiRoute,
	type EstimateRequest,
	type ListJobsQuery,
	type SubmitRequest,
	type WaitRequest
} from '../../src/lib/api/contract.ts';

export * from '../../src/lib/api/contract.ts';

export const DEFAULT_API_URL = 'http://127.0.0.1:54321/functions/v1/api';

export interface ClientOptions {
	/** The API's base URL, `${SUPABASE_URL}/functions/v1/api`. */
	baseUrl: string;
	/** A personal access token, fwp_… */
	token: string;
	/** How many times a 429 is retried (default 5). */
	maxRetries?: number;
	/** Longest wait for one Retry-After, in seconds (default 60). */
	maxRetryAfterSeconds?: number;
	/** Told about every HTTP request made (the CLI's --trace). */
	onRequest?: (event: RequestEvent) => void;
	fetch?: typeof fetch;
}

export interface RequestEvent {
	method: string;
	url: string;
	status: number | null;
	ms: number;
}

/** The API refused the request: its status, code and message (what to fix). */
export class ApiRequestError extends Error {
	readonly status: number;
	readonly code: string;
	readonly issues: Array<{ path: string; message: string }>;
	constructor(status: number, code: string, message: string, issues: Array<{ path: string; message: string }> = []) {
		super(message);
		this.name = 'ApiRequestError';
		this.status = status;
		this.code = code;
		this.issues = issues;
	}
}

/** The API could not be reached, or answered something that is not the contract. */
export class ApiUnavailableError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'ApiUnavailableError';
	}
}

function retryAfterSeconds(header: string | null): number {
	if (!header) return 1;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, seconds);
	const at = Date.parse(header);
	return Number.isNaN(at) ? 1 : Math.max(0, (at - Date.now()) / 1000);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FoldworkClient {
	readonly baseUrl: string;
	#token: string;
	#options: ClientOptions;
	#fetch: typeof fetch;
	/** HTTP requests made so far (retries included). */
	requestCount = 0;

	constructor(options: ClientOptions) {
		this.baseUrl = options.baseUrl.replace(/\/+$/, '');
		this.#token = options.token;
		this.#options = options;
		this.#fetch = options.fetch ?? fetch;
	}

	/** fetch, counted and traced; network failures become ApiUnavailableError. */
	async rawFetch(url: string, init: RequestInit = {}): Promise<Response> {
		const started = Date.now();
		this.requestCount++;
		const method = init.method ?? 'GET';
		try {
			const response = await this.#fetch(url, init);
			this.#options.onRequest?.({ method, url, status: response.status, ms: Date.now() - started });
			return response;
		} catch (error) {
			this.#options.onRequest?.({ method, url, status: null, ms: Date.now() - started });
			throw new ApiUnavailableError(`Could not reach ${new URL(url).origin}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
		}
	}

	async #send(route: ApiRoute, options: { params?: Record<string, string>; query?: Record<string, string | number | undefined>; body?: unknown } = {}): Promise<Response> {
		let path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(options.params?.[name] ?? ''));
		const query = new URLSearchParams();
		for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) query.set(key, String(value));
		if (query.size > 0) path += `?${query}`;
		const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
		if (options.body !== undefined) headers['content-type'] = 'application/json';
		const body = options.body === undefined ? undefined : JSON.stringify(options.body);
		const maxRetries = this.#options.maxRetries ?? 5;
		for (let attempt = 0; ; attempt++) {
			const response = await this.rawFetch(`${this.baseUrl}${path}`, { method: route.method, headers, body });
			if (response.status === 429 && attempt < maxRetries) {
				await response.body?.cancel();
				await sleep(Math.min(retryAfterSeconds(response.headers.get('retry-after')), this.#options.maxRetryAfterSeconds ?? 60) * 1000);
				continue;
			}
			if (!response.ok) throw await this.#errorOf(response);
			return response;
		}
	}

	async #errorOf(response: Response): Promise<Error> {
		const text = await response.text();
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		const parsed = apiErrorSchema.safeParse(json);
		if (parsed.success) return new ApiRequestError(response.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.issues);
		if (response.status >= 500 || response.status === 404) {
			return new ApiUnavailableError(`The API answered ${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''} (is ${this.baseUrl} the API's URL?)`);
		}
		return new ApiRequestError(response.status, 'unknown', text.slice(0, 500) || response.statusText);
	}

	async #json<S extends z.ZodType>(schema: S, response: Response): Promise<z.output<S>> {
		const json: unknown = await response.json().catch(() => undefined);
		const parsed = schema.safeParse(json);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			throw new ApiUnavailableError(`The API's answer does not match the contract (${issue.path.join('.') || 'body'}: ${issue.message}); is the CLI out of date?`);
		}
		return parsed.data;
	}

	async #call<S extends z.ZodType>(routeId: string, schema: S, options: Parameters<FoldworkClient['send']>[1] = {}): Promise<z.output<S>> {
		return this.#json(schema, await this.#send(apiRoute(routeId), options));
	}

	/** Sends a request to a route by id (for what the typed methods do not cover). */
	send(routeId: string, options: { params?: Record<string, string>; query?: Record<string, string | number | undefined>; body?: unknown } = {}): Promise<Response> {
		return this.#send(apiRoute(routeId), options);
	}

	token() {
		return this.#call('getToken', tokenInfoResponseSchema);
	}

	tools() {
		return this.#call('listTools', toolsResponseSchema);
	}

	estimate(request: EstimateRequest) {
		return this.#call('estimate', estimateResponseSchema, { body: estimateRequestSchema.parse(request) });
	}

	/** One job, or a batch of up to MAX_BATCH_JOBS in one transaction. */
	submit(request: SubmitRequest) {
		return this.#call('submitJobs', submitResponseSchema, { body: submitRequestSchema.parse(request) });
	}

	listJobs(query: ListJobsQuery = {}) {
		return this.#call('listJobs', listJobsResponseSchema, { query: listJobsQuerySchema.parse(query) });
	}

	getJob(id: string) {
		return this.#call('getJob', jobResponseSchema, { params: { id } });
	}

	/** Long-polls until one of the jobs changed since the given updated_at values (or timeout_s passed). */
	wait(request: WaitRequest) {
		return this.#call('waitJobs', waitResponseSchema, { body: waitRequestSchema.parse(request) });
	}

	cancel(id: string) {
		return this.#call('cancelJob', jobResponseSchema, { params: { id } });
	}

	retry(id: string) {
		return this.#call('retryJob', jobResponseSchema, { params: { id } });
	}

	deleteJob(id: string) {
		return this.#call('deleteJob', deleteResponseSchema, { params: { id } });
	}

	files(id: string) {
		return this.#call('listJobFiles', filesResponseSchema, { params: { id } });
	}

	exportJson(id: string) {
		return this.#call('exportJob', exportJsonSchema, { params: { id }, query: { format: 'json' } });
	}

	async exportCsv(id: string): Promise<string> {
		return (await this.#send(apiRoute('exportJob'), { params: { id }, query: { format: 'csv' } })).text();
	}

	createUploads(request: z.input<typeof uploadsRequestSchema>) {
		return this.#call('createUploads', uploadsResponseSchema, { body: uploadsRequestSchema.parse(request) });
	}

	/** Downloads a signed URL's bytes (a job file). */
	async download(url: string): Promise<Uint8Array> {
		const response = await this.rawFetch(url);
		if (!response.ok) throw new ApiUnavailableError(`Downloading ${new URL(url).pathname} failed: ${response.status} ${response.statusText}`);
		return new Uint8Array(await response.arrayBuffer());
	}
}
