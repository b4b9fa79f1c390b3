// A job's input with its large texts read back from Storage: the input
// holds {"$file": "<name>"} where a file's text was (src/lib/files/input-refs.ts).
// Only files small enough to draw are read (a 3D viewer takes up to 8 MiB);
// larger ones stay references, which the result views leave out.
import { findFileRefs, replaceFileRefs } from '#lib/files/input-refs.ts';
import type { LoadFileText } from '#lib/components/results/file-text.ts';
import type { JobFileMeta } from '#lib/jobs/job-view.ts';

export const READ_BACK_MAX_BYTES = 8 * 1024 * 1024;

export async function inputWithFiles(input: Record<string, unknown>, files: readonly JobFileMeta[], loadText: LoadFileText): Promise<Record<string, unknown>> {
	const names = findFileRefs(input);
	if (names.size === 0) return input;
	const texts = new Map<string, string>();
	await Promise.all(
		[...names].map(async (name) => {
			const file = files.find((f) => f.kind === 'input' && f.name === name);
			if (!file || !file.stored || file.size_bytes > READ_BACK_MAX_BYTES) return;
			const text = await loadText(file.id);
			if (text !== null) texts.set(name, text);
		})
	);
	return replaceFileRefs(input, texts) as Record<string, unknown>;
}
