// A tool's settings form, read from its zod settings schema (through
// zod 4's JSON Schema export): enums become selects, numbers number inputs
// with the schema's limits, booleans checkboxes; every field starts at the
// schema's default. The schema still decides what is valid (see
// settingsIssues); the per-tool hints only add labels, help and choices.
import { z } from 'zod';
import type { SettingHint } from './form-spec.ts';

interface Base {
	key: string;
	label: string;
	hint?: string;
	visibleWhen?: (settings: Readonly<Record<string, unknown>>) => boolean;
}

export type SettingField =
	| (Base & { kind: 'checkbox'; default: boolean })
	| (Base & { kind: 'select'; options: Array<{ value: string | number; label: string }>; default: string | number | undefined })
	| (Base & { kind: 'number'; min?: number; max?: number; step: number | 'any'; default: number | undefined })
	| (Base & { kind: 'text'; default: string | undefined });

interface JsonProperty {
	type?: string | string[];
	enum?: unknown[];
	default?: unknown;
	minimum?: number;
	maximum?: number;
	exclusiveMinimum?: number;
	exclusiveMaximum?: number;
	description?: string;
}

/** Bounds wider than this are zod's safe-integer defaults, not the tool's. */
const MEANINGFUL_BOUND = 1e15;
const bound = (n: number | undefined) => (n !== undefined && Math.abs(n) < MEANINGFUL_BOUND ? n : undefined);

/** "hydropathyWindow" -> "Hydropathy window" when a tool gives no label; "pH" stays "pH" ("charge_pH" -> "Charge pH"). */
export function humanize(key: string): string {
	const words = key
		.replace(/_/g, ' ')
		.replace(/pH/g, ' \u0000 ')
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.replace(/\s+/g, ' ')
		.trim();
	const capitalised = words.startsWith('\u0000') ? words : words.charAt(0).toUpperCase() + words.slice(1);
	return capitalised.replace(/\u0000/g, 'pH');
}

export function settingsFields(schema: z.ZodType, hints: Record<string, SettingHint> = {}): SettingField[] {
	const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonProperty> };
	return Object.entries(json.properties ?? {}).map(([key, prop]): SettingField => {
		const hint = hints[key];
		const base: Base = { key, label: hint?.label ?? humanize(key), hint: hint?.hint ?? prop.description, visibleWhen: hint?.visibleWhen };
		const type = Array.isArray(prop.type) ? prop.type.find((t) => t !== 'null') : prop.type;
		if (hint?.options) return { ...base, kind: 'select', options: hint.options, default: prop.default as string | number | undefined };
		if (prop.enum) {
			const options = prop.enum
				.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
				.map((value) => ({ value, label: hint?.optionLabels?.[String(value)] ?? String(value) }));
			return { ...base, kind: 'select', options, default: prop.default as string | number | undefined };
		}
		if (type === 'boolean') return { ...base, kind: 'checkbox', default: prop.default === true };
		if (type === 'integer' || type === 'number') {
			return {
				...base,
				kind: 'number',
				min: bound(prop.minimum ?? prop.exclusiveMinimum),
				max: bound(prop.maximum ?? prop.exclusiveMaximum),
				step: type === 'integer' ? 1 : 'any',
				default: typeof prop.default === 'number' ? prop.default : undefined
			};
		}
		return { ...base, kind: 'text', default: typeof prop.default === 'string' ? prop.default : undefined };
	});
}

/** The settings a form starts with: each field's default. */
export function defaultSettings(fields: SettingField[]): Record<string, unknown> {
	return Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.key, f.default]));
}

/** Form values as the schema takes them: blank number boxes are left out, so their default applies. */
export function settingsForSchema(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(values)) {
		if (value === null || value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value))) continue;
		out[key] = value;
	}
	return out;
}

export type SettingsCheck = { ok: true; settings: Record<string, unknown> } | { ok: false; issues: Record<string, string> };

/** Parses the form's settings with the tool's schema: the settings to send, or a message per field. */
export function checkSettings(schema: z.ZodType, values: Readonly<Record<string, unknown>>): SettingsCheck {
	const parsed = schema.safeParse(settingsForSchema(values));
	if (parsed.success) return { ok: true, settings: parsed.data as Record<string, unknown> };
	const issues: Record<string, string> = {};
	for (const issue of parsed.error.issues) {
		const key = issue.path.length ? String(issue.path[0]) : '';
		issues[key] ??= issue.message;
	}
	return { ok: false, issues };
}
