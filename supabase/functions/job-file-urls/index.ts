// POST /functions/v1/job-file-urls: short-lived signed URLs for a job's
// files, for whoever may open the job (its team, and anyone it is shared
// with, by invitation or by link, signed in or not). The files' bytes are in
// the private job-files bucket, which people outside the team can never
// read by path (the link-only rule); the database checks each file by id as
// the caller (public.job_file_locations), and only the paths it returns are
// signed, with the service role, since no plain SQL function can sign.
//
//   {"file_ids": ["<uuid>", ...], "download"?: true, "expires_in"?: 300}
//   → {"files": [{id, name, media_type, size_bytes, sha256, url, expires_at}]}
//
// Files the caller may not open are simply absent, like unknown ids. With
// "download" each URL makes the browser save the file under its name.
// See supabase/functions/README.md.
import { createClient } from '@supabase/supabase-js';
// Types only (erased before Deno runs the function): the app's generated schema types, `npm run db:types`.
import type { Database } from '../../../src/lib/supabase/database.types.ts';
import { z } from 'zod';
import { HttpError, jsonResponse, readJson, servePost } from '../_shared/http.ts';
import { callRpc, serviceClient } from '../_shared/supabase.ts';
import { parseBody, unknownFields, uuidField } from '../_shared/validate.ts';

const EXAMPLE = '{"file_ids": ["<uuid>"], "download": true}';
const MAX_BODY_BYTES = 16 * 1024;
const BUCKET = 'job-files';

const requestBody = z.strictObject(
	{
		file_ids: z
			.array(uuidField('each file id'), { error: (issue) => (issue.input === undefined ? 'file_ids is required' : 'file_ids must be an array of file ids') })
			.min(1, { error: 'give at least one file id' })
			.max(100, { error: 'give at most 100 file ids per call' }),
		download: z.boolean({ error: 'download must be true or false' }).optional(),
		expires_in: z.number({ error: 'expires_in must be a number of seconds' }).int().min(10).max(3600, { error: 'expires_in is at most 3600 seconds' }).optional()
	},
	{ error: unknownFields('file_ids, download and expires_in') }
);

const locationSchema = z.array(
	z.object({ id: z.string(), name: z.string(), media_type: z.string(), size_bytes: z.coerce.number(), sha256: z.string().nullable(), storage_path: z.string() })
);

function env(name: string): string {
	const value = Deno.env.get(name);
	if (!value) throw new Error(`${name} is not set (Supabase sets it for every function)`);
	return value;
}

/** The caller as they are: their own token when signed in, else the anonymous key the gateway verified. */
function asCaller(request: Request) {
	const authorization = request.headers.get('authorization');
	if (!authorization || !/^Bearer\s+\S+$/i.test(authorization)) {
		throw new HttpError(401, 'not_signed_in', 'Call this function with an Authorization header (supabase-js sends the anonymous key or the signed-in user\'s token).');
	}
	return createClient<Database>(env('SUPABASE_URL'), env('SUPABASE_ANON_KEY'), {
		global: { headers: { Authorization: authorization } },
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
}

servePost('job-file-urls', async (request) => {
	const client = asCaller(request);
	const { file_ids, download, expires_in } = parseBody(requestBody, await readJson(request, MAX_BODY_BYTES, EXAMPLE));
	const expiresIn = expires_in ?? 300;
	const files = locationSchema.parse(await callRpc(client, 'job_file_locations', { file_ids: [...new Set(file_ids)] }));
	if (files.length === 0) return jsonResponse({ files: [] });

	const { data, error } = await serviceClient()
		.storage.from(BUCKET)
		.createSignedUrls(files.map((f) => f.storage_path), expiresIn);
	if (error || !data) {
		console.error('job-file-urls: signing failed:', error);
		throw new HttpError(502, 'not_signed', 'The file links could not be made just now; try again.');
	}
	const byPath = new Map(data.map((d) => [d.path, d.signedUrl]));
	const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
	return jsonResponse({
		files: files.flatMap((f) => {
			const signed = byPath.get(f.storage_path);
			// An object missing from Storage (being moved, or lost) gets no URL.
			if (!signed) return [];
			const url = download ? `${signed}${signed.includes('?') ? '&' : '?'}download=${encodeURIComponent(f.name)}` : signed;
			return [{ id: f.id, name: f.name, media_type: f.media_type, size_bytes: f.size_bytes, sha256: f.sha256, url, expires_at: expiresAt }];
		})
	});
});
