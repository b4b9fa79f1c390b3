// One job file as a download: the job is checked by id as the signed-in
// caller (the job-file-urls function, through public.job_file_locations),
// and the file's bytes are streamed from a short-lived signed Storage URL,
// piece by piece (never held whole), with the file's name. Served from the
// app's own origin: Chromium cancels an <a download> that a redirect sends
// to another origin (the Storage API's). A file of a job the caller may not
// open is answered 404, like one that does not exist.
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { jobFileUrl, type SignedFile } from '#lib/files/signed-urls.ts';
import { attachmentDisposition } from '#lib/jobs/job-view.ts';
import type { RequestHandler } from './$types';

const paramsSchema = z.object({ fileId: z.uuid() });

export const GET: RequestHandler = async ({ params, locals }) => {
	const parsed = paramsSchema.safeParse(params);
	if (!parsed.success) error(404, 'No such file.');
	let file: SignedFile | null;
	let upstream: Response | null = null;
	try {
		file = await jobFileUrl(locals.supabase, parsed.data.fileId);
		if (file) upstream = await fetch(file.url);
	} catch (e) {
		console.error('file download', e);
		error(502, 'The file could not be reached. Please try again.');
	}
	if (!file || !upstream) error(404, 'No such file, or you cannot see it.');
	if (!upstream.ok || !upstream.body) {
		await upstream.body?.cancel();
		console.error('file download', upstream.status);
		error(upstream.status === 404 ? 404 : 502, upstream.status === 404 ? 'No such file, or you cannot see it.' : 'The file could not be reached. Please try again.');
	}
	const headers: Record<string, string> = {
		'content-type': file.mediaType,
		'content-disposition': attachmentDisposition(file.name),
		'x-content-type-options': 'nosniff',
		'cache-control': 'private, no-store'
	};
	const length = upstream.headers.get('content-length');
	if (length) headers['content-length'] = length;
	return new Response(upstream.body, { headers });
};
