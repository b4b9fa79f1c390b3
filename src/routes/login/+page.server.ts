import { redirect } from '@sveltejs/kit';
import { safeNext, signInSchema } from '#lib/forms/auth-schemas.ts';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (await locals.getUser()) redirect(303, safeNext(url.searchParams.get('next')));
	return { next: safeNext(url.searchParams.get('next')), notice: url.searchParams.get('notice') };
};

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const data = await request.formData();
		const parsed = parseForm(signInSchema, data);
		if (!parsed.ok) return parsed.failure;
		const { error } = await locals.supabase.auth.signInWithPassword(parsed.data);
		if (error) {
			const message = /confirm/i.test(error.message)
				? 'Confirm your email address first: open the link we sent you.'
				: 'Wrong email or password.';
			return formFailure(400, message, data);
		}
		redirect(303, safeNext(url.searchParams.get('next')));
	}
};
