// The generic tool form's logic for every tool the registry has: settings
// fields read from the zod schemas start at the schemas' defaults, examples
// and duplicated job inputs parse through the tools' own parseInput, and
// problems land beside the box they are about.
import { describe, expect, it } from 'vitest';
import { catalogEntry } from '#lib/tools/catalog.ts';
import { IEP_POCKET_PDB } from '#lib/tools/docking/example-receptor.ts';
import { parseDockingInput } from '#lib/tools/docking/parse-input.ts';
import { settingsSchema as dockingSettingsSchema } from '#lib/tools/docking/schema.ts';
import { toolRegistry } from '#lib/tools/registry.ts';
import { formSpec, initialValues } from '#lib/tools-ui/form-spec.ts';
import { defaultJobName, sameJson } from '#lib/tools-ui/job-input.ts';
import { buildRawInput, fileTooLarge, inputTooLarge, isBlank, issuesByField } from '#lib/tools-ui/raw-input.ts';
import { checkSettings, defaultSettings, humanize, settingsFields } from '#lib/tools-ui/settings-fields.ts';

const tools = Object.entries(toolRegistry);
const IMATINIB = 'Cc1ccc(cc1Nc2nccc(n2)c3cccnc3)NC(=O)c4ccc(cc4)CN5CCN(CC5)C imatinib\n';

describe('settings fields from the zod schemas', () => {
	it.each(tools)('%s: the form starts at the schema defaults', (id, tool) => {
		const fields = settingsFields(tool.settingsSchema, formSpec(id).settings);
		expect(defaultSettings(fields)).toEqual(tool.settingsSchema.parse({}));
		// Every hint names a real setting (a renamed setting would silently lose its label).
		for (const key of Object.keys(formSpec(id).settings)) expect(fields.map((f) => f.key)).toContain(key);
	});

	it('docking: the form starts at the schema defaults', () => {
		const fields = settingsFields(dockingSettingsSchema, formSpec('docking').settings);
		expect(defaultSettings(fields)).toEqual(dockingSettingsSchema.parse({}));
	});

	it('turns enums into selects, numbers into bounded inputs and booleans into checkboxes', () => {
		const fields = settingsFields(toolRegistry['pairwise-alignment'].settingsSchema, formSpec('pairwise-alignment').settings);
		const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
		expect(byKey.mode).toMatchObject({ kind: 'select', default: 'global', label: 'Alignment' });
		expect(byKey.mode.kind === 'select' && byKey.mode.options.map((o) => o.value)).toEqual(['global', 'local']);
		expect(byKey.gapOpen).toMatchObject({ kind: 'number', min: 0, max: 100, step: 'any', default: 10 });
		expect(byKey.endGapPenalties).toMatchObject({ kind: 'checkbox', default: false });

		const protein = settingsFields(toolRegistry['protein-properties'].settingsSchema);
		expect(protein.find((f) => f.key === 'hydropathyWindow')).toMatchObject({ kind: 'number', step: 1, min: 3, max: 21, label: 'Hydropathy window' });
	});

	it('offers the genetic codes as a list, not an unbounded number', () => {
		const fields = settingsFields(toolRegistry['sequence-tools'].settingsSchema, formSpec('sequence-tools').settings);
		const code = fields.find((f) => f.key === 'geneticCode');
		expect(code?.kind).toBe('select');
		const values = code?.kind === 'select' ? code.options.map((o) => o.value) : [];
		expect(values).toContain(1);
		expect(values).toContain(11);
		expect(values).not.toContain(0);
		for (const value of values) expect(checkSettings(toolRegistry['sequence-tools'].settingsSchema, { geneticCode: value }).ok).toBe(true);
	});

	it('puts a refused setting beside its field and lets a blank number take its default', () => {
		const schema = toolRegistry['protein-properties'].settingsSchema;
		const bad = checkSettings(schema, { pH: 7, hydropathyWindow: 8 });
		expect(bad.ok).toBe(false);
		expect(!bad.ok && bad.issues.hydropathyWindow).toMatch(/odd/);
		expect(checkSettings(schema, { pH: undefined, hydropathyWindow: null })).toEqual({ ok: true, settings: { pH: 7, hydropathyWindow: 9 } });
		expect(humanize('orfMinLength')).toBe('Orf min length');
		// Units keep their case: "pH", never "Ph" or "P h".
		expect(humanize('pH')).toBe('pH');
		expect(humanize('charge_pH')).toBe('Charge pH');
		expect(humanize('pHWindow')).toBe('pH window');
	});
});

