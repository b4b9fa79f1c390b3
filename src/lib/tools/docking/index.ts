// docking: ligands (SMILES or SDF) docked into one receptor (PDB) with
// AutoDock Vina after Open Babel preparation; per ligand the poses within
// energy_range with affinity and RMSD bounds, and the poses as SDF/PDB
// files. See README.md. This module is safe to load in the browser: the
// worker-side code (child processes, files) is imported only by run() and
// checkAvailable().
import { catalogEntry } from '../catalog.ts';
import type { RawInput, ToolDefinition } from '../types.ts';
import { IEP_POCKET_PDB } from './example-receptor.ts';
import { parseDockingInput } from './parse-input.ts';
import { inputSchema, settingsSchema, type DockingInput, type DockingSettings } from './schema.ts';
import type { DockingResult } from './run.ts';

export { inputSchema, settingsSchema, type DockingInput, type DockingSettings, type DockingResult };

const catalog = catalogEntry('docking')!;

export interface DockingToolOptions {
	/** The environment the programs are found in and run with (default process.env). */
	env?: () => Record<string, string | undefined>;
	/** Parent of each job's private folder (default the OS temporary folder). */
	tempRoot?: () => string;
	/** Vina threads (default every core). */
	cpu?: number;
	/** Told each child process id (tests check a cancel kills it). */
	onSpawn?(pid: number, program: string): void;
}

/**
 * The worker-side modules, imported by their address so a browser bundle
 * never pulls child processes and file system code in (the bundler does not
 * follow a computed address).
 */
function workerModule<T>(file: string): Promise<T> {
	return import(/* @vite-ignore */ new URL(file, import.meta.url).href) as Promise<T>;
}

const IMATINIB = 'Cc1ccc(cc1Nc2nccc(n2)c3cccnc3)NC(=O)c4ccc(cc4)CN5CCN(CC5)C imatinib';

export function createDockingTool(options: DockingToolOptions = {}): ToolDefinition<DockingInput, DockingSettings, DockingResult> {
	const env = () => options.env?.() ?? process.env;
	return {
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
		parseInput: (raw: RawInput) => parseDockingInput(raw, catalog.maxInputBytes),
		async run(input, settings, ctx) {
			const { runDocking } = await workerModule<typeof import('./run.ts')>('./run.ts');
			return runDocking(input, settings, ctx, { env: env(), tempRoot: options.tempRoot?.(), cpu: options.cpu, onSpawn: options.onSpawn });
		},
		async checkAvailable() {
			const { dockingUnavailableReason } = await workerModule<typeof import('./programs.ts')>('./programs.ts');
			return dockingUnavailableReason(env());
		}
	};
}

export const dockingTool = createDockingTool();
