// docking: ligands (SMILES or SDF) docked into one receptor (PDB) with
// AutoDock Vina after Open Babel preparation; per ligand the poses within
// energy_range with affinity and RMSD bounds, and the poses as SDF/PDB
// files. See README.md. This is the tool's browser part (schemas, input
// parsing, the example); the worker part (child processes, files) is
// worker.server.ts.
import { catalogEntry } from '../catalog.ts';
import type { RawInput, ToolSpec } from '../types.ts';
import { IEP_POCKET_PDB } from './example-receptor.ts';
import { ligandChemistryIssues } from './ligand-chemistry.ts';
import { parseDockingInput } from './parse-input.ts';
import type { DockingResult } from './result.ts';
import { inputSchema, settingsSchema, type DockingInput, type DockingSettings } from './schema.ts';

export { inputSchema, settingsSchema, type DockingInput, type DockingSettings, type DockingResult };

const catalog = catalogEntry('docking')!;

const IMATINIB = 'Cc1ccc(cc1Nc2nccc(n2)c3cccnc3)NC(=O)c4ccc(cc4)CN5CCN(CC5)C imatinib';

export const dockingSpec: ToolSpec<DockingInput, DockingSettings> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples: [
		{
			label: 'Imatinib and a fragment of it into c-Abl (PDB 1IEP, box around STI)',
			text: `${IMATINIB}\nNc1nccc(n1)-c1cccnc1 aminopyrimidine-pyridine\n`,
			fields: { receptor: IEP_POCKET_PDB, receptor_name: '1iep_pocket', box_mode: 'ligand', box_ligand: 'STI' }
		}
	],
	conventions: [
		'AutoDock Vina 1.2 with its default scoring function: affinities in kcal/mol as Vina reports them (lower binds better), RMSD lower and upper bounds to the best pose as Vina computes them.',
		'Open Babel prepares the molecules: 3D coordinates for SMILES and flat SDF records, ligands protonated for the pH of the settings and cut to their largest fragment; the receptor rigid, with polar hydrogens.',
		'Ligands without carbon, or with an element Vina has no atom type for, are refused before anything is charged. A fixed seed (42 unless set) gives the same poses on a rerun.'
	],
	// The receptor, box and ligand texts first (no RDKit needed), then each ligand's chemistry.
	async parseInput(raw: RawInput) {
		const parsed = parseDockingInput(raw, catalog.maxInputBytes);
		if (!parsed.ok) return parsed;
		const issues = await ligandChemistryIssues(parsed.input.ligands);
		return issues.length ? { ok: false, errors: issues } : parsed;
	}
};
