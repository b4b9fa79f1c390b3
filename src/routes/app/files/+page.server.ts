import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { listTeamFiles } from '#lib/files/list.ts';
import { loadPreview } from '#lib/files/preview.ts';
import { parseFilesQuery } from '#lib/files/query.ts';
import { errorMessage } from '#lib/ui/toasts.svelte.ts';
import { toolCatalog } from '#lib/tools/catalog.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, parent, depends }) => {
	// Read again when the team's topic says a file or job came or went.
	depends('app:files');
	const { team } = await parent();
	if (!team) error(403, 'Choose a team first.');
	const query = parseFilesQuery(url.searchParams);
	try {
		const page = await listTeamFiles(locals.supabase, team.id, query);
		return { query, page, tools: toolCatalog.map((t) => ({ id: t.id, name: t.name })) };
	} catch (e) {
		error(500, `Could not load the files: ${errorMessage(e)}`);
	}
};

const previewForm = z.union([z.object({ file_id: z.uuid() }), z.object({ job_id: z.uuid() })]);

export const actions: Actions = {
	preview: async ({ request, locals }) => {
		const parsed = previewForm.safeParse(Object.fromEntries(await request.formData()));
		if (!parsed.success) return fail(400, { message: 'Choose a file to preview.' });
		const target = 'file_id' in parsed.data ? { fileId: parsed.data.file_id } : { inputOfJob: parsed.data.job_id };
		try {
			const preview = await loadPreview(locals.supabase, target);
			if (!preview) return fail(404, { message: 'That file is gone: its job was deleted, or you can no longer see it.' });
			return { preview };
		} catch (e) {
			error(500, `Could not load the preview: ${errorMessage(e)}`);
		}
	}
};
