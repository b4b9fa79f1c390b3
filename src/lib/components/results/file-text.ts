// How result views read a job file's text (the job detail view supplies it,
// reading through RLS as the viewer). One read per file per page.
import type { JobFileMeta } from '#lib/jobs/job-view.ts';

export type LoadFileText = (fileId: string) => Promise<string | null>;

export function findFile(files: readonly JobFileMeta[], name: string | null | undefined): JobFileMeta | undefined {
	return name ? files.find((f) => f.name === name) : undefined;
}

/** Remembers each file's text (or the failed read), so switching back and forth reads it once. */
export function cachedLoader(load: LoadFileText): LoadFileText {
	const cache = new Map<string, Promise<string | null>>();
	return (fileId) => {
		let text = cache.get(fileId);
		if (!text) {
			text = load(fileId);
			cache.set(fileId, text);
			text.catch(() => cache.delete(fileId));
		}
		return text;
	};
}
