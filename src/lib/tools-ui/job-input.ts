// Naming a job after what it runs on, and telling whether a duplicated job's
// input was changed in the form.
import type { ToolCatalogEntry } from '#lib/tools/catalog.ts';
import { JOB_NAME_MAX } from '#lib/jobs/job-name.ts';
import { asArray, asRecord, asString } from './input-text.ts';

function recordName(record: unknown): string {
	const r = asRecord(record);
	return asString(r.id) || asString(r.name);
}

/** "Protein properties: INS_A + 2 more": the tool and the first record of the input. */
export function defaultJobName(entry: Pick<ToolCatalogEntry, 'name' | 'itemsField'>, input: unknown): string {
	const data = asRecord(input);
	const items = asArray(data[entry.itemsField]);
	// Pairwise alignment names its query outside the items.
	const first = recordName(data.query) || recordName(items[0]);
	const others = data.query !== undefined ? items.length : items.length - 1;
	if (!first) return entry.name;
	const name = `${entry.name}: ${first}${others > 0 ? ` + ${others} more` : ''}`;
	return name.length > JOB_NAME_MAX ? name.slice(0, JOB_NAME_MAX - 1) + '…' : name;
}

/** Deep equality of JSON values, ignoring key order (jsonb reorders keys) and undefined members. */
export function sameJson(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (Array.isArray(a) || Array.isArray(b)) {
		if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
		return a.every((x, i) => sameJson(x, b[i]));
	}
	if (a && b && typeof a === 'object' && typeof b === 'object') {
		const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
		const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
		if (ka.length !== kb.length) return false;
		return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
	}
	return false;
}

/** A job whose input and settings prefill the form: the jobs menu's Duplicate (completed) or Edit and run again (failed, timed out, cancelled). */
export interface DuplicateSource {
	id: string;
	name: string;
	status: string;
	team_id: string;
	input: unknown;
	settings: Record<string, unknown>;
	/** Why it failed, shown while its input is edited. */
	error_message: string | null;
}
