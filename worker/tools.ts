// The tools this worker can run: src/lib/tools/runners.server.ts (each
// tool's form part joined with its worker part) and (tests only) the tools
// exported by the module named in FOLDWORK_EXTRA_TOOLS.
// Production workers never set that variable. At start each tool of the
// worker's class says whether this machine can run it (a program or
// service may be missing); the worker registers the ones it can, and the
// others with the reason, so their jobs wait for a worker that can.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { toolDefinitions, type AnyToolDefinition } from '#lib/tools/runners.server.ts';
import type { ComputeClass } from './config.ts';
import { describeError } from './log.ts';

export type RunnableTool = AnyToolDefinition;

const isSchema = (v: unknown) => typeof (v as { safeParse?: unknown } | null)?.safeParse === 'function';

const extraModuleSchema = z.object({
	tools: z.array(
		z.looseObject({
			catalog: z.looseObject({ id: z.string().min(1) }),
			inputSchema: z.custom<z.ZodType>(isSchema, 'inputSchema must be a zod schema'),
			settingsSchema: z.custom<z.ZodType>(isSchema, 'settingsSchema must be a zod schema'),
			run: z.custom<RunnableTool['run']>((v) => typeof v === 'function', 'run must be a function'),
			checkAvailable: z.custom<NonNullable<RunnableTool['checkAvailable']>>((v) => typeof v === 'function', 'checkAvailable must be a function').optional()
		})
	)
});

export async function loadTools(extraModule: string | null): Promise<Map<string, RunnableTool>> {
	const tools = new Map<string, RunnableTool>(Object.entries(toolDefinitions));
	if (extraModule) {
		const url = pathToFileURL(path.resolve(extraModule)).href;
		const parsed = extraModuleSchema.safeParse(await import(url));
		if (!parsed.success) throw new Error(`FOLDWORK_EXTRA_TOOLS (${extraModule}) must export tools: ToolDefinition[]: ${parsed.error.message}`);
		for (const tool of parsed.data.tools) tools.set(tool.catalog.id, tool as unknown as RunnableTool);
	}
	return tools;
}

export interface ToolAvailability {
	/** The tools of the worker's class that it runs. */
	available: Map<string, RunnableTool>;
	/** Tool id to why this machine cannot run it. */
	unavailable: Map<string, string>;
}

/**
 * Asks every tool of the class, all at once, whether this machine can run
 * it. A check that throws or does not answer within timeoutMs counts as
 * unavailable (saying so): a worker must not take jobs it may not be able
 * to run, and must not hang at start on a stuck check. Tools of the other
 * class are left out: this worker never gets their jobs.
 */
export async function checkToolAvailability(tools: Map<string, RunnableTool>, computeClass: ComputeClass, timeoutMs: number): Promise<ToolAvailability> {
	const ofClass = [...tools].filter(([, tool]) => (tool.catalog.computeClass ?? computeClass) === computeClass);
	const reasons = await Promise.all(ofClass.map(([, tool]) => availabilityOf(tool, timeoutMs)));
	const result: ToolAvailability = { available: new Map(), unavailable: new Map() };
	ofClass.forEach(([id, tool], i) => {
		const reason = reasons[i];
		if (reason === null) result.available.set(id, tool);
		else result.unavailable.set(id, reason);
	});
	return result;
}

async function availabilityOf(tool: RunnableTool, timeoutMs: number): Promise<string | null> {
	if (!tool.checkAvailable) return null;
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<string>((resolve) => {
		timer = setTimeout(() => resolve(`its availability check did not answer within ${timeoutMs} ms`), timeoutMs);
	});
	try {
		const check = Promise.resolve().then(() => tool.checkAvailable!());
		// A check that fails after its timeout has nobody left to tell.
		check.catch(() => {});
		const reason = await Promise.race([check, timeout]);
		if (reason !== null && (typeof reason !== 'string' || !reason.trim())) return 'its availability check gave no reason';
		return reason;
	} catch (error) {
		return `its availability check failed: ${describeError(error)}`;
	} finally {
		clearTimeout(timer);
	}
}
