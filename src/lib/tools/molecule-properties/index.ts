// molecule-properties: RDKit descriptors, rule-of-five/Veber verdicts, InChI
// and a 2D depiction per molecule.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { checkInputSize } from '../parse/input-size.ts';
import { looksLikeSdf, parseSdf, parseSmilesList, type MoleculeRecord } from '../parse/molecules.ts';
import { rawText } from '../parse/raw-text.ts';
import {
	checkAborted,
	ToolInputError,
	yieldToEventLoop,
	type CellValue,
	type InputIssue,
	type TableColumn,
	type ToolDefinition,
	type ToolResult
} from '../types.ts';
import { moleculeProperties, withMolecule } from './compute.ts';
import { loadRDKit, type RDKit } from './rdkit-loader.ts';

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

export interface MoleculeResult extends ToolResult {
	/** SVG depictions by molecule id (the first MAX_DEPICTIONS_IN_RESULT). */
	depictions: Array<{ id: string; svg: string }>;
	depictionsOmitted: number;
}

const columns: TableColumn[] = [
	{ key: 'id', label: 'ID', type: 'string' },
	{ key: 'canonical_smiles', label: 'Canonical SMILES', type: 'string' },
	{ key: 'formula', label: 'Formula', type: 'string' },
	{ key: 'exact_mass', label: 'Exact mass', type: 'number', unit: 'Da' },
	{ key: 'average_mass', label: 'Average mass', type: 'number', unit: 'g/mol' },
	{ key: 'clogp', label: 'cLogP (Crippen)', type: 'number' },
	{ key: 'tpsa', label: 'TPSA', type: 'number', unit: 'A^2' },
	{ key: 'hbd', label: 'H-bond donors', type: 'integer' },
	{ key: 'hba', label: 'H-bond acceptors', type: 'integer' },
	{ key: 'lipinski_hbd', label: 'Lipinski donors (NH+OH)', type: 'integer' },
	{ key: 'lipinski_hba', label: 'Lipinski acceptors (N+O)', type: 'integer' },
	{ key: 'rotatable_bonds', label: 'Rotatable bonds', type: 'integer' },
	{ key: 'heavy_atoms', label: 'Heavy atoms', type: 'integer' },
	{ key: 'rings', label: 'Rings', type: 'integer' },
	{ key: 'aromatic_rings', label: 'Aromatic rings', type: 'integer' },
	{ key: 'aliphatic_rings', label: 'Aliphatic rings', type: 'integer' },
	{ key: 'lipinski_violations', label: 'Lipinski violations', type: 'integer' },
	{ key: 'lipinski_pass', label: 'Lipinski (<= 1 violation)', type: 'boolean' },
	{ key: 'veber_pass', label: 'Veber', type: 'boolean' },
	{ key: 'inchi', label: 'InChI', type: 'string' },
	{ key: 'inchikey', label: 'InChIKey', type: 'string' }
];

const structureOf = (m: MoleculeRecord) => (m.smiles ?? m.molblock)!;

