// The public HTTP API (issue 22): every request and response as a zod
// schema, and the route table. This file is the one source: the `api` edge
// function parses requests with it, the OpenAPI document is generated from it
// (openapi.ts), and the typed client and CLI (cli/) parse every response with
// it. It imports nothing but zod and uses only erasable TypeScript, so the app,
// Deno (by relative path, as supabase/functions/_shared/emails.ts is shared)
// and the CLI's tsc build all read it as it is.
//
// Base URL: `${SUPABASE_URL}/functions/v1/api`; every path below is relative
// to it. Auth: `Authorization: Bearer fwp_…` (a personal access token, made on
// /app/settings/tokens). The token's team bounds every call; its scope is
// `read` (GET routes and estimates) or `write` (everything).
import { z } from 'zod';

/** What a personal access token looks like: `fwp_` and 32 random bytes, base64url (43 characters). */
export const TOKEN_PATTERN = /^fwp_[A-Za-z0-9_-]{43}$/;
export const TOKEN_PREFIX = 'fwp_';
/** Most jobs in one `POST /v1/jobs` batch (one transaction). */
export const MAX_BATCH_JOBS = 1000;
/** Most jobs one `POST /v1/jobs/wait` watches. */
export const MAX_WAIT_IDS = 1000;
/** Longest long-poll of `POST /v1/jobs/wait`, in seconds (under the gateways' idle limits). */
export const MAX_WAIT_SECONDS = 25;
/** Most files one `POST /v1/uploads` call prepares. */
export const MAX_UPLOADS = 100;
export const MAX_LIST_LIMIT = 200;

// The job statuses in the database's order; tests/unit/api-contract.test.ts
// checks that they equal src/lib/jobs/status.ts (this file cannot import it:
// it must stay zod-only for Deno and the CLI).
export const API_JOB_STATUSES = ['pending', 'queued', 'processing', 'retry', 'completed', 'failed', 'cancelled', 'timeout'] as const;
export const API_TERMINAL_STATUSES: readonly string[] = ['completed', 'failed', 'cancelled', 'timeout'];

const uuid = z.uuid();
const timestamp = z.string().describe('ISO 8601 timestamp');
const jsonObject = z.record(z.string(), z.unknown());

export const jobStatusSchema = z.enum(API_JOB_STATUSES).describe('The job life cycle: pending → queued → processing → completed | failed | timeout; cancelled by a person; retry after a transient fault.');
export type ApiJobStatus = z.infer<typeof jobStatusSchema>;
export const tokenScopeSchema = z.enum(['read', 'write']);
export type TokenScope = z.infer<typeof tokenScopeSchema>;

// ---------------------------------------------------------------- errors

