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

/** Where an Auth email link lands: the web app's callback, which then opens `next`. */
export function authCallback(next: string): string {
	return appLink(`/auth/callback?next=${encodeURIComponent(next)}`);
}

/** The web app's "set a new password" page: it also confirms an invited, unconfirmed address. */
export function passwordResetLink(): string {
	return appLink('/auth/reset');
}
