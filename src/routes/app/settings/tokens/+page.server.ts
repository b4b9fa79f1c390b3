import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import { loadMemberships } from '#lib/teams/current-team.ts';
import { createToken, listTokens, newTokenForm, revokeToken, TokenError } from '#lib/tokens/personal-tokens.ts';
import { errorMessage } from '#lib/ui/toasts.svelte.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { memberships, team } = await parent();
	try {
		return { tokens: await listTokens(locals.supabase), memberships, defaultTeamId: team?.id ?? null };
	} catch (e) {
		error(500, errorMessage(e));
	}
};

const revokeForm = z.object({ token_id: z.uuid({ error: 'No such token.' }) });

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const data = await request.formData();
		if (!locals.user) error(401, 'Sign in first.');
		const parsed = parseForm(newTokenForm, data);
		if (!parsed.ok) return parsed.failure;
		// Viewers get read tokens only; the database refuses the rest too, this just says it beside the field.
		const membership = (await loadMemberships(locals.supabase, locals.user.id)).find((m) => m.id === parsed.data.team_id);
		if (!membership) return formFailure(404, 'Choose one of your teams.', data, { team_id: 'Choose one of your teams.' });
		try {
			const created = await createToken(locals.supabase, {
				name: parsed.data.name,
				teamId: parsed.data.team_id,
				scope: parsed.data.scope,
				lifetimeDays: parsed.data.lifetime
			});
			return { created };
		} catch (e) {
			if (!(e instanceof TokenError)) throw e;
			return formFailure(e.status, e.message, data);
		}
	},
	revoke: async ({ locals, request }) => {
		const data = await request.formData();
		const parsed = parseForm(revokeForm, data);
		if (!parsed.ok) return parsed.failure;
		try {
			const revoked = await revokeToken(locals.supabase, parsed.data.token_id);
			return { revoked: revoked.name };
		} catch (e) {
			if (!(e instanceof TokenError)) throw e;
			return formFailure(e.status, e.message, data);
		}
	}
};
