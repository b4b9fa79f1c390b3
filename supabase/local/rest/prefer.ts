// The Prefer header (one comma-joined header, or several): what PostgREST
// understands, what it applied (Preference-Applied), and handling=strict.
import { PgrstError } from './errors.ts';

export interface Preferences {
	count: 'exact' | 'planned' | 'estimated' | null;
	return: 'representation' | 'minimal' | 'headers-only' | null;
	missing: 'default' | null;
	resolution: 'merge-duplicates' | 'ignore-duplicates' | null;
	tx: 'commit' | 'rollback' | null;
	handling: 'strict' | 'lenient' | null;
	maxAffected: number | null;
	timezone: string | null;
	singleObject: boolean;
	/** Preferences as written, in order, for Preference-Applied. */
	applied: string[];
	invalid: string[];
}

const CHOICES: Record<string, readonly string[]> = {
	count: ['exact', 'planned', 'estimated'],
	return: ['representation', 'minimal', 'headers-only'],
	missing: ['default', 'null'],
	resolution: ['merge-duplicates', 'ignore-duplicates'],
	tx: ['commit', 'rollback'],
	handling: ['strict', 'lenient'],
	params: ['single-object']
};

/**
 * `timezones`: the names Postgres knows (pg_timezone_names); another
 * timezone is an invalid preference, ignored unless handling=strict, as in PostgREST.
 */
export function parsePrefer(header: string | string[] | undefined, timezones?: ReadonlySet<string>): Preferences {
	const prefs: Preferences = {
		count: null,
		return: null,
		missing: null,
		resolution: null,
		tx: null,
		handling: null,
		maxAffected: null,
		timezone: null,
		singleObject: false,
		applied: [],
		invalid: []
	};
	if (!header) return prefs;
	const raw = Array.isArray(header) ? header.join(',') : header;
	for (const part of raw.split(',')) {
		const item = part.trim();
		if (item === '') continue;
		const eq = item.indexOf('=');
		const key = eq < 0 ? item : item.slice(0, eq).trim();
		const value = eq < 0 ? '' : item.slice(eq + 1).trim();
		if (key === 'max-affected' && /^\d+$/.test(value)) {
			prefs.maxAffected = Number(value);
			prefs.applied.push(`max-affected=${value}`);
			continue;
		}
		if (key === 'timezone' && value !== '' && (timezones === undefined || timezones.has(value))) {
			prefs.timezone = value;
			prefs.applied.push(`timezone=${value}`);
			continue;
		}
		const choices = CHOICES[key];
		if (!choices || !choices.includes(value)) {
			prefs.invalid.push(item);
			continue;
		}
		switch (key) {
			case 'count':
				prefs.count = value as Preferences['count'];
				break;
			case 'return':
				prefs.return = value as Preferences['return'];
				break;
			case 'missing':
				prefs.missing = value === 'default' ? 'default' : null;
				break;
			case 'resolution':
				prefs.resolution = value as Preferences['resolution'];
				break;
			case 'tx':
				prefs.tx = value as Preferences['tx'];
				break;
			case 'handling':
				prefs.handling = value as Preferences['handling'];
				break;
			case 'params':
				prefs.singleObject = true;
				break;
		}
		prefs.applied.push(`${key}=${value}`);
	}
	if (prefs.handling === 'strict' && prefs.invalid.length > 0) {
		throw new PgrstError(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${prefs.invalid.join(', ')}`);
	}
	return prefs;
}

/** The Preference-Applied value for the preferences that took effect. */
export function appliedHeader(prefs: Preferences, keys: string[]): string | null {
	const out = prefs.applied.filter((p) => keys.includes(p.slice(0, p.indexOf('='))));
	// Later duplicates win; keep one per key.
	const seen = new Map<string, string>();
	for (const p of out) seen.set(p.slice(0, p.indexOf('=')), p);
	return seen.size ? [...seen.values()].join(', ') : null;
}
