// The settings a job ran with, for its exports and the compare page: what it
// stored with its tool's defaults filled in (a job run with the defaults
// stores {}), each labelled as the tool's form labels it ("Hydropathy window
// (residues) 9"). It needs every tool's schemas, so the job menu loads it
// only when someone exports (see export.ts).
import { toolSpec } from '#lib/tools/registry.ts';
import { formSpec } from '#lib/tools-ui/form-spec.ts';
import type { ExportSettings } from './export.ts';

export interface SettingEntry {
	key: string;
	/** The form's label ("Hydropathy window (residues)"), or the key for a setting the form does not know. */
	label: string;
	/** The value as the form shows it: an option's label, yes/no, or JSON for anything else. */
	shown: string;
	value: unknown;
}

function describe(toolId: string, key: string, value: unknown): SettingEntry {
	const hint = toolSpec(toolId) ? formSpec(toolId).settings[key] : undefined;
	let shown: string;
	if (typeof value === 'boolean') shown = value ? 'yes' : 'no';
	else if (typeof value === 'string' || typeof value === 'number') shown = hint?.optionLabels?.[String(value)] ?? String(value);
	else shown = JSON.stringify(value) ?? '';
	return { key, label: hint?.label ?? key, shown, value };
}

/** The stored settings with the tool's defaults filled in, each with its label and shown value. */
export function settingEntries(toolId: string, stored: unknown): SettingEntry[] {
	const given = stored && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
	// A tool this app does not know (or settings its schema no longer takes) keeps what was stored.
	const parsed = toolSpec(toolId)?.settingsSchema.safeParse(given);
	const values = parsed?.success ? (parsed.data as Record<string, unknown>) : given;
	return Object.entries(values).map(([key, value]) => describe(toolId, key, value));
}

export function exportSettings(toolId: string, stored: unknown): ExportSettings {
	const entries = settingEntries(toolId, stored);
	return { values: Object.fromEntries(entries.map((e) => [e.key, e.value])), described: entries.map((e) => `${e.label} ${e.shown}`) };
}
