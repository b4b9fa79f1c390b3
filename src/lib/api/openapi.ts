// The OpenAPI 3.1 document of the token API, generated from the contract
// (contract.ts) with zod 4's z.toJSONSchema: the schemas exist once, in zod,
// and this only arranges them. Served at /api/openapi.json and rendered on
// /docs/api; docs/api/openapi.json is the committed copy (`npm run
// api:openapi`), and tests/unit/api-openapi.test.ts fails when any of them
// drift apart.
import { z } from 'zod';
import { API_ERROR_CODES, apiErrorSchema, apiRoutes, MAX_BATCH_JOBS, type ApiRoute } from './contract.ts';

/** A tool's example as an API request: the tool's first form example, parsed into its input JSON. */
export interface ToolRequestExample {
	tool: string;
	toolName: string;
	label: string;
	/** The example as a person pastes it (a FASTA, SMILES lines, a PDB file…): what the CLI reads from a file. */
	text: string;
	input: unknown;
}

export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
	openapi: '3.1.0';
	info: { title: string; version: string; description: string };
	jsonSchemaDialect: string;
	servers: Array<{ url: string; description: string; variables: Record<string, { default: string; description: string }> }>;
	security: Array<Record<string, string[]>>;
	paths: Record<string, Record<string, unknown>>;
	components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown>; responses: Record<string, unknown>; examples: Record<string, unknown> };
}

export const API_VERSION = '1.0.0';
export const DEFAULT_SUPABASE_URL = 'http://127.0.0.1:54321';
const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

const STATUS_TEXT: Record<number, string> = {
	400: 'The request is malformed; the message names the field and what to fix',
	401: 'No token, or the token is unknown, expired or revoked',
	403: "The token's scope or the person's role does not allow this (a read token cannot write)",
	404: "No such job in the token's team",
	409: "The job's state or the team's balance does not allow this now",
	422: 'The input is not what the tool accepts',
	429: 'Too many requests with this token; wait Retry-After seconds'
};

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
	const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as JsonSchema;
	return rest;
}

/** PascalCase of a route id: its schemas' component names start with it. */
const typeName = (id: string) => id[0].toUpperCase() + id.slice(1);

function ref(name: string) {
	return { $ref: `#/components/schemas/${name}` };
}

function parametersOf(route: ApiRoute): unknown[] {
	const list: unknown[] = [];
	for (const [where, schema] of [
		['path', route.params],
		['query', route.query]
	] as const) {
		if (!schema) continue;
		const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
		for (const [name, property] of Object.entries(json.properties ?? {})) {
			const { description, ...propertySchema } = property;
			list.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), ...(description ? { description } : {}), schema: propertySchema });
		}
	}
	return list;
}

function requestExamples(route: ApiRoute, examples: readonly ToolRequestExample[]): Record<string, unknown> | undefined {
	if (route.id !== 'estimate' && route.id !== 'submitJobs') return undefined;
	return Object.fromEntries(examples.map((example) => [example.tool, { $ref: `#/components/examples/${example.tool}` }]));
}

function operationOf(route: ApiRoute, examples: readonly ToolRequestExample[]): Record<string, unknown> {
	const name = typeName(route.id);
	const success = String(route.status ?? 200);
	const content: Record<string, unknown> = { 'application/json': { schema: ref(`${name}Response`) } };
	if (route.csv) content['text/csv'] = { schema: { type: 'string' } };
	const operation: Record<string, unknown> = {
		operationId: route.id,
		summary: route.summary,
		...(route.description ? { description: route.description } : {}),
		'x-token-scope': route.scope,
		parameters: parametersOf(route),
		responses: {
			[success]: { description: route.summary, content },
			...Object.fromEntries(route.errors.map((status) => [String(status), { $ref: `#/components/responses/Error${status}` }]))
		}
	};
	if (route.request) {
		const exampleSet = requestExamples(route, examples);
		operation.requestBody = {
			required: true,
			content: { 'application/json': { schema: ref(`${name}Request`), ...(exampleSet ? { examples: exampleSet } : {}) } }
		};
	}
	return operation;
}

/** The document, for the API at `${supabaseUrl}/functions/v1/api`. */
export function buildOpenApiDocument(options: { supabaseUrl?: string; examples?: readonly ToolRequestExample[] } = {}): OpenApiDocument {
	const examples = options.examples ?? [];
	const schemas: Record<string, JsonSchema> = { Error: schemaOf(apiErrorSchema, 'output') };
	const paths: Record<string, Record<string, unknown>> = {};
	for (const route of apiRoutes) {
		const name = typeName(route.id);
		if (route.request) schemas[`${name}Request`] = schemaOf(route.request, 'input');
		schemas[`${name}Response`] = schemaOf(route.response, 'output');
		paths[route.path] ??= {};
		paths[route.path][route.method.toLowerCase()] = operationOf(route, examples);
	}
	const errorStatuses = [...new Set(apiRoutes.flatMap((route) => route.errors))].sort();
	const responses = Object.fromEntries(
		errorStatuses.map((status) => [
			`Error${status}`,
			{
				description: STATUS_TEXT[status] ?? 'Error',
				...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait before the next request', schema: { type: 'integer' } } } } : {}),
				content: { 'application/json': { schema: ref('Error') } }
			}
		])
	);
	return {
		openapi: '3.1.0',
		info: {
			title: 'Foldwork API',
			version: API_VERSION,
			description: [
				'Run computational-biology tools as jobs: estimate, submit (one job or a batch of up to ' + `${MAX_BATCH_JOBS} in one request), list, wait for changes, cancel, retry, download and export.`,
				'Authenticate with a personal access token (Settings → API tokens): `Authorization: Bearer fwp_…`. A token belongs to one team and is `read` or `write`; it acts as the person who made it, through the same database rules as the web app.',
				`Errors are \`{"error": {"code", "message"}}\`; codes: ${Object.keys(API_ERROR_CODES).join(', ')}. Each token has a rate limit: past it, 429 with Retry-After.`
			].join('\n\n')
		},
		jsonSchemaDialect: DIALECT,
		servers: [
			{
				url: '{supabaseUrl}/functions/v1/api',
				description: "The api edge function of the project's Supabase",
				variables: { supabaseUrl: { default: options.supabaseUrl ?? DEFAULT_SUPABASE_URL, description: "The Supabase project's URL" } }
			}
		],
		security: [{ token: [] }],
		paths,
		components: {
			schemas,
			securitySchemes: { token: { type: 'http', scheme: 'bearer', bearerFormat: 'fwp_ personal access token', description: 'A personal access token: fwp_ and 43 characters' } },
			responses,
			// One request per tool, shared by estimate and submit (the same body works for both).
			examples: Object.fromEntries(
				examples.map((example) => [example.tool, { summary: `${example.toolName}: ${example.label}`, value: { tool: example.tool, input: example.input } }])
			)
		}
	};
}
