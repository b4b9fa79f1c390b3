// molecule-properties, worker part: run() and the descriptor code it needs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadRDKit } from '#lib/rdkit/load.ts';
import { checkAborted, ToolInputError, yieldToEventLoop, type CellValue, type InputIssue, type TableColumn, type ToolWorker } from '../types.ts';
import { moleculeProperties } from './compute.ts';
import { MAX_DEPICTIONS_IN_RESULT, structureOf, type MoleculeInput, type MoleculeResult, type MoleculeSettings } from './index.ts';
import { count } from '#lib/ui/plural.ts';

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

/**
 * RDKit's release ("2026.09.1") from its npm package's version ("2026.9.1"),
 * read without loading the WebAssembly module: a worker asks for it at start,
 * in its own process, where RDKit never runs while tools run in executors.
 */
export function rdkitRelease(): string {
	const entry = createRequire(import.meta.url).resolve('@rdkit/rdkit');
	const { version } = JSON.parse(readFileSync(new URL('../package.json', `file://${entry}`), 'utf8')) as { version: string };
	const [year, month, patch] = version.split('-')[0].split('.');
	return `${year}.${month.padStart(2, '0')}.${patch}`;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export const moleculePropertiesWorker: ToolWorker<MoleculeInput, MoleculeSettings, MoleculeResult> = {
	async programVersions() {
		return { RDKit: rdkitRelease() };
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
				ctx.progress((100 * (i + 1)) / n, `${i + 1} of ${count(n, 'molecule')}`);
				await yieldToEventLoop();
				lastYield = Date.now();
			}
		}
		if (invalid.length) throw new ToolInputError(invalid);
		ctx.progress(100, `${n} of ${count(n, 'molecule')}`);
		return {
			table: { columns, rows },
			depictions,
			depictionsOmitted: settings.depiction ? Math.max(0, n - MAX_DEPICTIONS_IN_RESULT) : 0
		};
	}
};
