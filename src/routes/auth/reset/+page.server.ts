import { z } from 'zod';
import { emailField } from '#lib/forms/auth-schemas.ts';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const data = await request.formData();
		const parsed = parseForm(z.object({ email: emailField }), data);
		if (!parsed.ok) return parsed.failure;
		const { error } = await locals.supabase.auth.resetPasswordForEmail(parsed.data.email, {
			redirectTo: `${url.origin}/auth/callback?next=${encodeURIComponent('/auth/update-password')}`
		});
		if (error && error.status === 429) return formFailure(429, 'Too many requests: wait a minute, then try again.', data);
		// Whether or not the account exists, the answer is the same (no account probing).
		return { sent: parsed.data.email };
	}
};
