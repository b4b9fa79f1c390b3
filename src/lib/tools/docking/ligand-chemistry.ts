// The form's chemistry check of docking ligands, before anything is
// charged: RDKit (in the browser's RDKit worker, through `#rdkit`) reads
// each SMILES or molblock as written, and a ligand it cannot read, or whose
// docked part has no carbon or an element Vina cannot type, is named with
// the reason. Chemistry RDKit is strict about (valences) is left to Open
// Babel on the worker, which prepares the ligands.
import { molecules as rdkit } from '#rdkit';
import type { InputIssue } from '../types.ts';
import type { LigandInput } from './schema.ts';
import { ligandElementProblem } from './vina-types.ts';

export async function ligandChemistryIssues(ligands: LigandInput[]): Promise<InputIssue[]> {
	const readings = await rdkit.elements(ligands.map((l) => l.smiles ?? l.sdf ?? ''));
	const issues: InputIssue[] = [];
	ligands.forEach((ligand, i) => {
		const reading = readings[i];
		const kind = ligand.smiles !== undefined ? 'SMILES' : 'SDF record';
		if (!reading.ok) issues.push({ field: 'ligand', record: ligand.name, message: `RDKit cannot read this ${kind}: ${reading.reason}` });
		else {
			const problem = ligandElementProblem(reading.fragments[0] ?? []);
			if (problem) issues.push({ field: 'ligand', record: ligand.name, message: problem });
		}
	});
	return issues;
}
