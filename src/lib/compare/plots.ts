// What the compare page overlays, one series per job: hydropathy profiles
// (protein properties) and pLDDT tracks (structure prediction) per sequence,
// backbone angles (structure analysis) per structure. Each is read with the
// tool's own result schema (src/lib/tools/result-schemas.ts); a result that
// does not match simply has nothing to overlay.
import type { HydropathyProfile } from '#lib/tools/protein-properties/index.ts';
import { toolResultSchemas } from '#lib/tools/result-schemas.ts';
import type { ChainPlotData } from '#lib/tools/structure-analysis/index.ts';
import type { PlddtTrack } from '#lib/tools/structure-prediction/index.ts';

/** One record (a sequence, a structure) with each job's version of it, null where a job has none. */
export interface Overlay<T> {
	id: string;
	perJob: (T | null)[];
}

/** Records grouped by id across jobs, in the order first met; the first of an id in each job counts. */
export function overlayById<T>(lists: readonly (readonly T[] | null)[], idOf: (item: T) => string): Overlay<T>[] {
	const byId = new Map<string, (T | null)[]>();
	lists.forEach((list, j) => {
		for (const item of list ?? []) {
			const id = idOf(item);
			const row = byId.get(id) ?? lists.map(() => null);
			if (row[j] === null) row[j] = item;
			byId.set(id, row);
		}
	});
	// Only what at least two jobs have is worth overlaying.
	return [...byId].filter(([, perJob]) => perJob.filter((p) => p !== null).length >= 2).map(([id, perJob]) => ({ id, perJob }));
}

export interface ComparisonPlots {
	hydropathy: Overlay<HydropathyProfile>[];
	plddt: Overlay<PlddtTrack>[];
	/** Per structure name: each job's chains with their angles. */
	ramachandran: Overlay<ChainPlotData[]>[];
}

export function comparisonPlots(toolId: string, results: readonly unknown[]): ComparisonPlots {
	const none: ComparisonPlots = { hydropathy: [], plddt: [], ramachandran: [] };
	if (toolId === 'protein-properties') {
		const lists = results.map((r) => toolResultSchemas['protein-properties'].safeParse(r).data?.hydropathy ?? null);
		return { ...none, hydropathy: overlayById(lists, (p) => p.id) };
	}
	if (toolId === 'structure-prediction') {
		const lists = results.map((r) => toolResultSchemas['structure-prediction'].safeParse(r).data?.plddt ?? null);
		return { ...none, plddt: overlayById(lists, (t) => t.id) };
	}
	if (toolId === 'structure-analysis') {
		const lists = results.map((r) => {
			const chains = toolResultSchemas['structure-analysis'].safeParse(r).data?.chains;
			if (!chains) return null;
			const byStructure = new Map<string, ChainPlotData[]>();
			for (const c of chains) byStructure.set(c.structure, [...(byStructure.get(c.structure) ?? []), c]);
			return [...byStructure.values()];
		});
		return { ...none, ramachandran: overlayById(lists, (chains) => chains[0].structure) };
	}
	return none;
}
