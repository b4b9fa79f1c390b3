import { redirect } from '@sveltejs/kit';
import { safeNext, signUpSchema } from '#lib/forms/auth-schemas.ts';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (await locals.getUser()) redirect(303, '/app/jobs');
	return { next: safeNext(url.searchParams.get('next')) };
};

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const data = await request.formData();
		const parsed = parseForm(signUpSchema, data);
		if (!parsed.ok) return parsed.failure;
		const { email, password, display_name } = parsed.data;
		const next = safeNext(url.searchParams.get('next'));
		const { data: result, error } = await locals.supabase.auth.signUp({
			email,
			password,
			options: {
				emailRedirectTo: `${url.origin}/auth/callback?next=${encodeURIComponent(next)}`,
				data: display_name ? { display_name } : undefined
			}
		});
		if (error) {
			const exists = /already|registered|exists/i.test(error.message);
			return formFailure(400, exists ? 'An account with this email exists: sign in instead.' : error.message, data, exists ? { email: 'Already registered.' } : {});
		}
		// With confirmations off the session exists already.
		if (result.session) redirect(303, next);
		return { sent: email };
	}
};
