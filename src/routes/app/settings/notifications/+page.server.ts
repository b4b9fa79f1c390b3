import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import { loadPreferences, preferencesForm, savePreferences } from '#lib/notifications/notifications.ts';
import { lowCreditThreshold, setLowCreditThreshold } from '#lib/notifications/credit-alert.ts';
import { canManageTeam, loadMemberships, pickTeam } from '#lib/teams/current-team.ts';
import { errorMessage } from '#lib/ui/toasts.svelte.ts';
import type { Actions, PageServerLoad } from './$types';
import { count } from '#lib/ui/plural.ts';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { team } = await parent();
	if (!locals.user || !team) error(403, 'Choose a team first.');
	try {
		const [preferences, threshold] = await Promise.all([loadPreferences(locals.supabase), lowCreditThreshold(locals.supabase, team.id)]);
		return { preferences, team, threshold, canSetThreshold: canManageTeam(team.role) };
	} catch (e) {
		error(500, errorMessage(e));
	}
};

const thresholdForm = z.object({
	threshold: z.coerce
		.number({ message: 'Give a whole number of credits.' })
		.int('Give a whole number of credits.')
		.min(0, 'Give 0 (never) or more credits.')
		.max(1_000_000, 'Give at most 1000000 credits.')
});

export const actions: Actions = {
	/** Each event's delivery: in the app and by email, in the app only, or off. */
	save: async ({ locals, request }) => {
		const data = await request.formData();
		if (!locals.user) error(401, 'Sign in first.');
		const parsed = parseForm(preferencesForm, data);
		if (!parsed.ok) return parsed.failure;
		await savePreferences(locals.supabase, parsed.data);
		return { done: 'Saved your notification settings.' };
	},
	/** The current team's low-credit alert (owners and admins; the database checks). */
	threshold: async ({ locals, cookies, request }) => {
		const data = await request.formData();
		if (!locals.user) error(401, 'Sign in first.');
		const team = pickTeam(await loadMemberships(locals.supabase, locals.user.id), cookies);
		if (!team) error(403, 'Choose a team first.');
		if (!canManageTeam(team.role)) return formFailure(403, "Only the team's owners and admins can change its low-credit alert.", data);
		const parsed = parseForm(thresholdForm, data);
		if (!parsed.ok) return parsed.failure;
		await setLowCreditThreshold(locals.supabase, team.id, parsed.data.threshold);
		return { done: `Owners and admins of ${team.name} hear when its balance falls below ${count(parsed.data.threshold, 'credit')}.` };
	}
};
