import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { safeNext } from '#lib/forms/auth-schemas.ts';
import { loadMemberships, rememberTeam } from '#lib/teams/current-team.ts';
import type { RequestHandler } from './$types';

const body = z.object({ team_id: z.uuid({ error: 'Choose a team.' }), next: z.string().optional() });

export const POST: RequestHandler = async ({ request, locals, cookies }) => {
	const parsed = body.safeParse(Object.fromEntries(await request.formData()));
	if (!parsed.success) error(400, parsed.error.issues[0].message);
	const memberships = await loadMemberships(locals.supabase, locals.user!.id);
	if (!memberships.some((m) => m.id === parsed.data.team_id)) error(403, 'You are not a member of that team.');
	rememberTeam(cookies, parsed.data.team_id);
	// Job and tool pages belong to a team: go to the list, not to another team's job.
	const next = safeNext(parsed.data.next);
	redirect(303, next.includes('jobId=') ? '/app/jobs' : next);
};
