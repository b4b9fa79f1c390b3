import { PUBLIC_SUPABASE_URL } from '$app/env/public';
import { DOC_LIMITS, routeDocs, toolExampleDoc } from '#lib/api/docs.ts';
import { toolRequestExamples } from '#lib/api/tool-examples.ts';
import type { PageServerLoad } from './$types';

// Public, like the document it renders (/api/openapi.json).
export const load: PageServerLoad = async ({ parent }) => {
	const { user } = await parent();
	return {
		signedIn: Boolean(user),
		apiUrl: `${PUBLIC_SUPABASE_URL.replace(/\/+$/, '')}/functions/v1/api`,
		routes: routeDocs(),
		examples: (await toolRequestExamples()).map(toolExampleDoc),
		limits: DOC_LIMITS
	};
};
