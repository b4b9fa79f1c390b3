// One handler per route of the API contract (src/lib/api/contract.ts). Each
// runs as the token's person (asPerson): RLS, the public RPCs and, for a
// read token, a READ ONLY transaction decide; this file adds only the
// token's team bound (a job of another team is "not found" through this
// token, even one its person may open) and the shapes of the answers.
import { z } from 'zod';
import {
	estimateRequestSchema,
	exportQuerySchema,
	listJobsQuerySchema,
	MAX_LIST_LIMIT,
	newJobSchema,
	submitBatchSchema,
	uploadsRequestSchema,
	waitRequestSchema,
	type NewJob
} from '../../../src/lib/api/contract.ts';
import { NothingToExportError, resultToCsv, resultToJson, exportFileName, type ExportSettings } from '#lib/jobs/export.ts';
import { uploadFolder, uploadKeyName } from '#lib/files/input-uploads.ts';
import { corsHeaders, jsonResponse } from '../_shared/cors.ts';
import { serviceClient } from '../_shared/supabase.ts';
import { parseBody } from '../_shared/validate.ts';
import { asPerson, database, type Identity, type Transaction } from './database.ts';
import { apiError, READ_ONLY_MESSAGE } from './errors.ts';

export interface Call {
	request: Request;
	identity: Identity;
	params: Record<string, string>;
	query: Record<string, string>;
	/** The request's JSON body (read only for routes that take one). */
	body: () => Promise<unknown>;
}

const BUCKET = 'job-files';
const FILE_URL_SECONDS = 3600;
/** How often a wait looks at its jobs again. */
const WAIT_POLL_MS = 500;

// A job as lists and waits show it (the contract's jobSummarySchema), built in SQL so timestamps stay ISO text.
const SUMMARY = `jsonb_build_object('id', j.id, 'team_id', j.team_id, 'tool_id', j.tool_id, 'name', j.name, 'status', j.status,
  'progress', j.progress, 'progress_message', j.progress_message, 'error_code', j.error_code, 'error_message', j.error_message,
  'credits_charged', j.credits_charged, 'credits_refunded', j.credits_refunded, 'created_at', j.created_at,
  'started_at', j.started_at, 'finished_at', j.finished_at, 'updated_at', j.updated_at)`;

const jobIdSchema = z.uuid({ error: 'the job id in the path must be a UUID like 0b6a3c1e-2f4d-4e5a-9b7c-8d9e0f1a2b3c' });

function jobIdOf(call: Call): string {
	const parsed = jobIdSchema.safeParse(call.params.id);
	if (!parsed.success) throw apiError('invalid_request', parsed.error.issues[0].message);
	return parsed.data;
}

const notFound = (id: string) => apiError('not_found', `job ${id} not found (or not one of this token's team's jobs)`);

/** The job, when it is one of the token's team's jobs and its person may see it (RLS); 404 otherwise. */
async function requireTeamJob(tx: Transaction, identity: Identity, id: string): Promise<void> {
	const rows = await tx`select 1 from public.jobs j where j.id = ${id} and j.team_id = ${identity.teamId}`;
	if (rows.length === 0) throw notFound(id);
}

/** get_job's `job`, checked to be the token's team's. */
async function teamJob(tx: Transaction, identity: Identity, id: string, withContent = true): Promise<Record<string, any>> {
	const [row] = await tx`select public.get_job(${id}, ${withContent}) as got`;
	const got = row.got as { access?: string; job?: Record<string, any> } | null;
	if (!got?.job || got.access !== 'team' || got.job.team_id !== identity.teamId) throw notFound(id);
	return got.job;
}

function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.output<T> {
	const result = schema.safeParse(query);
	if (result.success) return result.data;
	const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
	throw apiError('invalid_request', `${issues[0].path ? `${issues[0].path}: ` : ''}${issues[0].message}`, { issues });
}

// ---------------------------------------------------------------- the token and the catalog

