// Where a visitor goes who must sign in to open a URL: the login page, which
// brings them back to that URL (path and query) afterwards.

export function signInLink(url: Pick<URL, 'pathname' | 'search'>): string {
	return `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
}
