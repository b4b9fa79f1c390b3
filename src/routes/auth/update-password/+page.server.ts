import { redirect } from '@sveltejs/kit';
import { newPasswordSchema, safeNext } from '#lib/forms/auth-schemas.ts';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = await locals.getUser();
	if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
	return { email: user.email ?? '' };
};

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const data = await request.formData();
		const parsed = parseForm(newPasswordSchema, data);
		if (!parsed.ok) return parsed.failure;
		const { error } = await locals.supabase.auth.updateUser({ password: parsed.data.password });
		if (error) return formFailure(400, error.message, data);
		redirect(303, safeNext(url.searchParams.get('next')));
	}
};
