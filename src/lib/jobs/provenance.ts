// What computed a job (jobs.provenance, written by the worker as its run
// ends): the tool and its version, the back-end programs it ran with their
// versions, and the worker's own version. Shown on the job page, carried by
// the CSV and JSON exports and by archives (ro-crate-metadata.json). Jobs
// that finished before provenance was recorded have none (null).
import { z } from 'zod';

const versionText = z.string().min(1).max(200);

export const jobProvenanceSchema = z.object({
	tool: z.object({ id: z.string().min(1), name: z.string().min(1), version: versionText }),
	/** Program or library name to its version: { "AutoDock Vina": "1.2.3" }. */
	programs: z.record(z.string().min(1).max(100), versionText).default({}),
	worker: z.object({
		version: versionText,
		/** The commit the worker ran from, when it runs from a git checkout or FOLDWORK_COMMIT says. */
		commit: z.string().max(64).nullable().default(null),
		/** "Node.js v22.18.0". */
		runtime: versionText
	})
});
export type JobProvenance = z.infer<typeof jobProvenanceSchema>;

/** The stored provenance, or null when there is none or it is not in the shape this app reads. */
export function parseProvenance(value: unknown): JobProvenance | null {
	const parsed = jobProvenanceSchema.safeParse(value);
	return parsed.success ? parsed.data : null;
}

/** "Foldwork worker 0.1.0 (commit 1a2b3c4d), Node.js v22.18.0". */
export function describeWorker(p: JobProvenance): string {
	const commit = p.worker.commit ? ` (commit ${p.worker.commit.slice(0, 12)})` : '';
	return `Foldwork worker ${p.worker.version}${commit}, ${p.worker.runtime}`;
}

/** Each part as people read it: ["Docking 1.0.0", "AutoDock Vina 1.2.3", …, "Foldwork worker 0.1.0, Node.js v22"]. */
export function describeProvenance(p: JobProvenance): string[] {
	return [`${p.tool.name} ${p.tool.version}`, ...Object.entries(p.programs).map(([name, version]) => `${name} ${version}`), describeWorker(p)];
}
