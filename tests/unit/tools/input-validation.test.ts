// Every class of bad input gets a clear message naming the record and
// position, both when the form parses pasted text and when the worker
// re-validates a job's JSON (ToolInputError, not a crash).
import { describe, expect, it } from 'vitest';
import { toolRegistry } from '#lib/tools/registry.ts';
import { moleculePropertiesTool, pairwiseAlignmentTool, proteinPropertiesTool, sequenceToolsTool, toolDefinitions } from '#lib/tools/runners.server.ts';
import { describeIssue, ToolInputError, type ParseOutcome } from '#lib/tools/types.ts';
import { catalogEntry } from '#lib/tools/catalog.ts';
import { runContext } from './reference.ts';

function errorsOf(outcome: ParseOutcome<unknown> | Promise<ParseOutcome<unknown>>): string[] {
	if (outcome instanceof Promise) throw new Error('await the molecule parser first');
	if (outcome.ok) throw new Error('expected the input to be rejected');
	return outcome.errors.map(describeIssue);
}

describe('FASTA as scientists paste it', () => {
	it('accepts no header, Windows line endings, lower case, spaces, digits and a trailing *', () => {
		const out = proteinPropertiesTool.parseInput({ text: '  1 mkvl aagi\r\n 11 icllww*\r\n' });
		if (!('input' in out)) throw new Error('rejected');
		expect(out.input.sequences).toEqual([{ id: 'sequence_1', sequence: 'MKVLAAGIICLLWW' }]);
	});

	it('keeps header descriptions and reads several records', () => {
		const out = sequenceToolsTool.parseInput({ text: '>a first one\nACGT\n>b\nGGCC\n' });
		if (!('input' in out)) throw new Error('rejected');
		expect(out.input.sequences).toEqual([{ id: 'a', sequence: 'ACGT', description: 'first one' }, { id: 'b', sequence: 'GGCC' }]);
	});

	it('names the record and position of an unknown letter', () => {
		expect(errorsOf(proteinPropertiesTool.parseInput({ text: '>P1\nMKVLAAGIIC\nLLWWPPJ\n' }))).toEqual([
			"record 'P1', position 17: 'J' is an ambiguous residue; properties need one of the 20 standard amino acids, U (selenocysteine) or O (pyrrolysine)"
		]);
		expect(errorsOf(proteinPropertiesTool.parseInput({ text: '>P2\nMK@V\n' }))).toEqual(["record 'P2', position 3: '@' is not an amino acid"]);
		expect(errorsOf(sequenceToolsTool.parseInput({ text: '>d\nACGT-ACGT\n' }))[0]).toMatch(/record 'd', position 5: '-' \(a gap\)/);
		expect(errorsOf(proteinPropertiesTool.parseInput({ text: '>s\nMK*VL\n' }))[0]).toMatch(/position 3: '\*' \(a stop\) is only allowed at the end/);
	});

	it('rejects empty records', () => {
		expect(errorsOf(proteinPropertiesTool.parseInput({ text: '>a\nMKV\n>empty\n>c\nMKV\n' }))).toEqual(["line 3, record 'empty': the record has no sequence"]);
		expect(errorsOf(proteinPropertiesTool.parseInput({ text: '   \n' }))).toEqual(['no sequences given']);
		expect(errorsOf(sequenceToolsTool.parseInput({ text: '>a\n***\n' }))[0]).toMatch(/record 'a'/);
	});

	it('renames duplicate ids and says so', () => {
		const out = proteinPropertiesTool.parseInput({ text: '>x\nMKV\n>x\nMKW\n>x\nMKY\n' });
		if (!('input' in out)) throw new Error('rejected');
		expect(out.input.sequences.map((s) => s.id)).toEqual(['x', 'x_2', 'x_3']);
		expect(out.notices).toHaveLength(2);
		expect(out.notices[0]).toMatch(/'x' appears more than once.*renamed 'x_2'/);
	});

	it('says when a protein is given to a DNA tool', () => {
		expect(errorsOf(sequenceToolsTool.parseInput({ text: '>ins\nMALWMRLLPLLALLALWGPDPAAA\n' }))).toEqual([
			"record 'ins', position 3: 'L' is not a nucleotide; this looks like a protein sequence, and this tool takes DNA or RNA"
		]);
		expect(errorsOf(pairwiseAlignmentTool.parseInput({ fields: { query: '>q\nACGT\n', targets: '>t\nMEEPQSDPSV\n' } }, { matrix: 'DNAFULL' }))[0]).toMatch(
			/record 't'.*looks like a protein/
		);
	});

	it('rejects too many sequences and too long ones', () => {
		const max = catalogEntry('sequence-tools')!.maxItems;
		const many = Array.from({ length: max + 1 }, (_, i) => `>s${i}\nACGT\n`).join('');
		expect(errorsOf(sequenceToolsTool.parseInput({ text: many }))).toEqual([`${(max + 1).toLocaleString('en')} sequences given; at most ${max.toLocaleString('en')} are accepted`]);
		expect(errorsOf(proteinPropertiesTool.parseInput({ text: `>long\n${'A'.repeat(100_001)}\n` }))).toEqual([
			"record 'long': 100,001 residues; at most 100,000 are accepted"
		]);
		expect(errorsOf(pairwiseAlignmentTool.parseInput({ fields: { query: `>q\n${'A'.repeat(6000)}`, targets: `>t\n${'A'.repeat(6000)}` } }))[0]).toMatch(
			/record 't': query x target is 36,000,000 cells/
		);
	});

	it('needs a query and a target for alignment', () => {
		expect(errorsOf(pairwiseAlignmentTool.parseInput({ text: '>only\nMKV\n' }))[0]).toMatch(/query and at least one target/);
		expect(errorsOf(pairwiseAlignmentTool.parseInput({ fields: { query: '>q\nMKV\n', targets: '' } }))).toEqual(['no sequences given']);
		expect(errorsOf(pairwiseAlignmentTool.parseInput({ fields: { query: '>q\nMKU\n', targets: '>t\nMKV' } }))[0]).toMatch(
			/record 'q', position 3: query: 'U' is not in the scoring matrix; replace it with X/
		);
	});
});

