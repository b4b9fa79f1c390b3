// One result schema per tool: what a tool's run returns must match the
// schema the job page parses with (src/lib/tools/result-schemas.ts), and the
// worker refuses a result that does not (checkToolResult; a job then fails
// as a tool error instead of completing with a result the page cannot draw).
// Each CPU tool that runs in-process here runs its first example.
import { describe, expect, it } from 'vitest';
import { parseResult } from '#lib/components/results/parse.ts';
import { checkToolResult, toolResultSchemas } from '#lib/tools/result-schemas.ts';
import { moleculePropertiesTool, pairwiseAlignmentTool, proteinPropertiesTool, sequenceToolsTool, type AnyToolDefinition } from '#lib/tools/runners.server.ts';
import { formSpec, initialValues } from '#lib/tools-ui/form-spec.ts';
import { buildRawInput } from '#lib/tools-ui/raw-input.ts';
import { runContext } from '../tools/reference.ts';

const inProcess: Array<[string, AnyToolDefinition]> = [
	['protein-properties', proteinPropertiesTool],
	['sequence-tools', sequenceToolsTool],
	['pairwise-alignment', pairwiseAlignmentTool],
	['molecule-properties', moleculePropertiesTool]
];

async function runFirstExample(id: string, tool: AnyToolDefinition): Promise<unknown> {
	const spec = formSpec(id);
	const example = tool.examples[0];
	const values = { ...initialValues(spec), ...spec.exampleValues(example.text), ...example.fields };
	const settings = tool.settingsSchema.parse({});
	const parsed = await tool.parseInput(buildRawInput(spec, values, []), settings);
	if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
	return tool.run(parsed.input, settings, runContext());
}

describe('tool result schemas', () => {
	it.each(inProcess)('%s: what a run returns matches its schema, and the job page draws it', async (id, tool) => {
		const result = await runFirstExample(id, tool);
		expect(checkToolResult(id, result)).toBeNull();
		expect(parseResult(id, result)).toMatchObject({ result: { kind: id }, problem: null });
	});

	it('every tool with a result page has a schema', () => {
		expect(Object.keys(toolResultSchemas).sort()).toEqual(
			['docking', 'gpu-selftest', 'molecule-properties', 'pairwise-alignment', 'protein-properties', 'sequence-tools', 'structure-analysis', 'structure-prediction'].sort()
		);
	});

	it('a result that is not the tool’s shape is refused, naming what is wrong', async () => {
		const result = (await runFirstExample('protein-properties', proteinPropertiesTool)) as Record<string, unknown>;
		expect(checkToolResult('protein-properties', { ...result, hydropathy: 'a plot' })).toMatch(/^hydropathy: /);
		expect(checkToolResult('docking', { table: { columns: [], rows: [] }, ligands: [] })).toMatch(/^box: /);
		// A row cell must be a scalar: an object in a cell would break the table and CSV export.
		expect(checkToolResult('protein-properties', { ...result, table: { columns: [], rows: [{ name: { nested: true } }] } })).toMatch(/^table\.rows\.0: /);
	});

	it('a tool without a schema of its own is held to the table every result has', () => {
		expect(checkToolResult('test-echo', { table: { columns: [{ key: 'step', label: 'Step', type: 'integer' }], rows: [{ step: 1 }] } })).toBeNull();
		expect(checkToolResult('test-echo', { rows: [] })).toMatch(/^table: /);
	});
});
