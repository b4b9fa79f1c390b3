import { redirect } from '@sveltejs/kit';
import { sequence, type Handle } from '@sveltejs/kit/hooks';
import { csrfGuard, securityHeaders } from '#lib/server/http-security.ts';
import { createSupabaseServerClient } from '#lib/supabase/server.ts';
import { sessionUserFromClaims, type SessionUser } from '#lib/supabase/session-user.ts';
import { isJobArchiveLink, isJobLink } from '#lib/tools-ui/job-link.ts';
import { parseTheme, THEME_COOKIE } from '#lib/ui/theme.ts';
import { signInLink } from '#lib/auth/sign-in-link.ts';

/** Renders the page in the theme the person chose (app.html's data-theme), so it never flashes the other one. */
const theme: Handle = async ({ event, resolve }) => {
	const chosen = parseTheme(event.cookies.get(THEME_COOKIE));
	return resolve(event, { transformPageChunk: ({ html }) => html.replace('%foldwork.theme%', chosen) });
};

/** Builds the per-request Supabase client and a verified identity. */
const supabase: Handle = async ({ event, resolve }) => {
	event.locals.supabase = createSupabaseServerClient(event);
	// getClaims() verifies the session's access token here, against the
	// project's published signing keys (cached; Supabase's SvelteKit guide),
	// so a forged or expired cookie is not trusted and no request waits on
	// Auth. Whether the session was ended since is the database's check on
	// every query (see session-user.ts). An HS256-only project makes
	// getClaims() ask Auth instead, as getUser() did.
	let verified: Promise<SessionUser | null> | undefined;
	event.locals.getSessionUser = () =>
		(verified ??= event.locals.supabase.auth.getClaims().then(({ data, error }) => (error ? null : sessionUserFromClaims(data?.claims))));
	return resolve(event, {
		filterSerializedResponseHeaders: (name) => name === 'content-range' || name === 'x-supabase-api-version'
	});
};

/**
 * /app/* needs a signed-in user, except opening a job link
 * (/app/tools/<tool>?jobId=<uuid>) or one job's archive
 * (/app/archive?ids=<uuid>): row level security then shows a public job to
 * anyone, and the page or the archive sends other visitors to sign in.
 */
const authGuard: Handle = async ({ event, resolve }) => {
	if (event.url.pathname.startsWith('/app')) {
		const user = await event.locals.getSessionUser();
		if (user) event.locals.user = user;
		else if (!(event.request.method === 'GET' && (isJobLink(event.url) || isJobArchiveLink(event.url)))) {
			redirect(303, signInLink(event.url));
		}
	}
	return resolve(event);
};

export const handle = sequence(csrfGuard, securityHeaders, theme, supabase, authGuard);
