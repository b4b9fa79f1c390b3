// docking, worker part: run() prepares and docks in child processes
// (run.server.ts), checkAvailable() looks for vina and obabel
// (programs.server.ts).
import type { ToolWorker } from '../types.ts';
import type { DockingInput, DockingResult, DockingSettings } from './index.ts';
import { dockingProgramVersions, dockingUnavailableReason } from './programs.server.ts';
import { runDocking } from './run.server.ts';

export interface DockingWorkerOptions {
	/** The environment the programs are found in and run with (default process.env). */
	env?: () => Record<string, string | undefined>;
	/** Parent of each job's private folder (default the OS temporary folder). */
	tempRoot?: () => string;
	/** Vina threads (default every core). */
	cpu?: number;
	/** Told each child process id (tests check a cancel kills it). */
	onSpawn?(pid: number, program: string): void;
}

export function createDockingWorker(options: DockingWorkerOptions = {}): ToolWorker<DockingInput, DockingSettings, DockingResult> {
	const env = () => options.env?.() ?? process.env;
	return {
		async run(input, settings, ctx) {
			return runDocking(input, settings, ctx, { env: env(), tempRoot: options.tempRoot?.(), cpu: options.cpu, onSpawn: options.onSpawn });
		},
		async checkAvailable() {
			return dockingUnavailableReason(env());
		},
		async programVersions() {
			return dockingProgramVersions(env());
		}
	};
}
