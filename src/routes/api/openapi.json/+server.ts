import { json } from '@sveltejs/kit';
import { PUBLIC_SUPABASE_URL } from '$app/env/public';
import { buildOpenApiDocument } from '#lib/api/openapi.ts';
import { toolRequestExamples } from '#lib/api/tool-examples.ts';
import type { RequestHandler } from './$types';

// The API's OpenAPI 3.1 document, generated from the contract, for this
// deployment's Supabase URL. Public: it describes the API, it grants nothing.
export const GET: RequestHandler = async () =>
	json(buildOpenApiDocument({ supabaseUrl: PUBLIC_SUPABASE_URL, examples: await toolRequestExamples() }), {
		headers: { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' }
	});