describe('molecule input', () => {
	it('gives RDKit\'s reason for an invalid SMILES, naming the molecule', async () => {
		const errors = errorsOf(await moleculePropertiesTool.parseInput({ text: 'CCO ethanol\nC1CC( broken\nc1cccc1 bad_aromatic\n' }));
		expect(errors[0]).toMatch(/^record 'broken': invalid SMILES: SMILES Parse Error: syntax error while parsing: C1CC\(/);
		expect(errors[1]).toMatch(/^record 'bad_aromatic': invalid SMILES: .*kekulize/i);
	});

	it('reads SMILES files with a header and comments, and SDF', async () => {
		const smi = await moleculePropertiesTool.parseInput({ text: 'smiles name\n# comment\r\nCCO ethanol\n\nc1ccccc1\n' });
		if (!('input' in smi)) throw new Error('rejected');
		expect(smi.input.molecules).toEqual([{ id: 'ethanol', smiles: 'CCO' }, { id: 'mol_2', smiles: 'c1ccccc1' }]);
		const molblock = 'methane\n  test\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\nM  END\n';
		const sdf = await moleculePropertiesTool.parseInput({ text: `${molblock}> <x>\n1\n\n$$$$\n${molblock}$$$$\n` });
		if (!('input' in sdf)) throw new Error('rejected');
		expect(sdf.input.molecules.map((m) => m.id)).toEqual(['methane', 'methane_2']);
		const run = await moleculePropertiesTool.run(sdf.input, moleculePropertiesTool.settingsSchema.parse({ depiction: false }), runContext());
		expect(run.table.rows[0].formula).toBe('CH4');
		expect(errorsOf(await moleculePropertiesTool.parseInput({ text: 'no end\n\n  1  0\n$$$$\n' }))[0]).toMatch(/M {2}END/);
	});

	it('rejects too many molecules', async () => {
		const max = catalogEntry('molecule-properties')!.maxItems;
		const text = Array.from({ length: max + 1 }, () => 'C').join('\n');
		expect(errorsOf(await moleculePropertiesTool.parseInput({ text }))).toEqual([`${(max + 1).toLocaleString('en')} molecules given; at most ${max.toLocaleString('en')} are accepted`]);
	});
});

describe('the worker re-validates job input', () => {
	const ctx = runContext;
	it('throws ToolInputError (not a crash) for bad records that skipped the form', async () => {
		await expect(proteinPropertiesTool.run({ sequences: [{ id: 'P1', sequence: 'MKVXL' }] }, proteinPropertiesTool.settingsSchema.parse({}), ctx())).rejects.toThrow(
			new ToolInputError([{ record: 'P1', position: 4, message: "'X' is an ambiguous residue; properties need one of the 20 standard amino acids, U (selenocysteine) or O (pyrrolysine)" }])
		);
		await expect(sequenceToolsTool.run({ sequences: [{ id: 'a', sequence: 'ACGT' }, { id: 'a', sequence: 'ACGT' }] }, sequenceToolsTool.settingsSchema.parse({}), ctx())).rejects.toBeInstanceOf(ToolInputError);
		await expect(sequenceToolsTool.run({ sequences: [{ id: 'e', sequence: '' }] }, sequenceToolsTool.settingsSchema.parse({}), ctx())).rejects.toThrow(/record 'e': the record has no sequence/);
		await expect(
			pairwiseAlignmentTool.run({ query: { id: 'q', sequence: 'MKV' }, targets: [{ id: 't', sequence: 'MK1' }] }, pairwiseAlignmentTool.settingsSchema.parse({}), ctx())
		).rejects.toThrow(/record 't', position 3/);
		await expect(moleculePropertiesTool.run({ molecules: [{ id: 'm', smiles: 'C1CC(' }] }, moleculePropertiesTool.settingsSchema.parse({}), ctx())).rejects.toThrow(
			/record 'm': invalid SMILES: SMILES Parse Error/
		);
	});

	it('checks the JSON shape with the zod input schemas', () => {
		expect(proteinPropertiesTool.inputSchema.safeParse({ sequences: [] }).success).toBe(false);
		expect(proteinPropertiesTool.inputSchema.safeParse({ sequences: [{ id: '', sequence: 'MK' }] }).success).toBe(false);
		expect(pairwiseAlignmentTool.inputSchema.safeParse({ query: { id: 'q', sequence: 'MK' }, targets: [] }).success).toBe(false);
		expect(moleculePropertiesTool.inputSchema.safeParse({ molecules: [{ id: 'm' }] }).success).toBe(false);
		expect(moleculePropertiesTool.inputSchema.safeParse({ molecules: [{ id: 'm', smiles: 'C', molblock: 'x' }] }).success).toBe(false);
	});

	it('rejects out-of-range settings and accepts {} with defaults', () => {
		for (const tool of Object.values(toolRegistry)) expect(tool.settingsSchema.safeParse({}).success, tool.catalog.id).toBe(true);
		expect(proteinPropertiesTool.settingsSchema.safeParse({ hydropathyWindow: 8 }).success).toBe(false);
		expect(proteinPropertiesTool.settingsSchema.safeParse({ pH: 15 }).success).toBe(false);
		expect(sequenceToolsTool.settingsSchema.safeParse({ geneticCode: 7 }).success).toBe(false);
		expect(sequenceToolsTool.settingsSchema.safeParse({ frames: '4' }).success).toBe(false);
		expect(pairwiseAlignmentTool.settingsSchema.safeParse({ matrix: 'BLOSUM99' }).success).toBe(false);
		expect(pairwiseAlignmentTool.settingsSchema.safeParse({ gapOpen: -1 }).success).toBe(false);
	});
});

describe('cancellation and progress', () => {
	it('stops with the signal\'s reason and reports progress across records', async () => {
		const controller = new AbortController();
		const reason = new Error('cancelled by user');
		controller.abort(reason);
		await expect(
			proteinPropertiesTool.run({ sequences: [{ id: 'a', sequence: 'MKV' }] }, proteinPropertiesTool.settingsSchema.parse({}), { signal: controller.signal, progress() {} })
		).rejects.toBe(reason);
		const seen: number[] = [];
		await pairwiseAlignmentTool.run(
			{ query: { id: 'q', sequence: 'MKVLAAGII' }, targets: [{ id: 't1', sequence: 'MKV' }, { id: 't2', sequence: 'AAG' }] },
			pairwiseAlignmentTool.settingsSchema.parse({}),
			{ signal: new AbortController().signal, progress: (pct) => seen.push(pct) }
		);
		expect(seen).toEqual([50, 100]);
	});

	it('registry maps each implemented tool id to its browser spec', () => {
		expect(Object.keys(toolRegistry).sort()).toEqual([
			'docking',
			'gpu-selftest',
			'molecule-properties',
			'pairwise-alignment',
			'protein-properties',
			'sequence-tools',
			'structure-analysis',
			'structure-prediction'
		]);
		for (const [id, tool] of Object.entries(toolRegistry)) expect(tool.catalog.id).toBe(id);
	});

	it('the worker runs each browser spec joined with a run function, sharing its schemas', () => {
		expect(Object.keys(toolDefinitions).sort()).toEqual(Object.keys(toolRegistry).sort());
		for (const [id, spec] of Object.entries(toolRegistry)) {
			const tool = toolDefinitions[id];
			expect(typeof tool.run, id).toBe('function');
			expect('run' in spec, id).toBe(false);
			for (const part of ['catalog', 'inputSchema', 'settingsSchema', 'parseInput', 'examples'] as const) expect(tool[part], `${id}.${part}`).toBe(spec[part]);
		}
	});
});
