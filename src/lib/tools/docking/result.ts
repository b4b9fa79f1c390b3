// The result document of a docking job: what run.server.ts writes and the
// job page reads, as one schema (the worker checks a run's result against
// it; src/lib/tools/result-schemas.ts). Zod only, so the browser part can
// use it.
import { z } from 'zod';
import { toolResultSchema } from '../result-table.ts';
import type { SearchBox } from './box.ts';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

export const searchBoxSchema = z.object({ center: vec3, size: vec3, source: z.string() }) satisfies z.ZodType<SearchBox>;

export const ligandSummarySchema = z.object({
	name: z.string(),
	best_affinity_kcal_mol: z.number(),
	poses: z.number().int(),
	heavy_atoms: z.number().int(),
	torsions: z.number().int(),
	files: z.object({ sdf: z.string(), pdb: z.string(), pdbqt: z.string(), prepared: z.string() }).nullable()
});
export type LigandSummary = z.infer<typeof ligandSummarySchema>;

export const outputFileSchema = z.object({ name: z.string(), media_type: z.string(), description: z.string() });
export type OutputFile = z.infer<typeof outputFileSchema>;

export const dockingResultSchema = toolResultSchema.extend({
	box: searchBoxSchema,
	ligands: z.array(ligandSummarySchema),
	files: z.array(outputFileSchema).default([]),
	notes: z.array(z.string()).default([]),
	// Results from before the programs were recorded lack it.
	programs: z.object({ vina: z.string(), obabel: z.string() }).optional(),
	/** The Vina command for each ligand, with the output files' names, to reproduce a run. */
	vina_commands: z.array(z.object({ ligand: z.string(), args: z.array(z.string()) })).default([])
});
export type DockingResult = z.infer<typeof dockingResultSchema>;
