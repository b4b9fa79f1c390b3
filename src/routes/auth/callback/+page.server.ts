// Where emailed links land: sign-up confirmation, password recovery and
// magic links. PKCE links carry `code`, template links carry `token_hash`;
// links made without PKCE carry the session in the URL fragment, which only
// the browser sees (handled by +page.svelte). Once signed in, the person
// passes the gate (/auth/pending), which attaches what was shared with
// their address, or asks for a new password first, then opens `next`.
import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { safeNext } from '#lib/forms/auth-schemas.ts';
import { pendingAccessPath } from '#lib/teams/pending-access.ts';
import type { PageServerLoad } from './$types';

const otpType = z.enum(['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email']);

export const load: PageServerLoad = async ({ url, locals }) => {
	const next = safeNext(url.searchParams.get('next'));
	const code = url.searchParams.get('code');
	const tokenHash = url.searchParams.get('token_hash');
	const linkError = url.searchParams.get('error_description') ?? url.searchParams.get('error');
	if (linkError) return { next, error: linkError, otherBrowser: false };
	if (code) {
		const { error } = await locals.supabase.auth.exchangeCodeForSession(code);
		// Auth confirmed the address before redirecting here; only signing in needs the
		// browser where the link was asked for (it holds the PKCE verifier). Say so, plainly.
		if (error?.code === 'pkce_code_verifier_not_found') return { next, error: null, otherBrowser: true };
		if (error) return { next, error: 'This link cannot sign you in: it has expired or was used already. Ask for a new one.', otherBrowser: false };
		redirect(303, pendingAccessPath(next));
	}
	if (tokenHash) {
		const type = otpType.safeParse(url.searchParams.get('type'));
		if (!type.success) return { next, error: 'This link is incomplete: its type is missing. Ask for a new one.', otherBrowser: false };
		const { error } = await locals.supabase.auth.verifyOtp({ token_hash: tokenHash, type: type.data });
		if (error) return { next, error: `This link has expired or was used already. Ask for a new one.`, otherBrowser: false };
		redirect(303, pendingAccessPath(next));
	}
	return { next, error: null, otherBrowser: false };
};
