// Choosing a password: after a recovery link, from an emailed-link sign-in,
// and (`reason=pending`) as the step invited access needs: in a session
// opened by an emailed link, a new password proves the account's
// credentials (Auth ends every other session as it changes it), so the job
// shares waiting for the address attach at once and team invites can be
// accepted.
import { redirect } from '@sveltejs/kit';
import { newPasswordSchema, safeNext } from '#lib/forms/auth-schemas.ts';
import { formFailure, parseForm } from '#lib/forms/parse.ts';
import { claimPendingAccess, loadAccountAccess, pendingAccessPath } from '#lib/teams/pending-access.ts';
import type { Actions, PageServerLoad } from './$types';
import { signInLink } from '#lib/auth/sign-in-link.ts';

/** Where to go once the password is saved; never back to this page. */
function afterSaving(url: URL): string {
	let next = safeNext(url.searchParams.get('next'));
	while (next.startsWith('/auth/update-password')) next = safeNext(new URL(next, url.origin).searchParams.get('next'));
	return next;
}

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = await locals.getSessionUser();
	if (!user) redirect(303, signInLink(url));
	return { email: user.email ?? '', pending: url.searchParams.get('reason') === 'pending' };
};

export const actions: Actions = {
	default: async ({ request, locals, url }) => {
		const data = await request.formData();
		const parsed = parseForm(newPasswordSchema, data);
		if (!parsed.ok) return parsed.failure;
		const { error } = await locals.supabase.auth.updateUser({ password: parsed.data.password });
		if (error) {
			const message = error.code === 'same_password' ? 'That is the password you have now: choose a different one.' : error.message;
			return formFailure(400, message, data, error.code === 'same_password' ? { password: message } : {});
		}
		const next = afterSaving(url);
		const access = await loadAccountAccess(locals.supabase);
		if (access.credentialsProven) {
			if (access.pendingShares > 0) await claimPendingAccess(locals.supabase);
			redirect(303, next);
		}
		// Not an emailed-link session: the gate asks for one if something waits for the address.
		redirect(303, pendingAccessPath(next));
	}
};
