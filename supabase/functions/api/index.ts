// /functions/v1/api: the Foldwork API for scripts and the CLI, with personal
// access tokens (`Authorization: Bearer fwp_…`, made on /app/settings/tokens).
// The routes, their requests and answers are src/lib/api/contract.ts (the
// OpenAPI document is generated from it). Each request: the token is
// checked in the database (unknown, revoked, expired, rate limit: 429 with
// Retry-After), then the route runs as the token's person in one
// transaction (database.ts), bounded to the token's team (handlers.ts).
// verify_jwt is off for this function (a token is not a JWT); deploy with
// `supabase functions deploy api --no-verify-jwt`.
import { matchRoute } from '../../../src/lib/api/contract.ts';
import { preflight } from '../_shared/cors.ts';
import { HttpError, readJson } from '../_shared/http.ts';
import { authenticate } from './database.ts';
import { ApiError, apiError, errorResponse, fromDatabaseError, fromHttpError } from './errors.ts';
import * as handlers from './handlers.ts';
import type { Call } from './handlers.ts';

/** A batch of 1,000 records with their sequences fits well within this. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const EXAMPLE = '{"tool": "protein-properties", "input": {"sequences": [{"id": "p1", "sequence": "MKTAYIAKQR"}]}}';

const handlerFor: Record<string, (call: Call) => Promise<Response>> = {
	getToken: handlers.getToken,
	listTools: handlers.listTools,
	estimate: handlers.estimate,
	createUploads: handlers.createUploads,
	submitJobs: handlers.submitJobs,
	listJobs: handlers.listJobs,
	waitJobs: handlers.waitJobs,
	getJob: handlers.getJob,
	deleteJob: handlers.deleteJob,
	cancelJob: handlers.cancelJob,
	retryJob: handlers.retryJob,
	listJobFiles: handlers.listJobFiles,
	exportJob: handlers.exportJob
};

/** The path below the function: Supabase hands it `/api/v1/…` (locally and hosted). */
function routePath(url: URL): string {
	const below = url.pathname.replace(/^(\/functions\/v1)?\/api(?=\/|$)/, '');
	return below === '' ? '/' : below;
}

async function handle(request: Request): Promise<Response> {
	const url = new URL(request.url);
	const path = routePath(url);
	const matched = matchRoute(request.method, path);
	if (!matched.route) {
		if (matched.pathMatched) throw new ApiError(405, 'method_not_allowed', `${request.method} is not allowed on ${path}; see the API document for the methods it takes.`);
		throw apiError('not_found', `There is no route ${request.method} ${path}; the routes are under /v1 (GET /v1/tools, POST /v1/jobs, ...).`);
	}
	const identity = await authenticate(request);
	const handler = handlerFor[matched.route.id];
	if (!handler) throw apiError('server_error', `${matched.route.id} is not served by this version of the function.`);
	return await handler({
		request,
		identity,
		params: matched.params,
		query: Object.fromEntries(url.searchParams),
		body: () => readJson(request, MAX_BODY_BYTES, EXAMPLE)
	});
}

Deno.serve(async (request) => {
	const answer = preflight(request);
	if (answer) return answer;
	try {
		return await handle(request);
	} catch (error) {
		if (error instanceof ApiError) return errorResponse(error);
		if (error instanceof HttpError) return errorResponse(fromHttpError(error));
		const refusal = fromDatabaseError(error);
		if (refusal) return errorResponse(refusal);
		console.error('api: unexpected error:', error);
		return errorResponse(apiError('server_error', 'The API failed unexpectedly; try again, and report it if it keeps happening.'));
	}
});
