// The one-click unsubscribe of notification emails: no sign-in, the token in
// the link is the proof (it names one person, and only their settings
// change). A GET shows what the link does and a button; the POST (the
// button, or a mail client's RFC 8058 one-click POST to the List-Unsubscribe
// address, which carries no Origin: src/lib/server/http-security.ts lets this
// path through) turns the emails off.
import { fail } from '@sveltejs/kit';
import { KIND_LABELS } from '#lib/notifications/kinds.ts';
import { unsubscribe, unsubscribeParams } from '#lib/notifications/notifications.ts';
import { errorMessage } from '#lib/ui/toasts.svelte.ts';
import type { Actions, PageServerLoad } from './$types';

function linkOf(url: URL) {
	return unsubscribeParams.safeParse({ token: url.searchParams.get('token') ?? '', event: url.searchParams.get('event') ?? 'all' });
}

export const load: PageServerLoad = async ({ url }) => {
	const link = linkOf(url);
	if (!link.success) return { valid: false as const, what: null };
	return { valid: true as const, what: link.data.event === 'all' ? 'notification emails' : `emails about "${KIND_LABELS[link.data.event]}"` };
};

export const actions: Actions = {
	default: async ({ locals, url }) => {
		const link = linkOf(url);
		if (!link.success) return fail(400, { message: 'This unsubscribe link is not complete: open it from the email again.' });
		try {
			const kinds = await unsubscribe(locals.supabase, link.data.token, link.data.event);
			return { done: kinds.length };
		} catch (e) {
			return fail(400, { message: errorMessage(e) });
		}
	}
};
