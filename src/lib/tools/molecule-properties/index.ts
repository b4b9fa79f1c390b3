// molecule-properties: RDKit descriptors, rule-of-five/Veber verdicts, InChI
// and a 2D depiction per molecule. This is the tool's browser part (input is
// checked with RDKit in the browser too, through `#rdkit`: RDKit's Web Worker
// there, RDKit itself in Node); run() and the descriptor code are in
// worker.server.ts.
import { molecules as rdkit } from '#rdkit';
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { checkInputSize } from '../parse/input-size.ts';
import { looksLikeSdf, parseSdf, parseSmilesList, type MoleculeRecord } from '../parse/molecules.ts';
import { rawText } from '../parse/raw-text.ts';
import { toolResultSchema } from '../result-table.ts';
import type { InputIssue, ToolSpec } from '../types.ts';

const catalog = catalogEntry('molecule-properties')!;

/** Depictions beyond this many molecules are left out of the result JSON. */
export const MAX_DEPICTIONS_IN_RESULT = 1000;
export const MAX_SMILES_LENGTH = 2000;
export const MAX_MOLBLOCK_LENGTH = 200_000;

const moleculeSchema = z
	.object({
		id: z.string().min(1, 'every molecule needs an id').max(200),
		smiles: z.string().min(1).max(MAX_SMILES_LENGTH).optional(),
		molblock: z.string().min(1).max(MAX_MOLBLOCK_LENGTH).optional()
	})
	.refine((m) => (m.smiles === undefined) !== (m.molblock === undefined), 'give either smiles or molblock');

export const inputSchema = z.object({
	molecules: z
		.array(moleculeSchema)
		.min(1, 'give at least one molecule')
		.max(catalog.maxItems, `at most ${catalog.maxItems} molecules are accepted`)
});
export type MoleculeInput = z.infer<typeof inputSchema>;

export const settingsSchema = z.object({
	depiction: z.boolean().default(true),
	depictionWidth: z.number().int().min(100).max(1000).default(300),
	depictionHeight: z.number().int().min(100).max(1000).default(240)
});
export type MoleculeSettings = z.infer<typeof settingsSchema>;

/** What a run returns: the worker checks it, the job page reads it (src/lib/tools/result-schemas.ts). */
export const moleculeResultSchema = toolResultSchema.extend({
	/** SVG depictions by molecule id (the first MAX_DEPICTIONS_IN_RESULT). */
	depictions: z.array(z.object({ id: z.string(), svg: z.string() })).default([]),
	depictionsOmitted: z.number().int().min(0).default(0)
});
export type MoleculeResult = z.infer<typeof moleculeResultSchema>;

export const structureOf = (m: MoleculeRecord) => (m.smiles ?? m.molblock)!;

/** RDKit's reason for each molecule it cannot read (the first 50). */
async function invalidMolecules(records: MoleculeRecord[]): Promise<InputIssue[]> {
	const spaced = (m: MoleculeRecord) => m.smiles !== undefined && /\s/.test(m.smiles);
	const readable = records.filter((m) => !spaced(m));
	const problems = await rdkit.problems(readable.map(structureOf));
	const problemOf = new Map(readable.map((m, i) => [m, problems[i]]));
	const issues: InputIssue[] = [];
	for (const m of records) {
		if (issues.length >= 50) break;
		const problem = problemOf.get(m);
		if (spaced(m)) issues.push({ record: m.id, message: 'a SMILES string cannot contain spaces' });
		else if (problem) issues.push({ record: m.id, message: `invalid ${m.smiles !== undefined ? 'SMILES' : 'molblock'}: ${problem}` });
	}
	return issues;
}

export const moleculePropertiesSpec: ToolSpec<MoleculeInput, MoleculeSettings> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples: [
		{
			label: 'Common drugs (SMILES)',
			text: 'CC(=O)Oc1ccccc1C(=O)O aspirin\nCC(C)Cc1ccc(cc1)C(C)C(=O)O ibuprofen\nCN1C=NC2=C1C(=O)N(C(=O)N2C)C caffeine\nCC(=O)Nc1ccc(O)cc1 paracetamol\n'
		}
	],
	conventions: [
		'Descriptors are RDKit’s own, from its 2026.09 WebAssembly build, in the form and on the workers alike.',
		'H-bond acceptors and donors follow RDKit’s current rule (since 2024.03 fewer nitrogens count as acceptors, e.g. not caffeine’s N-methylated ring nitrogen). Lipinski’s own counts (N+O acceptors, NH+OH donors) are separate columns and decide the rule of five.',
		'cLogP is Wildman–Crippen’s, TPSA Ertl’s over N and O; masses use RDKit’s atomic weights. Rule of five: at most one violation of mass ≤ 500, cLogP ≤ 5, donors ≤ 5, acceptors ≤ 10; Veber: ≤ 10 rotatable bonds and TPSA ≤ 140 Å².'
	],
	async parseInput(raw) {
		const text = rawText(raw);
		const parsed = looksLikeSdf(text) ? parseSdf(text, catalog.maxItems) : parseSmilesList(text, catalog.maxItems);
		if (parsed.issues.length) return { ok: false, errors: parsed.issues };
		const shape = inputSchema.safeParse({ molecules: parsed.records });
		if (!shape.success) return { ok: false, errors: shape.error.issues.map((i) => ({ message: i.message })) };
		const invalid = await invalidMolecules(parsed.records);
		if (invalid.length) return { ok: false, errors: invalid };
		const input = { molecules: parsed.records };
		const tooBig = checkInputSize(input, catalog.maxInputBytes);
		if (tooBig) return { ok: false, errors: [tooBig] };
		return { ok: true, input, notices: parsed.notices };
	}
};
