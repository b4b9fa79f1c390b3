// protein-properties: ProtParam-style properties of protein sequences.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { standardProtein } from '../parse/alphabets.ts';
import type { FastaOptions } from '../parse/fasta.ts';
import { parseSequencesInput, requireValidSequences } from '../parse/sequences-input.ts';
import { sequencesInputSchema } from '../parse/sequence-schema.ts';
import { checkAborted, yieldToEventLoop, type ToolDefinition, type ToolResult } from '../types.ts';
import { examples } from './examples.ts';
import { buildTable } from './table.ts';
import { hydropathyProfile, proteinProperties, type ProteinProperties } from './compute.ts';

const catalog = catalogEntry('protein-properties')!;

/** Longest accepted sequence (titin, the longest known protein, has ~35,000 residues). */
export const MAX_PROTEIN_LENGTH = 100_000;
/** Profiles beyond this many sequences go to a file, not into the result JSON. */
export const MAX_PROFILES_IN_RESULT = 200;

export const inputSchema = sequencesInputSchema(catalog.maxItems);
export type ProteinPropertiesInput = z.infer<typeof inputSchema>;

export const settingsSchema = z.object({
	pH: z.number().min(0).max(14).default(7.0),
	hydropathyWindow: z
		.number()
		.int()
		.min(3)
		.max(21)
		.refine((w) => w % 2 === 1, 'the window must be odd')
		.default(9)
});
export type ProteinPropertiesSettings = z.infer<typeof settingsSchema>;

export interface HydropathyProfile {
	id: string;
	window: number;
	/** 1-based residue at each window's centre. */
	positions: number[];
	values: number[];
}

export interface ProteinPropertiesResult extends ToolResult {
	hydropathy: HydropathyProfile[];
	/** Sequences whose profile is only in the hydropathy.csv file. */
	hydropathyOmitted: number;
}

const fastaOptions: FastaOptions = {
	alphabet: standardProtein,
	maxRecords: catalog.maxItems,
	maxLength: MAX_PROTEIN_LENGTH
};

export const proteinPropertiesTool: ToolDefinition<ProteinPropertiesInput, ProteinPropertiesSettings, ProteinPropertiesResult> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples,
	parseInput: (raw) => parseSequencesInput(raw, fastaOptions, catalog.maxInputBytes),
	async run(input, settings, ctx) {
		requireValidSequences(input.sequences, fastaOptions);
		const n = input.sequences.length;
		const results: Array<{ id: string; description?: string; props: ProteinProperties }> = [];
		const hydropathy: HydropathyProfile[] = [];
		const csv: string[] = ctx.writeFile ? ['id,position,hydropathy'] : [];
		let lastYield = Date.now();
		for (let i = 0; i < n; i++) {
			checkAborted(ctx.signal);
			if (Date.now() - lastYield > 50) {
				ctx.progress((100 * i) / n, `${i} of ${n} sequences`);
				await yieldToEventLoop();
				lastYield = Date.now();
			}
			const { id, sequence, description } = input.sequences[i];
			results.push({ id, description, props: proteinProperties(sequence, settings.pH) });
			// Profiles past the first MAX_PROFILES_IN_RESULT only go to the file.
			if (i >= MAX_PROFILES_IN_RESULT && !ctx.writeFile) continue;
			const profile = hydropathyProfile(sequence, settings.hydropathyWindow);
			if (i < MAX_PROFILES_IN_RESULT) hydropathy.push({ id, window: settings.hydropathyWindow, ...profile });
			if (ctx.writeFile) for (let k = 0; k < profile.values.length; k++) csv.push(`${csvField(id)},${profile.positions[k]},${profile.values[k]}`);
		}
		if (ctx.writeFile) await ctx.writeFile('hydropathy.csv', 'text/csv', csv.join('\n') + '\n');
		ctx.progress(100, `${n} of ${n} sequences`);
		return { table: buildTable(results), hydropathy, hydropathyOmitted: Math.max(0, n - MAX_PROFILES_IN_RESULT) };
	}
};

function csvField(s: string): string {
	return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
