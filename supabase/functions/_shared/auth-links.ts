// Sign-up invitations through Supabase Auth: admin generateLink with type
// "invite" makes (or reuses) Supabase's own invited user for the address and
// returns the link that confirms it and signs it in, without Auth sending an
// email itself, so the invitation says who invited whom to what. The link
// lands on the web app's /auth/callback, which then opens `next`.
import { authCallback } from './links.ts';
import { serviceClient } from './supabase.ts';

export type InvitationLink = { kind: 'sign_up'; link: string } | { kind: 'has_account' };

export async function invitationLink(email: string, next: string): Promise<InvitationLink> {
	const { data, error } = await serviceClient().auth.admin.generateLink({ type: 'invite', email, options: { redirectTo: authCallback(next) } });
	if (error) {
		// The address was confirmed meanwhile: it is an account now. (Auth servers older than
		// error codes say so only in the message; any other 422 is a real failure.)
		if (error.code === 'email_exists' || (error.status === 422 && /already (been )?registered/i.test(error.message))) return { kind: 'has_account' };
		throw new Error(`Auth could not make an invitation link: ${error.message}`);
	}
	return { kind: 'sign_up', link: data.properties.action_link };
}
