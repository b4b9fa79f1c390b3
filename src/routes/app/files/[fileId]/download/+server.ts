// One job file as an attachment, read through RLS as the signed-in caller:
// a file of a job they may not see is answered 404, like one that does not exist.
import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { attachmentDisposition, loadJobFileContent, type JobFileContent } from '#lib/jobs/job-view.ts';
import type { RequestHandler } from './$types';

const paramsSchema = z.object({ fileId: z.uuid() });
const CHUNK = 64 * 1024;

export const GET: RequestHandler = async ({ params, locals }) => {
	const parsed = paramsSchema.safeParse(params);
	if (!parsed.success) error(404, 'No such file.');
	let file: JobFileContent | null;
	try {
		file = await loadJobFileContent(locals.supabase, parsed.data.fileId);
	} catch (e) {
		console.error('file download', e);
		error(502, 'The file could not be read. Please try again.');
	}
	if (!file) error(404, 'No such file, or you cannot see it.');
	const bytes = file.bytes;
	let offset = 0;
	// In pieces, so a large file starts arriving at once and is not copied whole again.
	const body = new ReadableStream<Uint8Array>({
		pull(controller) {
			if (offset >= bytes.length) return controller.close();
			controller.enqueue(bytes.subarray(offset, offset + CHUNK));
			offset += CHUNK;
		}
	});
	return new Response(body, {
		headers: {
			'content-type': file.media_type,
			'content-length': String(bytes.length),
			'content-disposition': attachmentDisposition(file.name),
			'x-content-type-options': 'nosniff',
			'cache-control': 'private, no-store'
		}
	});
};
