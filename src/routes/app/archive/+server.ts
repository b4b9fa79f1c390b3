// An archive of jobs as a ZIP (#lib/archive/job-archive.server.ts): inputs,
// outputs, results and ro-crate-metadata.json. GET /app/archive?ids=a,b (the
// job menu's link) or POST with form field `ids` (the jobs page's selection).
// Every job is opened as the visitor through get_job first: one they may
// not open (another team's private job, a made-up id) refuses the whole
// archive with 404 before any byte is sent, and sends a visitor without a
// session to sign in (hooks.server.ts lets them ask for one job's archive:
// a public job's is theirs as its page is). The ZIP then streams as it is
// built.
import { error, redirect } from '@sveltejs/kit';
import { archiveFileName, archiveStream, jobArchive, jobsNotOpenable, parseArchiveIds } from '#lib/archive/job-archive.server.ts';
import { attachmentDisposition } from '#lib/jobs/job-view.ts';
import type { RequestEvent, RequestHandler } from './$types';
import { signInLink } from '#lib/auth/sign-in-link.ts';

async function serveArchive(event: RequestEvent, raw: unknown): Promise<Response> {
	const { locals } = event;
	const parsed = parseArchiveIds(raw);
	if (!parsed.ok) error(400, parsed.message);
	const { ids } = parsed;
	let refused: string[];
	try {
		refused = await jobsNotOpenable(locals.supabase, ids);
	} catch (e) {
		console.error('archive', e);
		error(502, 'The jobs could not be read. Please try again.');
	}
	if (refused.length && !locals.user) redirect(303, signInLink(event.url));
	if (refused.length) {
		error(404, refused.length === ids.length && ids.length === 1 ? 'No such job, or you cannot see it.' : `${refused.length} of these jobs do not exist or you cannot see them: ${refused.join(', ')}`);
	}
	const { data: first } = ids.length === 1 ? await locals.supabase.rpc('get_job', { job_id: ids[0], with_content: false }) : { data: null };
	const firstName = (first as { job?: { name?: unknown } } | null)?.job?.name;
	const now = new Date();
	const stream = archiveStream(jobArchive(locals.supabase, ids, { now }), (e) => console.error('archive: stopped while streaming', e));
	return new Response(stream, {
		headers: {
			'content-type': 'application/zip',
			'content-disposition': attachmentDisposition(archiveFileName(ids, typeof firstName === 'string' ? firstName : null, now)),
			'x-content-type-options': 'nosniff',
			'cache-control': 'private, no-store'
		}
	});
}

export const GET: RequestHandler = async (event) => serveArchive(event, event.url.searchParams.get('ids'));

export const POST: RequestHandler = async (event) => {
	let form: FormData;
	try {
		form = await event.request.formData();
	} catch {
		error(400, 'Send the job ids as a form field: ids=<job id>,<job id>,…');
	}
	return serveArchive(event, form.get('ids'));
};