describe('inputs through each tool’s parseInput', () => {
	it.each(tools.filter(([, t]) => t.examples.length > 0))('%s: every example parses', async (id, tool) => {
		const spec = formSpec(id);
		for (const example of tool.examples) {
			const values = { ...initialValues(spec), ...spec.exampleValues(example.text), ...example.fields };
			expect(isBlank(spec, values, [])).toBe(false);
			const outcome = await tool.parseInput(buildRawInput(spec, values, []), tool.settingsSchema.parse({}));
			expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true });
		}
	});

	it.each(tools.filter(([, t]) => t.examples.length > 0))('%s: a stored input comes back as the same input', async (id, tool) => {
		const spec = formSpec(id);
		const settings = tool.settingsSchema.parse({});
		const example = tool.examples[0];
		const first = await tool.parseInput(buildRawInput(spec, { ...initialValues(spec), ...spec.exampleValues(example.text), ...example.fields }, []), settings);
		if (!first.ok) throw new Error('example did not parse');
		// As the database returns it: JSON, keys in its own order.
		const stored = JSON.parse(JSON.stringify(first.input));
		const restored = spec.fromInput(stored);
		const again = await tool.parseInput(buildRawInput(spec, { ...initialValues(spec), ...restored.values }, restored.files), settings);
		expect(again.ok).toBe(true);
		expect(again.ok && sameJson(again.input, stored)).toBe(true);
	});

	it('pairwise alignment: the example fills the query and the targets, and problems go beside each', async () => {
		const tool = toolRegistry['pairwise-alignment'];
		const spec = formSpec('pairwise-alignment');
		const values = spec.exampleValues(tool.examples[0].text);
		expect(values.query).toMatch(/^>INS_HUMAN_B\n/);
		expect(values.targets).toMatch(/^>INS_BOVIN_B\n/);
		const raw = buildRawInput(spec, { query: '>q\nMKJ\n', targets: '>t1\nMK1\n' }, []);
		expect(raw).toEqual({ fields: { query: '>q\nMKJ\n', targets: '>t1\nMK1\n' } });
		const outcome = await tool.parseInput(raw, {});
		expect(outcome.ok).toBe(false);
		const byField = issuesByField(spec, outcome.ok ? [] : outcome.errors);
		expect(byField.query?.messages.join('\n')).toMatch(/query:/);
		expect(Object.keys(byField).every((k) => k === 'query' || k === 'targets')).toBe(true);
	});

	it('names the record and the residue of a bad sequence', async () => {
		const tool = toolRegistry['protein-properties'];
		const spec = formSpec('protein-properties');
		const outcome = await tool.parseInput(buildRawInput(spec, { text: '>ok\nMKV\n>bad\nMKJV\n' }, []), {});
		expect(outcome.ok).toBe(false);
		const byField = issuesByField(spec, outcome.ok ? [] : outcome.errors);
		expect(byField.text.messages[0]).toMatch(/record 'bad', position 3: 'J'/);
	});

	it('lists at most a few problems beside a box and counts the rest', () => {
		const spec = formSpec('protein-properties');
		const issues = Array.from({ length: 20 }, (_, i) => ({ line: i + 1, message: 'bad' }));
		const byField = issuesByField(spec, issues);
		expect(byField.text.messages).toHaveLength(8);
		expect(byField.text.more).toBe(12);
	});

	it('docking: receptor, ligands and box come back from a stored input', () => {
		const pocket = IEP_POCKET_PDB;
		const spec = formSpec('docking');
		const values = { ...initialValues(spec), receptor: pocket, receptor_name: '1iep', ...spec.exampleValues(IMATINIB), box_mode: 'ligand', box_ligand: 'STI' };
		const first = parseDockingInput(buildRawInput(spec, values, []), catalogEntry('docking')!.maxInputBytes);
		expect(first, JSON.stringify(first.ok ? {} : first.errors)).toMatchObject({ ok: true });
		if (!first.ok) return;
		const restored = spec.fromInput(JSON.parse(JSON.stringify(first.input)));
		expect(restored.values.box_mode).toBe('ligand');
		expect(restored.values.box_ligand).toBe('STI');
		const again = parseDockingInput(buildRawInput(spec, { ...initialValues(spec), ...restored.values }, []), catalogEntry('docking')!.maxInputBytes);
		expect(again.ok && sameJson(again.input, first.input)).toBe(true);
		const missing = parseDockingInput(buildRawInput(spec, { ...values, box_ligand: '' }, []), catalogEntry('docking')!.maxInputBytes);
		expect(missing.ok).toBe(false);
		expect(Object.keys(issuesByField(spec, missing.ok ? [] : missing.errors))).toEqual(['box_mode']);
	});
});