export const API_ERROR_CODES = {
	invalid_request: 400,
	not_authenticated: 401,
	token_expired: 401,
	token_revoked: 401,
	forbidden: 403,
	read_only_token: 403,
	not_found: 404,
	conflict: 409,
	insufficient_credits: 409,
	invalid_input: 422,
	rate_limited: 429,
	server_error: 500
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export const apiIssueSchema = z.object({ path: z.string(), message: z.string() });
/** Every error: `{ "error": { "code", "message" } }`, the message saying what to fix. */
export const apiErrorSchema = z.object({
	error: z.object({
		code: z.string().describe(`One of ${Object.keys(API_ERROR_CODES).join(', ')} (more may come)`),
		message: z.string().describe('What was wrong and what to do about it, for a person'),
		issues: z.array(apiIssueSchema).optional().describe('Each problem in the request body, with where it is'),
		retry_after_s: z.number().optional().describe('With rate_limited: seconds to wait (also in the Retry-After header)')
	})
});
export type ApiError = z.infer<typeof apiErrorSchema>;

// ---------------------------------------------------------------- resources

export const toolSchema = z.object({
	id: z.string().describe('The tool id used in requests, e.g. protein-properties'),
	name: z.string(),
	category: z.string(),
	description: z.string(),
	compute_class: z.enum(['cpu', 'gpu']),
	input_kind: z.enum(['sequences', 'structures', 'molecules']),
	items_field: z.string().describe("The top-level key of the tool's input that holds its records, e.g. sequences"),
	pricing: z.object({
		kind: z.enum(['free', 'flat', 'per_input', 'per_structure', 'calculator']),
		credits: z.number().int().nullable().optional(),
		unit: z.string().nullable().optional(),
		description: z.string().nullable().optional()
	}),
	time_limit_seconds: z.number().int(),
	max_input_bytes: z.number().int(),
	max_items: z.number().int(),
	enabled: z.boolean()
});
export type ApiTool = z.infer<typeof toolSchema>;

/** A job as lists and waits show it (no input, settings or result). */
export const jobSummarySchema = z.looseObject({
	id: uuid,
	team_id: uuid,
	tool_id: z.string(),
	name: z.string(),
	status: jobStatusSchema,
	progress: z.number().describe('0 to 100'),
	progress_message: z.string().nullable(),
	error_code: z.string().nullable().optional(),
	error_message: z.string().nullable().optional().describe('Why a failed job failed, for a person'),
	credits_charged: z.number().int(),
	credits_refunded: z.number().int().nullable().optional(),
	created_at: timestamp,
	started_at: timestamp.nullable().optional(),
	finished_at: timestamp.nullable().optional(),
	updated_at: timestamp.describe('Changes with every change of the job: the token of POST /v1/jobs/wait')
});
export type ApiJobSummary = z.infer<typeof jobSummarySchema>;

/** A whole job (get_job's `job`): the summary plus input, settings and result. */
export const jobSchema = jobSummarySchema.extend({
	visibility: z.enum(['private', 'authenticated', 'invited', 'public']),
	attempt: z.number().int(),
	submitted_by: uuid.nullable().optional(),
	retry_of: uuid.nullable().optional(),
	duplicated_from: uuid.nullable().optional(),
	queued_at: timestamp.nullable().optional(),
	input: z.unknown().optional().describe("The tool's input JSON as submitted (large texts as {\"$file\": name})"),
	settings: jsonObject.optional().describe("The tool's settings, defaults filled in"),
	result: z.unknown().nullable().optional().describe('The result JSON: a `table` (columns and rows) and whatever else the tool reports')
});
export type ApiJob = z.infer<typeof jobSchema>;

export const jobFileSchema = z.object({
	id: uuid,
	name: z.string(),
	kind: z.string().describe('input or output'),
	media_type: z.string(),
	size_bytes: z.number().int(),
	sha256: z.string().nullable(),
	url: z.string().nullable().describe('A short-lived signed download URL (null while the bytes are not in Storage)'),
	expires_at: timestamp.nullable()
});
export type ApiJobFile = z.infer<typeof jobFileSchema>;

// ---------------------------------------------------------------- requests

export const estimateRequestSchema = z.strictObject({
	tool: z.string().min(1).describe('Tool id (GET /v1/tools)'),
	input: jsonObject.describe("The tool's input JSON, e.g. {\"sequences\": [{\"id\": \"p1\", \"sequence\": \"MKT…\"}]}"),
	settings: jsonObject.optional().describe("The tool's settings; omitted ones take their defaults")
});
export type EstimateRequest = z.infer<typeof estimateRequestSchema>;

export const estimateResponseSchema = z.looseObject({
	tool_id: z.string(),
	team_id: uuid,
	credits: z.number().int().describe('What submitting would charge'),
	balance: z.number().int().describe("The token's team's balance now"),
	sufficient: z.boolean(),
	can_run: z.boolean().describe('False for a team viewer'),
	breakdown: z.unknown().optional()
});
export type EstimateResponse = z.infer<typeof estimateResponseSchema>;

/** An input text uploaded beforehand (POST /v1/uploads), named where the input has {"$file": name}. */
export const submittedFileSchema = z.strictObject({
	name: z.string().min(1).max(200),
	path: z.string().min(1).describe('The path POST /v1/uploads gave'),
	sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits')
});

export const newJobSchema = z.strictObject({
	tool: z.string().min(1).describe('Tool id (GET /v1/tools)'),
	input: jsonObject.describe("The tool's input JSON; a large text may be {\"$file\": name} of a file in `files`"),
	settings: jsonObject.optional(),
	name: z.string().trim().min(1).max(200).optional().describe('Defaults to a name made from the tool and the input'),
	files: z.array(submittedFileSchema).max(MAX_UPLOADS).optional()
});
export type NewJob = z.infer<typeof newJobSchema>;

export const submitBatchSchema = z.strictObject({
	jobs: z.array(newJobSchema).min(1, 'give at least one job').max(MAX_BATCH_JOBS, `at most ${MAX_BATCH_JOBS} jobs per request`)
});
/** One job, or a batch submitted in one transaction (all or none). */
export const submitRequestSchema = z.union([submitBatchSchema, newJobSchema]);
export type SubmitRequest = z.infer<typeof submitRequestSchema>;

export const submitResponseSchema = z.object({
	jobs: z.array(jobSummarySchema).describe('The new jobs, in the order they were given'),
	credits_charged: z.number().int().describe('The whole charge of the request')
});
export type SubmitResponse = z.infer<typeof submitResponseSchema>;

export const listJobsQuerySchema = z.strictObject({
	status: jobStatusSchema.optional(),
	tool: z.string().optional(),
	limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe(`1 to ${MAX_LIST_LIMIT}, default 50`),
	cursor: z.string().optional().describe("The previous page's next_cursor")
});
export type ListJobsQuery = z.infer<typeof listJobsQuerySchema>;

export const listJobsResponseSchema = z.object({
	jobs: z.array(jobSummarySchema).describe('Newest first'),
	next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last')
});
export type ListJobsResponse = z.infer<typeof listJobsResponseSchema>;

export const jobIdParamsSchema = z.object({ id: uuid.describe('Job id') });

export const jobResponseSchema = z.object({ job: jobSchema });
export type JobResponse = z.infer<typeof jobResponseSchema>;

export const waitRequestSchema = z.strictObject({
	ids: z.array(uuid).min(1, 'give at least one job id').max(MAX_WAIT_IDS, `at most ${MAX_WAIT_IDS} job ids per request`),
	since: z.record(z.string(), timestamp).optional().describe('For each id, the updated_at you have; an id without one counts as changed'),
	timeout_s: z.number().min(0).max(MAX_WAIT_SECONDS).optional().describe(`How long to wait for a change, at most ${MAX_WAIT_SECONDS} (the default)`)
});
export type WaitRequest = z.infer<typeof waitRequestSchema>;

export const waitResponseSchema = z.object({
	jobs: z.array(jobSummarySchema).describe('The jobs whose updated_at differs from `since`, as soon as there is one; empty when the wait timed out'),
	missing: z.array(uuid).optional().describe('Ids not found (deleted, another team, or never existed)')
});
export type WaitResponse = z.infer<typeof waitResponseSchema>;

export const deleteResponseSchema = z.object({ deleted: z.literal(true), id: uuid });

export const filesResponseSchema = z.object({ files: z.array(jobFileSchema) });
export type FilesResponse = z.infer<typeof filesResponseSchema>;

export const exportQuerySchema = z.strictObject({ format: z.enum(['csv', 'json']).optional().describe('Default json') });
/** The JSON export (as the job menu's): the job, its settings with defaults, and its result. */
export const exportJsonSchema = jsonObject;

export const uploadsRequestSchema = z.strictObject({
	files: z
		.array(z.strictObject({ name: z.string().min(1).max(200), media_type: z.string().max(200).optional() }))
		.min(1, 'give at least one file')
		.max(MAX_UPLOADS, `at most ${MAX_UPLOADS} files per request`)
});
export const uploadsResponseSchema = z.object({
	uploads: z.array(
		z.object({
			name: z.string(),
			path: z.string().describe('Give this as the file path in POST /v1/jobs'),
			url: z.string().describe('PUT the bytes here (a signed upload URL, valid for 2 hours)')
		})
	)
});
export type UploadsResponse = z.infer<typeof uploadsResponseSchema>;

export const toolsResponseSchema = z.object({ tools: z.array(toolSchema) });
export type ToolsResponse = z.infer<typeof toolsResponseSchema>;

export const tokenInfoResponseSchema = z.object({
	token: z.object({
		name: z.string(),
		prefix: z.string().describe('The first characters of the token, to tell tokens apart'),
		scope: tokenScopeSchema,
		team_id: uuid,
		team_name: z.string().optional(),
		expires_at: timestamp.nullable()
	})
});
export type TokenInfoResponse = z.infer<typeof tokenInfoResponseSchema>;

// ---------------------------------------------------------------- routes

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface ApiRoute {
	/** Unique, for OpenAPI's operationId and the client's method names. */
	id: string;
	method: HttpMethod;
	/** Relative to the base URL; path parameters as {name}. */
	path: string;
	summary: string;
	description?: string;
	/** The least token scope the route needs. */
	scope: TokenScope;
	params?: z.ZodObject;
	query?: z.ZodObject;
	request?: z.ZodType;
	response: z.ZodType;
	/** Answers text/csv instead of JSON when the query asks for format=csv. */
	csv?: boolean;
	/** Default 200. */
	status?: 200 | 201;
	errors: number[];
}

const COMMON_ERRORS = [401, 429];

export const apiRoutes: readonly ApiRoute[] = [
	{
		id: 'getToken',
		method: 'GET',
		path: '/v1/token',
		summary: 'The calling token',
		description: 'Its name, scope, team and expiry: what `foldwork login` checks.',
		scope: 'read',
		response: tokenInfoResponseSchema,
		errors: COMMON_ERRORS
	},
	{
		id: 'listTools',
		method: 'GET',
		path: '/v1/tools',
		summary: 'List the tools',
		scope: 'read',
		response: toolsResponseSchema,
		errors: COMMON_ERRORS
	},
	{
		id: 'estimate',
		method: 'POST',
		path: '/v1/estimate',
		summary: 'What a job would cost',
		description: "The database prices the input by the tool's rule (estimate_job_cost) and says whether the team's balance covers it. A read token may estimate.",
		scope: 'read',
		request: estimateRequestSchema,
		response: estimateResponseSchema,
		errors: [400, ...COMMON_ERRORS, 404, 422]
	},
	{
		id: 'createUploads',
		method: 'POST',
		path: '/v1/uploads',
		summary: 'Prepare uploads of large input texts',
		description: 'For inputs over 1 MiB: put {"$file": name} where the text was, PUT the text to the returned URL, then submit with files: [{name, path, sha256}].',
		scope: 'write',
		request: uploadsRequestSchema,
		response: uploadsResponseSchema,
		errors: [400, ...COMMON_ERRORS, 403]
	},
	{
		id: 'submitJobs',
		method: 'POST',
		path: '/v1/jobs',
		summary: 'Submit one job or a batch',
		description: `One job ({tool, input, …}) or up to ${MAX_BATCH_JOBS} ({jobs: […]}) in one transaction: all are created and charged, or none (the error names the job, as jobs[i]).`,
		scope: 'write',
		request: submitRequestSchema,
		response: submitResponseSchema,
		status: 201,
		errors: [400, ...COMMON_ERRORS, 403, 404, 409, 422]
	},
	{
		id: 'listJobs',
		method: 'GET',
		path: '/v1/jobs',
		summary: "List the team's jobs",
		scope: 'read',
		query: listJobsQuerySchema,
		response: listJobsResponseSchema,
		errors: [400, ...COMMON_ERRORS]
	},
	{
		id: 'waitJobs',
		method: 'POST',
		path: '/v1/jobs/wait',
		summary: 'Wait for jobs to change (long-poll)',
		description: `Answers as soon as one of the jobs changed since the updated_at you give (at once when one already has), or after timeout_s (at most ${MAX_WAIT_SECONDS}) with no jobs. Watch many jobs with one request; loop with the new updated_at values.`,
		scope: 'read',
		request: waitRequestSchema,
		response: waitResponseSchema,
		errors: [400, ...COMMON_ERRORS]
	},
	{
		id: 'getJob',
		method: 'GET',
		path: '/v1/jobs/{id}',
		summary: 'Get a job',
		scope: 'read',
		params: jobIdParamsSchema,
		response: jobResponseSchema,
		errors: [400, ...COMMON_ERRORS, 404]
	},
	{
		id: 'deleteJob',
		method: 'DELETE',
		path: '/v1/jobs/{id}',
		summary: 'Delete a job and its files',
		scope: 'write',
		params: jobIdParamsSchema,
		response: deleteResponseSchema,
		errors: [400, ...COMMON_ERRORS, 403, 404, 409]
	},
	{
		id: 'cancelJob',
		method: 'POST',
		path: '/v1/jobs/{id}/cancel',
		summary: 'Cancel a job',
		description: 'Refunds a job that had not started.',
		scope: 'write',
		params: jobIdParamsSchema,
		response: jobResponseSchema,
		errors: [400, ...COMMON_ERRORS, 403, 404, 409]
	},
	{
		id: 'retryJob',
		method: 'POST',
		path: '/v1/jobs/{id}/retry',
		summary: 'Run a failed, timed-out or cancelled job again',
		description: 'Creates and charges a new job; the response is the new job.',
		scope: 'write',
		params: jobIdParamsSchema,
		response: jobResponseSchema,
		status: 201,
		errors: [400, ...COMMON_ERRORS, 403, 404, 409]
	},
	{
		id: 'listJobFiles',
		method: 'GET',
		path: '/v1/jobs/{id}/files',
		summary: "A job's files with download URLs",
		scope: 'read',
		params: jobIdParamsSchema,
		response: filesResponseSchema,
		errors: [400, ...COMMON_ERRORS, 404]
	},
	{
		id: 'exportJob',
		method: 'GET',
		path: '/v1/jobs/{id}/export',
		summary: "Export a job's results as CSV or JSON",
		scope: 'read',
		params: jobIdParamsSchema,
		query: exportQuerySchema,
		response: exportJsonSchema,
		csv: true,
		errors: [400, ...COMMON_ERRORS, 404, 409]
	}
];

/** The route a request is for, with its path parameters, or null (404, or 405 when `pathMatched`). */
export function matchRoute(method: string, path: string): { route: ApiRoute; params: Record<string, string> } | { route: null; pathMatched: boolean } {
	let pathMatched = false;
	for (const route of apiRoutes) {
		const names: string[] = [];
		const pattern = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}/?$`);
		const found = pattern.exec(path);
		if (!found) continue;
		pathMatched = true;
		if (route.method !== method.toUpperCase()) continue;
		return { route, params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])])) };
	}
	return { route: null, pathMatched };
}

export function apiRoute(id: string): ApiRoute {
	const route = apiRoutes.find((r) => r.id === id);
	if (!route) throw new Error(`no API route ${id}`);
	return route;
}
