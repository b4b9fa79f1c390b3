// One request example per tool for the API's docs and OpenAPI document: the
// tool's first form example (the tool registry's own), parsed by the tool
// into the input JSON the API takes, so an example can never drift from what
// the tool accepts.
import { toolRegistry } from '#lib/tools/registry.ts';
import type { ToolRequestExample } from './openapi.ts';

let cached: Promise<ToolRequestExample[]> | undefined;

async function build(): Promise<ToolRequestExample[]> {
	const examples: ToolRequestExample[] = [];
	for (const [tool, spec] of Object.entries(toolRegistry)) {
		const example = spec.examples[0];
		if (!spec.catalog.enabled || !example) continue;
		const parsed = await spec.parseInput({ text: example.text, fields: example.fields });
		// An example its own tool refuses is a defect the tools' tests catch; here it is left out.
		if (!parsed.ok) continue;
		examples.push({ tool, toolName: spec.catalog.name, label: example.label, text: example.text, input: parsed.input });
	}
	return examples;
}

/** The examples, in the registry's order (worked out once per process). */
export function toolRequestExamples(): Promise<ToolRequestExample[]> {
	cached ??= build().catch((error: unknown) => {
		cached = undefined;
		throw error;
	});
	return cached;
}
