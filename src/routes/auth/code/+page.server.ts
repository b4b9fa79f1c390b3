// Where the code in an auth email is entered: the confirmation and sign-in emails
// carry a 6-digit code beside their link, for someone who reads the email on
// another device than the browser they signed up in. Auth checks the code
// (verifyOtp, type "email": a sign-up confirmation or a sign-in code) and limits
// how often an address may try; a right code signs in here and passes the gate.
import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { emailField, safeNext } from '#lib/forms/auth-schemas.ts';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import { pendingAccessPath } from '#lib/teams/pending-access.ts';
import type { Actions, PageServerLoad } from './$types';

const codeSchema = z.object({
	email: emailField,
	code: z
		.string({ error: 'Enter the code from the email.' })
		.trim()
		.regex(/^\d{6}$/, { error: 'The code is the 6 digits in the email.' })
});

export const load: PageServerLoad = async ({ url }) => {
	const email = emailField.safeParse(url.searchParams.get('email') ?? '');
	return { next: safeNext(url.searchParams.get('next')), email: email.success ? email.data : '' };
};

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const data = await request.formData();
		const parsed = parseForm(codeSchema, data);
		if (!parsed.ok) return parsed.failure;
		const { error } = await locals.supabase.auth.verifyOtp({ email: parsed.data.email, token: parsed.data.code, type: 'email' });
		if (error) {
			const message =
				error.status === 429
					? 'Too many tries for now: wait a few minutes, or open the link in the email.'
					: 'That code is wrong or has expired (a code works once, for an hour). Check the newest email, or ask for a new one.';
			return formFailure(error.status === 429 ? 429 : 400, message, data);
		}
		redirect(303, pendingAccessPath(safeNext(url.searchParams.get('next'))));
	}
};