/** RDKit's reason for each molecule it cannot read. */
function invalidMolecules(rdkit: RDKit, molecules: MoleculeRecord[]): InputIssue[] {
	const issues: InputIssue[] = [];
	for (const m of molecules) {
		if (issues.length >= 50) break;
		const text = structureOf(m);
		if (m.smiles !== undefined && /\s/.test(m.smiles)) {
			issues.push({ record: m.id, message: 'a SMILES string cannot contain spaces' });
			continue;
		}
		const parsed = withMolecule(rdkit, text, () => true);
		if (!parsed.ok) issues.push({ record: m.id, message: `invalid ${m.smiles !== undefined ? 'SMILES' : 'molblock'}: ${parsed.reason}` });
	}
	return issues;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export const moleculePropertiesTool: ToolDefinition<MoleculeInput, MoleculeSettings, MoleculeResult> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples: [
		{
			label: 'Common drugs (SMILES)',
			text: 'CC(=O)Oc1ccccc1C(=O)O aspirin\nCC(C)Cc1ccc(cc1)C(C)C(=O)O ibuprofen\nCN1C=NC2=C1C(=O)N(C(=O)N2C)C caffeine\nCC(=O)Nc1ccc(O)cc1 paracetamol\n'
		}
	],
	async parseInput(raw) {
		const text = rawText(raw);
		const parsed = looksLikeSdf(text) ? parseSdf(text, catalog.maxItems) : parseSmilesList(text, catalog.maxItems);
		if (parsed.issues.length) return { ok: false, errors: parsed.issues };
		const shape = inputSchema.safeParse({ molecules: parsed.records });
		if (!shape.success) return { ok: false, errors: shape.error.issues.map((i) => ({ message: i.message })) };
		const rdkit = await loadRDKit();
		const invalid = invalidMolecules(rdkit, parsed.records);
		if (invalid.length) return { ok: false, errors: invalid };
		const input = { molecules: parsed.records };
		const tooBig = checkInputSize(input, catalog.maxInputBytes);
		if (tooBig) return { ok: false, errors: [tooBig] };
		return { ok: true, input, notices: parsed.notices };
	},
	async run(input, settings, ctx) {
		const rdkit = await loadRDKit();
		checkAborted(ctx.signal);
		const ids = new Set<string>();
		const dupes: InputIssue[] = [];
		for (const m of input.molecules) {
			if (ids.has(m.id)) dupes.push({ record: m.id, message: 'this id is used by more than one molecule' });
			ids.add(m.id);
		}
		if (dupes.length) throw new ToolInputError(dupes);
		const rows: Array<Record<string, CellValue>> = [];
		const depictions: MoleculeResult['depictions'] = [];
		const invalid: InputIssue[] = [];
		const n = input.molecules.length;
		let lastYield = Date.now();
		for (let i = 0; i < n; i++) {
			checkAborted(ctx.signal);
			const m = input.molecules[i];
			const wantSvg = settings.depiction && i < MAX_DEPICTIONS_IN_RESULT;
			const out = moleculeProperties(rdkit, structureOf(m), wantSvg ? { width: settings.depictionWidth, height: settings.depictionHeight } : null);
			if (!out.ok) {
				invalid.push({ record: m.id, message: `invalid ${m.smiles !== undefined ? 'SMILES' : 'molblock'}: ${out.reason}` });
				continue;
			}
			const p = out.props;
			rows.push({
				id: m.id,
				canonical_smiles: p.canonicalSmiles,
				formula: p.formula,
				exact_mass: round(p.exactMass, 5),
				average_mass: round(p.averageMass, 3),
				clogp: round(p.clogp, 4),
				tpsa: round(p.tpsa, 2),
				hbd: p.hbd,
				hba: p.hba,
				lipinski_hbd: p.lipinskiHbd,
				lipinski_hba: p.lipinskiHba,
				rotatable_bonds: p.rotatableBonds,
				heavy_atoms: p.heavyAtoms,
				rings: p.rings,
				aromatic_rings: p.aromaticRings,
				aliphatic_rings: p.aliphaticRings,
				lipinski_violations: p.lipinskiViolations,
				lipinski_pass: p.lipinskiPass,
				veber_pass: p.veberPass,
				inchi: p.inchi,
				inchikey: p.inchiKey
			});
			if (wantSvg) depictions.push({ id: m.id, svg: p.svg });
			if (Date.now() - lastYield > 50) {
				ctx.progress((100 * (i + 1)) / n, `${i + 1} of ${n} molecules`);
				await yieldToEventLoop();
				lastYield = Date.now();
			}
		}
		if (invalid.length) throw new ToolInputError(invalid);
		ctx.progress(100, `${n} of ${n} molecules`);
		return {
			table: { columns, rows },
			depictions,
			depictionsOmitted: settings.depiction ? Math.max(0, n - MAX_DEPICTIONS_IN_RESULT) : 0
		};
	}
};
