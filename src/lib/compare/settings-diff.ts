// The settings of 2-4 jobs of one tool side by side: each job's stored
// settings with the tool's defaults filled in and labelled as its form labels
// them (the same reading as the job's exports, #lib/jobs/export-settings.ts),
// one row per setting, marked where the jobs differ.
import { settingEntries } from '#lib/jobs/export-settings.ts';

export interface SettingComparison {
	key: string;
	label: string;
	/** One per job, in the jobs' order; null where a job has no such setting (an older tool version). */
	shown: (string | null)[];
	differs: boolean;
}

export function compareSettings(toolId: string, settings: readonly unknown[]): SettingComparison[] {
	const perJob = settings.map((s) => new Map(settingEntries(toolId, s).map((e) => [e.key, e])));
	const rows = new Map<string, string>();
	for (const entries of perJob) for (const [key, e] of entries) if (!rows.has(key)) rows.set(key, e.label);
	return [...rows].map(([key, label]) => {
		const values = perJob.map((entries) => entries.get(key));
		// Compared by value (1 and 1.0 are the same pH), shown as the form shows them.
		const compared = values.map((e) => (e === undefined ? undefined : JSON.stringify(e.value)));
		return { key, label, shown: values.map((e) => e?.shown ?? null), differs: compared.some((c) => c !== compared[0]) };
	});
}
