import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { loadFleetStatus, type FleetClass } from '#lib/fleet/fleet-status.ts';
import { loadJobView, type JobView } from '#lib/jobs/job-view.ts';
import { catalogEntry } from '#lib/tools/catalog.ts';
import { duplicateLink, isUuid, jobLink } from '#lib/tools-ui/job-link.ts';
import type { DuplicateSource } from '#lib/tools-ui/job-input.ts';
import type { PageServerLoad } from './$types';

const duplicateSchema = z.object({
	id: z.string(),
	tool_id: z.string(),
	team_id: z.string(),
	name: z.string(),
	status: z.string(),
	input: z.unknown(),
	settings: z.record(z.string(), z.unknown()),
	error_message: z.string().nullable()
});

export const load: PageServerLoad = async ({ params, url, locals, parent }) => {
	const entry = catalogEntry(params.tool);
	if (!entry) error(404, `There is no tool called "${params.tool}".`);
	const { memberships, team } = await parent();

	const jobId = url.searchParams.get('jobId');
	// The job opened by its id as this visitor may (public.get_job: the team sees it all, people with the
	// link see it without the team's people); rendered on the server, then kept live by JobDetail.
	let jobView: JobView | null = null;
	if (jobId !== null) {
		jobView = await loadJobView(locals.supabase, jobId);
		// A job a visitor without a session cannot open may be one for signed-in users: ask them to sign in.
		// The same answer for a private job and a made-up id: the sign-in page explains, and tells nothing of which.
		if (!jobView && !locals.user) redirect(303, `/login?reason=private-job&next=${encodeURIComponent(url.pathname + url.search)}`);
		if (jobView && jobView.job.tool_id !== entry.id) redirect(307, jobLink(jobView.job.tool_id, jobView.job.id));
	}
	const job = jobView?.job ?? null;
	if (!entry.enabled && !job) error(404, `${entry.name} is not available.`);

	// What may be done with the job is decided by its team; the form belongs to the current team.
	const jobRole = job ? (memberships.find((m) => m.id === job.team_id)?.role ?? null) : null;
	const visitor = !team || (job !== null && jobRole === null);

	let duplicate: DuplicateSource | null = null;
	let duplicateMissing = false;
	const duplicateId = url.searchParams.get('duplicate');
	if (duplicateId !== null && !visitor) {
		const { data, error: failure } = isUuid(duplicateId)
			? await locals.supabase.from('jobs').select('id, tool_id, team_id, name, status, input, settings, error_message').eq('id', duplicateId).maybeSingle()
			: { data: null, error: null };
		if (failure) throw new Error(`Could not load the job to duplicate: ${failure.message}`);
		const source = data ? duplicateSchema.parse(data) : null;
		if (source && source.tool_id !== entry.id) redirect(307, duplicateLink(source.tool_id, source.id));
		if (source) duplicate = { id: source.id, name: source.name, status: source.status, team_id: source.team_id, input: source.input, settings: source.settings, error_message: source.error_message };
		else duplicateMissing = true;
	}

	// The fleet's figures (as /status shows them), so the form can say before Run when no worker can run the tool now.
	let fleet: FleetClass[] | null = null;
	if (!visitor && entry.enabled) fleet = await loadFleetStatus(locals.supabase).catch(() => null);

	return { toolId: entry.id, jobId, jobView, jobRole, visitor, duplicate, duplicateMissing, fleet };
};
