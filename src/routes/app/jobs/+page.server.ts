import { error, redirect } from '@sveltejs/kit';
import { loadSharedJobs, parseSharedPage } from '#lib/jobs/jobs-shared-with-me.ts';
import { jobListQuery, loadJobList, loadSubmitters, PAGE_SIZE, parseJobListQuery } from '#lib/jobs/list.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, parent, depends }) => {
	depends('app:jobs');
	const { team } = await parent();
	if (!team) error(403, 'You are not a member of any team yet. Ask a team owner to invite you.');
	const filters = parseJobListQuery(url.searchParams);
	const sharedPage = parseSharedPage(url.searchParams.get('shared'));
	try {
		const [page, submitters, shared] = await Promise.all([
			loadJobList(locals.supabase, team.id, filters),
			loadSubmitters(locals.supabase, team.id),
			// Jobs other teams shared with this user by email (the only other teams' jobs anyone can list).
			loadSharedJobs(locals.supabase, sharedPage)
		]);
		// Past the last page (jobs deleted, a stale link): go to the last one there is.
		if (page.rows.length === 0 && filters.page > 1) {
			const first = await loadJobList(locals.supabase, team.id, { ...filters, page: 1 });
			const last = Math.max(1, Math.ceil((first.total ?? 0) / PAGE_SIZE));
			redirect(303, `/app/jobs${jobListQuery({ ...filters, page: last })}`);
		}
		if (shared.rows.length === 0 && sharedPage > 1) redirect(303, `/app/jobs${jobListQuery(filters)}`);
		// `team` again, known here to be there (the layout's may be null on a job link).
		return { team, filters, page, submitters, pageSize: PAGE_SIZE, shared };
	} catch (e) {
		if (e instanceof Error && e.message.startsWith('Could not')) error(503, e.message);
		throw e;
	}
};
