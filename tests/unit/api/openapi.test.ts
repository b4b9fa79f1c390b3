// The API's OpenAPI document: valid OpenAPI 3.1 (checked against the official
// schema by @seriousme/openapi-schema-validator), in step with the zod
// contract it is generated from, and the committed copy fresh.
import { readFile } from 'node:fs/promises';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_JOB_STATUSES, apiRoutes, matchRoute } from '../../../src/lib/api/contract.ts';
import { buildOpenApiDocument } from '../../../src/lib/api/openapi.ts';
import { OPENAPI_COPY, openApiJson } from '../../../src/lib/api/openapi-copy.ts';
import { toolRequestExamples } from '../../../src/lib/api/tool-examples.ts';
import { JOB_STATUSES } from '../../../src/lib/jobs/status.ts';
import { toolRegistry } from '../../../src/lib/tools/registry.ts';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
	const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as Record<string, unknown>;
	return rest;
};

describe('the OpenAPI document', () => {
	it('is valid OpenAPI 3.1', async () => {
		const validator = new Validator();
		const result = await validator.validate(JSON.parse(await openApiJson()));
		expect(result.errors ?? []).toEqual([]);
		expect(result.valid).toBe(true);
		expect(validator.version).toBe('3.1');
	});

	it('a broken document is refused by the same check (the check can fail)', async () => {
		const document = JSON.parse(await openApiJson());
		document.paths['/v1/jobs'].post.responses = 'none';
		expect((await new Validator().validate(document)).valid).toBe(false);
	});

	it('has every route of the contract with its zod schemas, parameters and errors', async () => {
		const document = buildOpenApiDocument({ examples: await toolRequestExamples() });
		const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods)) as Array<{ operationId: string }>;
		expect(operations.map((o) => o.operationId).sort()).toEqual(apiRoutes.map((r) => r.id).sort());
		for (const route of apiRoutes) {
			const operation = document.paths[route.path]?.[route.method.toLowerCase()] as {
				responses: Record<string, { content?: Record<string, { schema: { $ref: string } }>; $ref?: string }>;
				requestBody?: { content: Record<string, { schema: { $ref: string } }> };
				parameters: Array<{ name: string; in: string }>;
			};
			expect(operation, `${route.method} ${route.path}`).toBeDefined();
			const success = operation.responses[String(route.status ?? 200)];
			const responseName = success.content!['application/json'].schema.$ref.split('/').pop()!;
			expect(document.components.schemas[responseName], `${route.id} response`).toEqual(jsonSchema(route.response, 'output'));
			if (route.request) {
				const requestName = operation.requestBody!.content['application/json'].schema.$ref.split('/').pop()!;
				expect(document.components.schemas[requestName], `${route.id} request`).toEqual(jsonSchema(route.request, 'input'));
			} else expect(operation.requestBody).toBeUndefined();
			const expected = [
				...Object.keys(route.params?.shape ?? {}).map((name) => `path:${name}`),
				...Object.keys(route.query?.shape ?? {}).map((name) => `query:${name}`)
			];
			expect(operation.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(expected.sort());
			for (const status of route.errors) expect(operation.responses[String(status)], `${route.id} ${status}`).toBeDefined();
			// The edge function routes by the same table.
			const concretePath = route.path.replace('{id}', '7b0c7a43-1c1f-4c38-9a36-0e4b8c1d2e3f');
			const match = matchRoute(route.method, concretePath);
			expect(match.route?.id).toBe(route.id);
		}
	});

	it('the committed copy is the generated document (npm run api:openapi)', async () => {
		expect(await readFile(OPENAPI_COPY, 'utf8'), `${OPENAPI_COPY} is stale: run npm run api:openapi`).toBe(await openApiJson());
	});

	it('has a request example for every enabled tool, one the tool itself accepts', async () => {
		const document = buildOpenApiDocument({ examples: await toolRequestExamples() });
		const enabled = Object.values(toolRegistry).filter((spec) => spec.catalog.enabled);
		expect(Object.keys(document.components.examples).sort()).toEqual(enabled.map((spec) => spec.catalog.id).sort());
		for (const spec of enabled) {
			const example = document.components.examples[spec.catalog.id] as { value: { tool: string; input: unknown } };
			expect(spec.inputSchema.safeParse(example.value.input).success, spec.catalog.id).toBe(true);
		}
	});
});

describe('the contract', () => {
	it('names the same job statuses as the app', () => {
		expect([...API_JOB_STATUSES]).toEqual([...JOB_STATUSES]);
	});

	it('finds no route for unknown paths and says when only the method is wrong', () => {
		expect(matchRoute('GET', '/v1/nothing')).toEqual({ route: null, pathMatched: false });
		expect(matchRoute('PUT', '/v1/jobs')).toEqual({ route: null, pathMatched: true });
	});
});
