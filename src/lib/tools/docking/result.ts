// The result document of a docking job: what run.server.ts writes and the
// job page reads. Types only, so the browser part can name them.
import type { ToolResult } from '../types.ts';
import type { SearchBox } from './box.ts';

export interface LigandSummary {
	name: string;
	best_affinity_kcal_mol: number;
	poses: number;
	heavy_atoms: number;
	torsions: number;
	files: { sdf: string; pdb: string; pdbqt: string; prepared: string } | null;
}

export interface OutputFile {
	name: string;
	media_type: string;
	description: string;
}

export interface DockingResult extends ToolResult {
	box: SearchBox;
	ligands: LigandSummary[];
	files: OutputFile[];
	notes: string[];
	programs: { vina: string; obabel: string };
	/** The Vina command for each ligand, with the output files' names, to reproduce a run. */
	vina_commands: Array<{ ligand: string; args: string[] }>;
}
