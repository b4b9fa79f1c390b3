// Getting at a job file's bytes, which live in the private job-files bucket:
// the job-file-urls edge function checks the job by id as the caller and
// hands back short-lived signed URLs (for the job's team, and for people
// with the link, signed in or not: supabase/functions/job-file-urls), then
// plain fetches read them, whole or only their head (a Range request).
// Browser and server both use it (the server with the visitor's client).
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { functionRefusal } from '#lib/supabase/functions.ts';

export interface SignedFile {
	id: string;
	name: string;
	mediaType: string;
	sizeBytes: number;
	url: string;
	expiresAt: string;
}

const answerSchema = z.object({
	files: z.array(
		z.object({ id: z.string(), name: z.string(), media_type: z.string(), size_bytes: z.coerce.number(), url: z.string().url(), expires_at: z.string() })
	)
});

/** Signed URLs of the files the caller may open, by file id (the others are absent). */
export async function jobFileUrls(supabase: SupabaseClient, fileIds: string[], options: { download?: boolean; expiresIn?: number } = {}): Promise<Map<string, SignedFile>> {
	const found = new Map<string, SignedFile>();
	if (fileIds.length === 0) return found;
	const { data, error } = await supabase.functions.invoke('job-file-urls', {
		body: { file_ids: fileIds, download: options.download ?? false, ...(options.expiresIn ? { expires_in: options.expiresIn } : {}) }
	});
	if (error) {
		const refusal = await functionRefusal(error);
		throw new Error(refusal ? refusal.message : `Could not get the file links: ${error.message}`);
	}
	for (const f of answerSchema.parse(data).files) {
		found.set(f.id, { id: f.id, name: f.name, mediaType: f.media_type, sizeBytes: f.size_bytes, url: f.url, expiresAt: f.expires_at });
	}
	return found;
}

export async function jobFileUrl(supabase: SupabaseClient, fileId: string, options: { download?: boolean } = {}): Promise<SignedFile | null> {
	return (await jobFileUrls(supabase, [fileId], options)).get(fileId) ?? null;
}

export interface FetchedHead {
	bytes: Uint8Array;
	/** The whole file's size (from Content-Range when only part came). */
	totalBytes: number;
	/** Whether `bytes` is only the start of the file. */
	partial: boolean;
}

/**
 * The first `maxBytes` of the file at `url` (a Range request: a large file
 * is never downloaded to show its start), or all of it when smaller.
 */
export async function fetchHead(url: string, maxBytes: number, fetcher: typeof fetch = fetch): Promise<FetchedHead> {
	const response = await fetcher(url, { headers: { range: `bytes=0-${maxBytes - 1}` } });
	if (response.status === 416) {
		// An empty file has no byte 0.
		await response.body?.cancel();
		return { bytes: new Uint8Array(), totalBytes: 0, partial: false };
	}
	if (!response.ok) throw new Error(`The file could not be read (${response.status}).`);
	if (response.status === 206) {
		const total = Number(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? NaN);
		const bytes = new Uint8Array(await response.arrayBuffer());
		const totalBytes = Number.isFinite(total) ? total : bytes.length;
		return { bytes, totalBytes, partial: bytes.length < totalBytes };
	}
	// A server that ignores Range sends everything: keep only the head.
	const bytes = new Uint8Array(await response.arrayBuffer());
	return { bytes: bytes.subarray(0, maxBytes), totalBytes: bytes.length, partial: bytes.length > maxBytes };
}

/** The whole file at `url` as UTF-8 text. */
export async function fetchText(url: string, fetcher: typeof fetch = fetch): Promise<string> {
	const response = await fetcher(url);
	if (!response.ok) throw new Error(`The file could not be read (${response.status}).`);
	return await response.text();
}
