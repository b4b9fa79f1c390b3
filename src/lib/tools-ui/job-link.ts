// A job's URLs, all made here. The job link, /app/tools/<tool>?jobId=<uuid>,
// is the URL "copy link" gives. It and one job's archive,
// /app/archive?ids=<uuid>, are the /app URLs a visitor without a session
// (or without a team) may open; the database's row level security decides
// what they then see. The duplicate link opens the tool's form prefilled
// from a job.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOOL_PAGE = /^\/app\/tools\/[a-z0-9]+(?:-[a-z0-9]+)*\/?$/;
const ARCHIVE_PATH = '/app/archive';

export function isUuid(value: string | null | undefined): value is string {
	return typeof value === 'string' && UUID.test(value);
}

export function isJobLink(url: URL): boolean {
	return TOOL_PAGE.test(url.pathname) && isUuid(url.searchParams.get('jobId'));
}

/** One job's archive (what the job menu links to; several jobs at once are for signed-in people). */
export function isJobArchiveLink(url: URL): boolean {
	return url.pathname === ARCHIVE_PATH && isUuid(url.searchParams.get('ids'));
}

export function jobLink(toolId: string, jobId: string): string {
	return `/app/tools/${encodeURIComponent(toolId)}?jobId=${encodeURIComponent(jobId)}`;
}

/** The tool page's form, prefilled from a job (completed: Duplicate; failed, timed out or cancelled: Edit and run again). */
export function duplicateLink(toolId: string, jobId: string): string {
	return `/app/tools/${encodeURIComponent(toolId)}?duplicate=${encodeURIComponent(jobId)}`;
}

/** The ZIP archive of jobs (inputs, outputs, results, RO-Crate metadata): src/routes/app/archive. */
export function archiveHref(jobIds: string[]): string {
	return `${ARCHIVE_PATH}?ids=${jobIds.map(encodeURIComponent).join(',')}`;
}
