import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { emailField, safeNext, signInSchema } from '#lib/forms/auth-schemas.ts';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import { loginNotice } from '#lib/auth/login-notices.ts';
import { emailLinkRedirect, PendingAccessError, pendingAccessPath, sendSignInLink } from '#lib/teams/pending-access.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (await locals.getSessionUser()) redirect(303, safeNext(url.searchParams.get('next')));
	return {
		next: safeNext(url.searchParams.get('next')),
		// A notice is a code mapped to our own sentence; a made-up one shows nothing.
		notice: loginNotice(url.searchParams.get('notice')),
		// Why the visitor was sent here, as one of our own sentences (never text from the URL).
		privateJob: url.searchParams.get('reason') === 'private-job'
	};
};

export const actions: Actions = {
	// Email and password.
	password: async ({ request, locals, url }) => {
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
		// The gate attaches what was shared with the address (or says what it needs first).
		redirect(303, pendingAccessPath(safeNext(url.searchParams.get('next'))));
	},
	// Signing in without a password: a link by email (existing accounts only; the answer is the same for any address).
	link: async ({ request, locals, url }) => {
		const data = await request.formData();
		const parsed = parseForm(z.object({ email: emailField }), data);
		if (!parsed.ok) return parsed.failure;
		try {
			const sent = await sendSignInLink(locals.supabase, parsed.data.email, emailLinkRedirect(url.origin, safeNext(url.searchParams.get('next'))), false);
			if (sent === 'wait') return formFailure(429, 'A link was sent a moment ago: wait a minute, then ask again.', data);
		} catch (e) {
			if (e instanceof PendingAccessError) return formFailure(502, e.message, data);
			throw e;
		}
		return { linkSent: parsed.data.email };
	}
};