export async function getToken({ identity }: Call): Promise<Response> {
	const [token] = await database()`
		select t.name, t.display_prefix as prefix, t.scope, t.team_id, tm.name as team_name, to_jsonb(t.expires_at) #>> '{}' as expires_at
		from private.api_tokens t join public.teams tm on tm.id = t.team_id where t.id = ${identity.tokenId}`;
	return jsonResponse({ token });
}

export async function listTools({ identity }: Call): Promise<Response> {
	const tools = await asPerson(identity, (tx) => tx`
		select t.id, t.name, t.category::text as category, t.description, t.compute_class::text as compute_class,
		  t.input_kind::text as input_kind, t.items_field,
		  jsonb_build_object('kind', t.pricing_kind, 'credits', t.pricing_credits, 'unit', t.pricing_unit, 'description', t.pricing_description) as pricing,
		  t.time_limit_seconds, t.max_input_bytes::float8 as max_input_bytes, t.max_items, t.enabled
		from public.tools t order by t.id`);
	return jsonResponse({ tools });
}

// ---------------------------------------------------------------- estimate and submit

export async function estimate(call: Call): Promise<Response> {
	const { tool, input, settings } = parseBody(estimateRequestSchema, await call.body());
	const [row] = await asPerson(call.identity, (tx) => tx`
		select public.estimate_job_cost(${tool}, ${tx.json(input as never)}, ${tx.json((settings ?? {}) as never)}, ${call.identity.teamId}) as estimate`);
	return jsonResponse(row.estimate);
}

const entryOf = (job: NewJob) => ({ tool_id: job.tool, name: job.name ?? null, input: job.input, settings: job.settings ?? {}, files: job.files ?? [] });

export async function submitJobs(call: Call): Promise<Response> {
	const body = await call.body();
	// A batch ({jobs: [...]}) or one job; each parsed by its own schema, so a refusal says what is wrong with it.
	const batch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'jobs' in body;
	const jobs = batch ? parseBody(submitBatchSchema, body).jobs : [parseBody(newJobSchema, body)];
	const entries = jobs.map(entryOf);
	const rows = await asPerson(call.identity, (tx) =>
		batch
			? tx`select ${tx.unsafe(SUMMARY)} as job from public.submit_jobs(${tx.json(entries as never)}, ${call.identity.teamId}) with ordinality as j order by j.ordinality`
			: tx`select ${tx.unsafe(SUMMARY)} as job from public.submit_job(${entries[0].tool_id}, ${entries[0].name}, ${tx.json(entries[0].input as never)},
				${tx.json(entries[0].settings as never)}, ${call.identity.teamId}, ${tx.json(entries[0].files as never)}) as j`
	);
	const created = rows.map((r) => r.job as { credits_charged: number });
	return jsonResponse({ jobs: created, credits_charged: created.reduce((sum, j) => sum + j.credits_charged, 0) }, 201);
}

export async function createUploads(call: Call): Promise<Response> {
	const { files } = parseBody(uploadsRequestSchema, await call.body());
	// Uploading changes nothing in the database until a job claims the upload, so the scope is checked here.
	if (call.identity.scope !== 'write') throw apiError('read_only_token', READ_ONLY_MESSAGE);
	// Only people who may run jobs in the team upload into it (submit_job would refuse a viewer's job anyway).
	const [member] = await asPerson(call.identity, (tx) => tx`
		select m.role::text as role from public.team_members m where m.team_id = ${call.identity.teamId} and m.user_id = ${call.identity.userId}`);
	if (!member || member.role === 'viewer') throw apiError('forbidden', "team viewers can only look: they cannot upload job inputs");
	const folder = uploadFolder(call.identity.teamId, call.identity.userId);
	const storage = serviceClient().storage.from(BUCKET);
	const uploads = [];
	for (const file of files) {
		const path = `${folder}/${crypto.randomUUID()}/${uploadKeyName(file.name)}`;
		const { data, error } = await storage.createSignedUploadUrl(path);
		if (error || !data) {
			console.error('api: signing an upload failed:', error);
			throw apiError('server_error', 'The upload links could not be made just now; try again.');
		}
		uploads.push({ name: file.name, path, url: data.signedUrl });
	}
	return jsonResponse({ uploads });
}

