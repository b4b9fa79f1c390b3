// The committed copy of the OpenAPI document (docs/api/openapi.json): how it
// is written, shared by `npm run api:openapi` and the test that it is fresh.
import { buildOpenApiDocument } from './openapi.ts';
import { toolRequestExamples } from './tool-examples.ts';

export const OPENAPI_COPY = 'docs/api/openapi.json';

/** The document for the local stack's URL, as the committed copy holds it. */
export async function openApiJson(): Promise<string> {
	return `${JSON.stringify(buildOpenApiDocument({ examples: await toolRequestExamples() }), null, '\t')}\n`;
}
