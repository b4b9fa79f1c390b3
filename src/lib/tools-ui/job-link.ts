// A job link: /app/tools/<tool>?jobId=<uuid>, the URL "copy link" gives.
// It is the one /app page a visitor without a session (or without a team)
// may open; the database's row level security decides what they then see.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOOL_PAGE = /^\/app\/tools\/[a-z0-9]+(?:-[a-z0-9]+)*\/?$/;

export function isUuid(value: string | null | undefined): value is string {
	return typeof value === 'string' && UUID.test(value);
}

export function isJobLink(url: URL): boolean {
	return TOOL_PAGE.test(url.pathname) && isUuid(url.searchParams.get('jobId'));
}

export function jobLink(toolId: string, jobId: string): string {
	return `/app/tools/${encodeURIComponent(toolId)}?jobId=${encodeURIComponent(jobId)}`;
}
