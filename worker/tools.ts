// The tools this worker can run: the registry of src/lib/tools and (tests
// only) the tools exported by the module named in FOLDWORK_EXTRA_TOOLS.
// Production workers never set that variable.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { toolRegistry } from '#lib/tools/registry.ts';
import type { ToolDefinition, ToolResult } from '#lib/tools/types.ts';

export type RunnableTool = ToolDefinition<any, any, ToolResult>;

const isSchema = (v: unknown) => typeof (v as { safeParse?: unknown } | null)?.safeParse === 'function';

const extraModuleSchema = z.object({
	tools: z.array(
		z.looseObject({
			catalog: z.looseObject({ id: z.string().min(1) }),
			inputSchema: z.custom<z.ZodType>(isSchema, 'inputSchema must be a zod schema'),
			settingsSchema: z.custom<z.ZodType>(isSchema, 'settingsSchema must be a zod schema'),
			run: z.custom<RunnableTool['run']>((v) => typeof v === 'function', 'run must be a function')
		})
	)
});

export async function loadTools(extraModule: string | null): Promise<Map<string, RunnableTool>> {
	const tools = new Map<string, RunnableTool>(Object.entries(toolRegistry));
	if (extraModule) {
		const url = pathToFileURL(path.resolve(extraModule)).href;
		const parsed = extraModuleSchema.safeParse(await import(url));
		if (!parsed.success) throw new Error(`FOLDWORK_EXTRA_TOOLS (${extraModule}) must export tools: ToolDefinition[]: ${parsed.error.message}`);
		for (const tool of parsed.data.tools) tools.set(tool.catalog.id, tool as unknown as RunnableTool);
	}
	return tools;
}
