// Links in emails, all built from SITE_URL (the web app's public address).
const DEFAULT_SITE_URL = 'http://127.0.0.1:5173';

function siteUrl(): string {
	const raw = Deno.env.get('SITE_URL') || DEFAULT_SITE_URL;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new Error(`SITE_URL must be an absolute http(s) URL, not "${raw}"`);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`SITE_URL must be an http(s) URL, not "${raw}"`);
	return url.href.replace(/\/+$/, '');
}

/** `path` (starting with /) on the web app. */
export function appLink(path: string): string {
	return `${siteUrl()}${path}`;
}

export function jobPath(toolId: string, jobId: string): string {
	return `/app/tools/${encodeURIComponent(toolId)}?jobId=${encodeURIComponent(jobId)}`;
}

export function teamInvitePath(inviteId: string): string {
	return `/app/team/invites/${encodeURIComponent(inviteId)}`;
}

/**
 * Where a person without an account starts: the web app's sign-up page with
 * their address filled in, then `next`. No token and nothing the sender wrote:
 * the page offers a password-less sign-up (an emailed link, then a password of
 * their own choosing), and what waits for the address attaches once it is
 * proven theirs.
 */
export function signUpLink(email: string, next: string): string {
	return appLink(`/signup?email=${encodeURIComponent(email)}&next=${encodeURIComponent(next)}`);
}

/**
 * Where a person with an account opens what was shared with them: the web
 * app attaches the shares waiting for their address (after signing in, and
 * once their credentials are proven), then opens `next`.
 */
export function pendingAccessLink(next: string): string {
	return appLink(`/auth/pending?next=${encodeURIComponent(next)}`);
}
