// The gate between signing in and what was shared with the person's
// address: it attaches the job shares waiting for it (once the credentials
// are proven), or asks for the missing step (a new password in an
// emailed-link session, or an emailed link first), then opens `next`.
// Emailed "shared with you" links, sign-ins and /auth/callback land here.
import { redirect } from '@sveltejs/kit';
import { safeNext } from '#lib/forms/auth-schemas.ts';
import { formFailure } from '#lib/forms/parse.ts';
import {
	claimPendingAccess,
	emailLinkRedirect,
	loadAccountAccess,
	newPasswordPath,
	PendingAccessError,
	sendSignInLink
} from '#lib/teams/pending-access.ts';
import type { Actions, PageServerLoad } from './$types';
import { signInLink } from '#lib/auth/sign-in-link.ts';

export const load: PageServerLoad = async ({ locals, url }) => {
	const next = safeNext(url.searchParams.get('next'));
	const user = await locals.getSessionUser();
	if (!user) redirect(303, signInLink(url));
	const access = await loadAccountAccess(locals.supabase);
	if (access.credentialsProven) {
		if (access.pendingShares > 0) {
			try {
				await claimPendingAccess(locals.supabase);
			} catch (e) {
				if (!(e instanceof PendingAccessError)) throw e;
				return { next, email: user.email ?? '', problem: e.message };
			}
		}
		redirect(303, next);
	}
	if (access.pendingShares + access.pendingInvites === 0) redirect(303, next);
	if (access.state === 'choose_password') redirect(303, newPasswordPath(next));
	return { next, email: user.email ?? '', problem: null };
};

export const actions: Actions = {
	// Emails a sign-in link to the signed-in person's own address.
	link: async ({ locals, url, request }) => {
		const data = await request.formData();
		// Ask Auth (not only the token): the address must be the account's now, and the session live.
		const { data: current } = await locals.supabase.auth.getUser();
		const user = current.user;
		if (!user?.email) redirect(303, signInLink(url));
		const next = safeNext(url.searchParams.get('next'));
		try {
			const sent = await sendSignInLink(locals.supabase, user.email, emailLinkRedirect(url.origin, next), false);
			if (sent === 'wait') return formFailure(429, 'A link was sent a moment ago: wait a minute, then ask again.', data);
		} catch (e) {
			if (e instanceof PendingAccessError) return formFailure(502, e.message, data);
			throw e;
		}
		return { sent: user.email };
	}
};
