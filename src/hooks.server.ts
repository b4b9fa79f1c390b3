import { redirect } from '@sveltejs/kit';
import { sequence, type Handle } from '@sveltejs/kit/hooks';
import { csrfGuard, securityHeaders } from '#lib/server/http-security.ts';
import { createSupabaseServerClient } from '#lib/supabase/server.ts';
import { isJobLink } from '#lib/tools-ui/job-link.ts';
import { parseTheme, THEME_COOKIE } from '#lib/ui/theme.ts';

/** Renders the page in the theme the person chose (app.html's data-theme), so it never flashes the other one. */
const theme: Handle = async ({ event, resolve }) => {
	const chosen = parseTheme(event.cookies.get(THEME_COOKIE));
	return resolve(event, { transformPageChunk: ({ html }) => html.replace('%foldwork.theme%', chosen) });
};

/** Builds the per-request Supabase client and a verified identity. */
const supabase: Handle = async ({ event, resolve }) => {
	event.locals.supabase = createSupabaseServerClient(event);
	// getUser() asks the Auth server, so a forged or revoked session cookie is not trusted.
	event.locals.getUser = async () => {
		const { data, error } = await event.locals.supabase.auth.getUser();
		return error ? null : data.user;
	};
	return resolve(event, {
		filterSerializedResponseHeaders: (name) => name === 'content-range' || name === 'x-supabase-api-version'
	});
};

/**
 * /app/* needs a signed-in user, except opening a job link
 * (/app/tools/<tool>?jobId=<uuid>): row level security then shows a public
 * job to anyone, and the page sends other visitors to sign in.
 */
const authGuard: Handle = async ({ event, resolve }) => {
	if (event.url.pathname.startsWith('/app')) {
		const user = await event.locals.getUser();
		if (user) event.locals.user = user;
		else if (!(event.request.method === 'GET' && isJobLink(event.url))) {
			redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
		}
	}
	return resolve(event);
};

export const handle = sequence(csrfGuard, securityHeaders, theme, supabase, authGuard);