describe('limits, names and blank forms', () => {
	it('names the limit when a file or the whole input is too large', () => {
		expect(fileTooLarge({ name: 'big.fasta', size: 30 * 1024 * 1024 }, 20 * 1024 * 1024, 'Protein properties')).toBe(
			'big.fasta is 30 MiB; Protein properties accepts at most 20 MiB of input.'
		);
		expect(fileTooLarge({ name: 'ok.fasta', size: 1000 }, 20 * 1024 * 1024, 'Protein properties')).toBeNull();
		const text = 'A'.repeat(2 * 1024 * 1024);
		expect(inputTooLarge({ text }, [], 1024 * 1024, 'GPU self-test')).toBe('The input is 2 MiB; GPU self-test accepts at most 1 MiB.');
		expect(inputTooLarge({ text: 'MKV' }, [{ name: 'a', text: 'MKV' }], 1024 * 1024, 'GPU self-test')).toBeNull();
	});

	it('names a job after the tool and its first record', () => {
		const protein = catalogEntry('protein-properties')!;
		expect(defaultJobName(protein, { sequences: [{ id: 'INS_A' }, { id: 'INS_B' }, { id: 'LYSC' }] })).toBe('Protein properties: INS_A + 2 more');
		expect(defaultJobName(protein, { sequences: [{ id: 'INS_A' }] })).toBe('Protein properties: INS_A');
		expect(defaultJobName(catalogEntry('pairwise-alignment')!, { query: { id: 'q' }, targets: [{ id: 't1' }, { id: 't2' }] })).toBe('Pairwise alignment: q + 2 more');
		expect(defaultJobName(catalogEntry('docking')!, { ligands: [{ name: 'imatinib' }] })).toBe('Molecular docking: imatinib');
		expect(defaultJobName(protein, {})).toBe('Protein properties');
		expect(defaultJobName(protein, { sequences: [{ id: 'x'.repeat(300) }] }).length).toBe(200);
	});

	it('is blank until a box has text or a file is added', () => {
		const spec = formSpec('docking');
		expect(isBlank(spec, initialValues(spec), [])).toBe(true);
		expect(isBlank(spec, { ...initialValues(spec), ligands: 'CCO' }, [])).toBe(false);
		expect(isBlank(formSpec('structure-analysis'), { text: '' }, [{ name: 'a.pdb', text: 'ATOM' }])).toBe(false);
	});

	it('compares JSON regardless of key order', () => {
		expect(sameJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
		expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
		expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
		expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
	});
});