// ---------------------------------------------------------------- reading jobs

function encodeCursor(job: { created_at: string; id: string }): string {
	return btoa(JSON.stringify([job.created_at, job.id])).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeCursor(cursor: string): [string, string] {
	try {
		const [createdAt, id] = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')));
		if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && jobIdSchema.safeParse(id).success) return [createdAt, id];
	} catch {
		// Reported below.
	}
	throw apiError('invalid_request', "cursor is not one this API gave: pass the previous page's next_cursor as it was");
}

export async function listJobs(call: Call): Promise<Response> {
	const query = parseQuery(listJobsQuerySchema, call.query);
	const limit = query.limit ?? 50;
	// The cursor's timestamp goes in as text: postgres.js would round a timestamptz parameter to milliseconds.
	const after = query.cursor ? decodeCursor(query.cursor) : null;
	const rows = await asPerson(call.identity, (tx) => tx`
		select ${tx.unsafe(SUMMARY)} as job from public.jobs j
		where j.team_id = ${call.identity.teamId}
		  and (${query.status ?? null}::public.job_status is null or j.status = ${query.status ?? null}::public.job_status)
		  and (${query.tool ?? null}::text is null or j.tool_id = ${query.tool ?? null}::text)
		  and (${after?.[0] ?? null}::text is null or (j.created_at, j.id) < (${after?.[0] ?? null}::text::timestamptz, ${after?.[1] ?? null}::text::uuid))
		order by j.created_at desc, j.id desc
		limit ${Math.min(limit, MAX_LIST_LIMIT) + 1}`);
	const jobs = rows.map((r) => r.job as { created_at: string; id: string });
	const more = jobs.length > limit;
	if (more) jobs.pop();
	return jsonResponse({ jobs, next_cursor: more ? encodeCursor(jobs[jobs.length - 1]) : null });
}

export async function getJob(call: Call): Promise<Response> {
	const id = jobIdOf(call);
	const job = await asPerson(call.identity, (tx) => teamJob(tx, call.identity, id));
	return jsonResponse({ job });
}

