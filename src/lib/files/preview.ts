// What the Files page shows of one file. The list never loads contents; a
// preview reads one file's start from Storage (a Range read through a
// signed URL, so a file of any size shows its first 256 KiB of text without
// being downloaded) and, for the 3D and 2D viewers, a whole structure or
// molecule file up to 8 MiB (a half molecule is no molecule).
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { looksBinary, textHead, textStart } from './content.ts';
import { fileTypeLabel, fileTypeOf, previewKindOf, type FileType, type PreviewKind } from './file-types.ts';
import { jobInputFile } from './job-input.ts';
import { fetchHead, jobFileUrl } from './signed-urls.ts';

export const TEXT_PREVIEW_BYTES = 256 * 1024;
export const VIEWER_MAX_BYTES = 8 * 1024 * 1024;

export interface FilePreview {
	name: string;
	type: FileType;
	typeLabel: string;
	/** How to show `text`; "none" with `reason` when it cannot be shown. */
	kind: PreviewKind;
	text: string;
	totalBytes: number;
	shownBytes: number;
	truncated: boolean;
	/** Why there is no preview, or why it is plain text instead of a viewer. */
	reason: string | null;
}

export type PreviewTarget = { fileId: string } | { inputOfJob: string };

function mib(bytes: number): string {
	return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** The preview of `bytes` as a file of `type`; `totalBytes` when `bytes` is only the file's start. */
export function previewOf(name: string, type: FileType, bytes: Uint8Array, totalBytes = bytes.length): FilePreview {
	const base = { name, type, typeLabel: fileTypeLabel(type), totalBytes };
	const partial = totalBytes > bytes.length;
	let kind = previewKindOf(type);
	if (looksBinary(bytes)) {
		return { ...base, kind: 'none', text: '', shownBytes: 0, truncated: false, reason: 'This is a binary file: download it to open it.' };
	}
	let reason: string | null = null;
	if (kind === 'none') {
		// Unknown types that are text can still be read.
		kind = 'text';
	}
	if ((kind === 'structure' || kind === 'molecule') && (totalBytes > VIEWER_MAX_BYTES || partial)) {
		reason = `At ${mib(totalBytes)} this file is too large for the ${kind === 'structure' ? '3D' : '2D'} viewer here (up to ${mib(VIEWER_MAX_BYTES)}); its text is shown instead.`;
		kind = 'text';
	}
	if (kind === 'structure' || kind === 'molecule') {
		return { ...base, kind, text: new TextDecoder().decode(bytes), shownBytes: bytes.length, truncated: false, reason };
	}
	// The start of a larger file may end inside a line: it is cut at its last line end.
	const head = partial ? textStart(bytes) : textHead(bytes, TEXT_PREVIEW_BYTES);
	return { ...base, kind, text: head.text, shownBytes: head.shownBytes, truncated: head.truncated, reason };
}

const fileMeta = z.object({ id: z.uuid(), name: z.string(), media_type: z.string(), size_bytes: z.coerce.number(), storage_path: z.string().nullable() });
const jobInput = z.object({ id: z.uuid(), name: z.string(), tool_id: z.string(), input: z.unknown() });

/** Null when the file does not exist or the caller cannot see it (RLS). */
export async function loadPreview(supabase: SupabaseClient, target: PreviewTarget): Promise<FilePreview | null> {
	if ('inputOfJob' in target) {
		const { data, error } = await supabase.from('jobs').select('id, name, tool_id, input').eq('id', target.inputOfJob).maybeSingle();
		if (error) throw error;
		if (!data) return null;
		const built = jobInputFile(jobInput.parse(data));
		return previewOf(built.name, built.type, new TextEncoder().encode(built.text));
	}
	const { data, error } = await supabase.from('job_files').select('id, name, media_type, size_bytes, storage_path').eq('id', target.fileId).maybeSingle();
	if (error) throw error;
	if (!data) return null;
	const meta = fileMeta.parse(data);
	const type = fileTypeOf(meta);
	if (meta.storage_path === null) {
		return {
			name: meta.name,
			type,
			typeLabel: fileTypeLabel(type),
			kind: 'none',
			text: '',
			totalBytes: meta.size_bytes,
			shownBytes: 0,
			truncated: false,
			reason: 'This file is being moved to storage; try again in a minute.'
		};
	}
	const signed = await jobFileUrl(supabase, meta.id);
	if (!signed) return null;
	const viewer = previewKindOf(type);
	// A structure or molecule small enough for its viewer is read whole; anything else, only its start.
	const wanted = (viewer === 'structure' || viewer === 'molecule') && meta.size_bytes <= VIEWER_MAX_BYTES ? VIEWER_MAX_BYTES : TEXT_PREVIEW_BYTES;
	const head = await fetchHead(signed.url, wanted);
	return previewOf(meta.name, type, head.bytes, head.totalBytes);
}
