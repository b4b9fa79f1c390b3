// The browser's side of large job inputs: each large text of the input
// (input-refs.ts) is uploaded into the submitter's own upload folder of the
// job-files bucket, "<team>/uploads/<user>/<upload id>/<key>", with its
// SHA-256, before submit_job claims them; and the reverse, for running a
// job again from the form: its input files read back as text.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { findFileRefs, replaceFileRefs, type ExternalText } from './input-refs.ts';
import { fetchText, jobFileUrls } from './signed-urls.ts';

export const JOB_FILES_BUCKET = 'job-files';

/** What submit_job's `files` takes for each uploaded input. */
export interface SubmittedFile {
	name: string;
	path: string;
	sha256: string;
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
	return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A Storage key segment from a file name (Storage takes only some ASCII characters). */
export function uploadKeyName(name: string): string {
	const key = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '').slice(0, 100);
	return key || 'file';
}

export function uploadFolder(teamId: string, userId: string): string {
	return `${teamId}/uploads/${userId}`;
}

/**
 * Uploads each text into the caller's own folder; `onProgress` is told which
 * file is going. On a failure the ones already uploaded are removed again.
 */
export async function uploadInputTexts(
	supabase: SupabaseClient,
	where: { teamId: string; userId: string },
	texts: ExternalText[],
	onProgress: (name: string, index: number) => void = () => {}
): Promise<SubmittedFile[]> {
	const done: SubmittedFile[] = [];
	try {
		for (const [index, file] of texts.entries()) {
			onProgress(file.name, index);
			const bytes = new TextEncoder().encode(file.text);
			const path = `${uploadFolder(where.teamId, where.userId)}/${crypto.randomUUID()}/${uploadKeyName(file.name)}`;
			const { error } = await supabase.storage.from(JOB_FILES_BUCKET).upload(path, bytes, { contentType: file.mediaType, upsert: false });
			if (error) throw new Error(`Could not upload ${file.name}: ${error.message}`);
			done.push({ name: file.name, path, sha256: await sha256Hex(bytes) });
		}
		return done;
	} catch (error) {
		await discardUploads(supabase, done);
		throw error;
	}
}

/** Removes uploads that were not submitted after all (best effort: the fleet removes them when they expire anyway). */
export async function discardUploads(supabase: SupabaseClient, files: SubmittedFile[]): Promise<void> {
	if (files.length === 0) return;
	await supabase.storage
		.from(JOB_FILES_BUCKET)
		.remove(files.map((f) => f.path))
		.catch(() => {});
}

const inputFilesSchema = z.array(z.object({ id: z.uuid(), name: z.string() }));

/** The job's input with its files' text put back (a member of the job's team reads them), for the form. */
export async function inputWithFileTexts(supabase: SupabaseClient, jobId: string, input: unknown): Promise<unknown> {
	const names = findFileRefs(input);
	if (names.size === 0) return input;
	const { data, error } = await supabase.from('job_files').select('id, name').eq('job_id', jobId).eq('kind', 'input');
	if (error) throw new Error(`Could not load the job's input files: ${error.message}`);
	const files = inputFilesSchema.parse(data).filter((f) => names.has(f.name));
	const urls = await jobFileUrls(supabase, files.map((f) => f.id));
	const texts = new Map<string, string>();
	for (const f of files) {
		const signed = urls.get(f.id);
		if (!signed) throw new Error(`The input file ${f.name} is not available`);
		texts.set(f.name, await fetchText(signed.url));
	}
	return replaceFileRefs(input, texts);
}