/** Resolves after `ms`, or at once when the request is abandoned. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, ms);
		signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
	});
}

export async function waitJobs(call: Call): Promise<Response> {
	const { ids, since, timeout_s } = parseBody(waitRequestSchema, await call.body());
	const unique = [...new Set(ids)];
	const deadline = Date.now() + (timeout_s ?? 25) * 1000;
	for (;;) {
		const rows = await asPerson(call.identity, (tx) => tx`
			select ${tx.unsafe(SUMMARY)} as job,
			  (${tx.json((since ?? {}) as never)}::jsonb ->> j.id::text) is null
			    or j.updated_at <> (${tx.json((since ?? {}) as never)}::jsonb ->> j.id::text)::timestamptz as changed
			from public.jobs j
			where j.id = any(${unique}::uuid[]) and j.team_id = ${call.identity.teamId}`);
		const found = new Set(rows.map((r) => (r.job as { id: string }).id));
		const missing = unique.filter((id) => !found.has(id));
		const changed = rows.filter((r) => r.changed).map((r) => r.job);
		if (changed.length > 0 || missing.length > 0 || Date.now() >= deadline || call.request.signal.aborted) {
			return jsonResponse({ jobs: changed, missing });
		}
		await pause(Math.min(WAIT_POLL_MS, deadline - Date.now()), call.request.signal);
	}
}

// ---------------------------------------------------------------- acting on jobs

export async function cancelJob(call: Call): Promise<Response> {
	const id = jobIdOf(call);
	const job = await asPerson(call.identity, async (tx) => {
		await requireTeamJob(tx, call.identity, id);
		await tx`select public.cancel_job(${id})`;
		return teamJob(tx, call.identity, id);
	});
	return jsonResponse({ job });
}

export async function retryJob(call: Call): Promise<Response> {
	const id = jobIdOf(call);
	const job = await asPerson(call.identity, async (tx) => {
		await requireTeamJob(tx, call.identity, id);
		const [row] = await tx`select (public.retry_job(${id})).id as id`;
		return teamJob(tx, call.identity, row.id);
	});
	return jsonResponse({ job }, 201);
}

export async function deleteJob(call: Call): Promise<Response> {
	const id = jobIdOf(call);
	await asPerson(call.identity, async (tx) => {
		await requireTeamJob(tx, call.identity, id);
		await tx`select public.delete_job(${id})`;
	});
	return jsonResponse({ deleted: true, id });
}

interface FileLocation {
	id: string;
	name: string;
	kind: string;
	media_type: string;
	size_bytes: number;
	sha256: string | null;
	storage_path: string;
}

export async function listJobFiles(call: Call): Promise<Response> {
	const id = jobIdOf(call);
	const files = await asPerson(call.identity, async (tx) => {
		await requireTeamJob(tx, call.identity, id);
		const ids = (await tx`select f.id from public.job_files f where f.job_id = ${id} order by f.kind, f.name`).map((r) => r.id as string);
		const located: FileLocation[] = [];
		// job_file_locations checks the job as the person and takes 100 ids at a time.
		for (let i = 0; i < ids.length; i += 100) {
			const chunk = ids.slice(i, i + 100);
			located.push(
				...((await tx`select l.id, l.name, l.kind::text as kind, l.media_type, l.size_bytes::float8 as size_bytes, l.sha256, l.storage_path
					from public.job_file_locations(${chunk}::uuid[]) l`) as unknown as FileLocation[])
			);
		}
		return located;
	});
	const signed = new Map<string, string>();
	if (files.length > 0) {
		const { data, error } = await serviceClient().storage.from(BUCKET).createSignedUrls(files.map((f) => f.storage_path), FILE_URL_SECONDS);
		if (error || !data) {
			console.error('api: signing files failed:', error);
			throw apiError('server_error', 'The file links could not be made just now; try again.');
		}
		for (const d of data) if (d.signedUrl) signed.set(d.path ?? '', d.signedUrl);
	}
	const expiresAt = new Date(Date.now() + FILE_URL_SECONDS * 1000).toISOString();
	return jsonResponse({
		files: files.map((f) => {
			const url = signed.get(f.storage_path);
			return {
				id: f.id, name: f.name, kind: f.kind, media_type: f.media_type, size_bytes: f.size_bytes, sha256: f.sha256,
				url: url ? `${url}${url.includes('?') ? '&' : '?'}download=${encodeURIComponent(f.name)}` : null,
				expires_at: url ? expiresAt : null
			};
		})
	});
}

/** The settings as stored (the web app's export also fills in the tool's defaults, which needs every tool's schemas). */
function storedSettings(settings: unknown): ExportSettings {
	const values = settings && typeof settings === 'object' && !Array.isArray(settings) ? (settings as Record<string, unknown>) : {};
	return { values, described: Object.entries(values).map(([key, value]) => `${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`) };
}

export async function exportJob(call: Call): Promise<Response> {
	const id = jobIdOf(call);
	const { format } = parseQuery(exportQuerySchema, call.query);
	const job = await asPerson(call.identity, (tx) => teamJob(tx, call.identity, id));
	const exportable = { id, name: job.name, tool_id: job.tool_id, settings: job.settings, result: job.result, created_at: job.created_at, finished_at: job.finished_at };
	const settings = storedSettings(job.settings);
	try {
		if (format === 'csv') {
			return new Response(resultToCsv(exportable, settings), {
				headers: { ...corsHeaders, 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(exportFileName(job.name, 'csv'))}` }
			});
		}
		return new Response(resultToJson(exportable, settings), { headers: { ...corsHeaders, 'Content-Type': 'application/json' } });
	} catch (error) {
		if (error instanceof NothingToExportError) throw apiError('conflict', `${error.message} (job status: ${job.status})`);
		throw error;
	}
}
