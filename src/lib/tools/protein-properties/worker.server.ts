// protein-properties, worker part: run() and the compute code it needs.
import { requireValidSequences } from '../parse/sequences-input.ts';
import { checkAborted, yieldToEventLoop, type ToolWorker } from '../types.ts';
import { hydropathyProfile, proteinProperties, type ProteinProperties } from './compute.ts';
import {
	fastaOptions,
	MAX_PROFILES_IN_RESULT,
	type HydropathyProfile,
	type ProteinPropertiesInput,
	type ProteinPropertiesResult,
	type ProteinPropertiesSettings
} from './index.ts';
import { buildTable } from './table.ts';
import { csvText } from '../../csv/cells.ts';
import { count } from '#lib/ui/plural.ts';

export const proteinPropertiesWorker: ToolWorker<ProteinPropertiesInput, ProteinPropertiesSettings, ProteinPropertiesResult> = {
	async run(input, settings, ctx) {
		requireValidSequences(input.sequences, fastaOptions);
		const n = input.sequences.length;
		const results: Array<{ id: string; description?: string; props: ProteinProperties }> = [];
		const hydropathy: HydropathyProfile[] = [];
		const csv: unknown[][] = ctx.writeFile ? [['id', 'position', 'hydropathy']] : [];
		let lastYield = Date.now();
		for (let i = 0; i < n; i++) {
			checkAborted(ctx.signal);
			if (Date.now() - lastYield > 50) {
				ctx.progress((100 * i) / n, `${i} of ${count(n, 'sequence')}`);
				await yieldToEventLoop();
				lastYield = Date.now();
			}
			const { id, sequence, description } = input.sequences[i];
			results.push({ id, description, props: proteinProperties(sequence, settings.pH) });
			// Profiles past the first MAX_PROFILES_IN_RESULT only go to the file.
			if (i >= MAX_PROFILES_IN_RESULT && !ctx.writeFile) continue;
			const profile = hydropathyProfile(sequence, settings.hydropathyWindow);
			if (i < MAX_PROFILES_IN_RESULT) hydropathy.push({ id, window: settings.hydropathyWindow, ...profile });
			if (ctx.writeFile) for (let k = 0; k < profile.values.length; k++) csv.push([id, profile.positions[k], profile.values[k]]);
		}
		if (ctx.writeFile) await ctx.writeFile('hydropathy.csv', 'text/csv', csvText(csv));
		ctx.progress(100, `${n} of ${count(n, 'sequence')}`);
		return { table: buildTable(results, settings.pH), hydropathy, hydropathyOmitted: Math.max(0, n - MAX_PROFILES_IN_RESULT) };
	}
};
