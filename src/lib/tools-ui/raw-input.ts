// The form's boxes and files as the RawInput a tool's parseInput reads, and
// its problems sorted back to the boxes they belong beside.
import { describeIssue, type InputIssue, type RawInput } from '#lib/tools/types.ts';
import type { FormValues, ToolFormSpec } from './form-spec.ts';

export interface FormFile {
	name: string;
	text: string;
}

export function buildRawInput(spec: ToolFormSpec, values: Readonly<FormValues>, files: readonly FormFile[]): RawInput {
	const raw: RawInput = {};
	const named = spec.fields.filter((f) => f.key !== 'text');
	if (spec.fields.some((f) => f.key === 'text')) raw.text = values.text ?? '';
	// Tools with named boxes always get all of them: their parser picks its mode by their presence.
	if (named.length) raw.fields = Object.fromEntries(named.map((f) => [f.key, values[f.key] ?? '']));
	if (files.length) raw.files = files.map((f) => ({ name: f.name, text: f.text }));
	return raw;
}

/** True before anything was pasted, typed into a box or uploaded (problems are not shown yet). */
export function isBlank(spec: ToolFormSpec, values: Readonly<FormValues>, files: readonly FormFile[]): boolean {
	return files.length === 0 && spec.fields.filter((f) => f.kind === 'textarea').every((f) => (values[f.key] ?? '').trim() === '');
}

/** Most messages listed beside one box; the rest are counted. */
export const MAX_SHOWN_ISSUES = 8;

export interface FieldIssues {
	messages: string[];
	more: number;
}

export function issuesByField(spec: ToolFormSpec, issues: readonly InputIssue[]): Record<string, FieldIssues> {
	const out: Record<string, FieldIssues> = {};
	const keys = new Set(spec.fields.map((f) => f.key));
	const fallback = spec.fields[0]?.key ?? 'text';
	for (const issue of issues) {
		const wanted = spec.fieldOf(issue);
		const key = keys.has(wanted) ? wanted : fallback;
		const entry = (out[key] ??= { messages: [], more: 0 });
		if (entry.messages.length < MAX_SHOWN_ISSUES) entry.messages.push(describeIssue(issue));
		else entry.more++;
	}
	return out;
}

const MiB = 1024 * 1024;

export function formatLimit(bytes: number): string {
	return bytes >= MiB ? `${+(bytes / MiB).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** Why a file cannot be used, before it is read: larger than the tool's whole input may be. */
export function fileTooLarge(file: { name: string; size: number }, maxInputBytes: number, toolName: string): string | null {
	if (file.size <= maxInputBytes) return null;
	return `${file.name} is ${formatLimit(file.size)}; ${toolName} accepts at most ${formatLimit(maxInputBytes)} of input.`;
}

/** Why the boxes and files together are too large (the tool's parser measures the final JSON too). */
export function inputTooLarge(values: Readonly<FormValues>, files: readonly FormFile[], maxInputBytes: number, toolName: string): string | null {
	const encoder = new TextEncoder();
	let bytes = 0;
	for (const v of Object.values(values)) bytes += v.length;
	for (const f of files) bytes += f.text.length;
	// Characters undercount UTF-8 bytes only for non-ASCII text; measure exactly when close.
	if (bytes > maxInputBytes / 2) {
		bytes = 0;
		for (const v of Object.values(values)) bytes += encoder.encode(v).length;
		for (const f of files) bytes += encoder.encode(f.text).length;
	}
	if (bytes <= maxInputBytes) return null;
	return `The input is ${formatLimit(bytes)}; ${toolName} accepts at most ${formatLimit(maxInputBytes)}.`;
}
