// Creating an account, two ways: an emailed sign-in link (no password yet;
// the person chooses one once the link proves the address is theirs: the way
// invitations recommend), or an email and password. Invitations link here
// with `email` filled in and `next` (the shared job or the team invite).
import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { emailField, safeNext, signUpSchema } from '#lib/forms/auth-schemas.ts';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import { emailLinkRedirect, PendingAccessError, pendingAccessPath, sendSignInLink } from '#lib/teams/pending-access.ts';
import type { Actions, PageServerLoad } from './$types';

const invitedEmail = emailField.optional().catch(undefined);
const linkSignUpSchema = z.object({
	email: emailField,
	display_name: z.string().trim().max(120, { error: 'Use at most 120 characters.' }).optional()
});

export const load: PageServerLoad = async ({ locals, url }) => {
	const next = safeNext(url.searchParams.get('next'));
	if (await locals.getSessionUser()) redirect(303, pendingAccessPath(next));
	return { next, email: invitedEmail.parse(url.searchParams.get('email') ?? undefined) ?? '' };
};

export const actions: Actions = {
	// Email and password.
	password: async ({ request, locals, url }) => {
		const data = await request.formData();
		const parsed = parseForm(signUpSchema, data);
		if (!parsed.ok) return parsed.failure;
		const { email, password, display_name } = parsed.data;
		const next = safeNext(url.searchParams.get('next'));
		const { data: result, error } = await locals.supabase.auth.signUp({
			email,
			password,
			options: { emailRedirectTo: emailLinkRedirect(url.origin, next), data: display_name ? { display_name } : undefined }
		});
		if (error) {
			if (error.status === 429) return formFailure(429, 'We sent an email to this address a moment ago: wait a minute, then try again.', data);
			const exists = /already|registered|exists/i.test(error.message);
			return formFailure(400, exists ? 'An account with this email exists: sign in instead.' : error.message, data, exists ? { email: 'Already registered.' } : {});
		}
		// With confirmations off the session exists already.
		if (result.session) redirect(303, pendingAccessPath(next));
		return { sent: email };
	},
	// An emailed link, no password yet.
	link: async ({ request, locals, url }) => {
		const data = await request.formData();
		const parsed = parseForm(linkSignUpSchema, data);
		if (!parsed.ok) return parsed.failure;
		const { email, display_name } = parsed.data;
		try {
			const redirectTo = emailLinkRedirect(url.origin, safeNext(url.searchParams.get('next')));
			const sent = await sendSignInLink(locals.supabase, email, redirectTo, true, display_name ? { display_name } : undefined);
			if (sent === 'wait') return formFailure(429, 'We sent an email to this address a moment ago: wait a minute, then try again.', data);
		} catch (e) {
			if (e instanceof PendingAccessError) return formFailure(502, e.message, data);
			throw e;
		}
		return { sent: email, byLink: true };
	}
};
