// Accept header negotiation: JSON array (default), single object
// (vnd.pgrst.object+json, what .single() sends), CSV, and stripped nulls.
import { PgrstError } from './errors.ts';

export type PlanOption = 'analyze' | 'verbose' | 'settings' | 'buffers' | 'wal';

export interface PlanChoice {
	format: 'json' | 'text';
	options: PlanOption[];
	contentType: string;
}

export interface MediaChoice {
	kind: 'array' | 'object' | 'csv';
	stripNulls: boolean;
	contentType: string;
	/** `application/vnd.pgrst.plan`: answer with the EXPLAIN of the query (when db_plan_enabled). */
	plan?: PlanChoice;
}

const PLAN_OPTIONS: PlanOption[] = ['analyze', 'verbose', 'settings', 'buffers', 'wal'];

function paramValue(params: string[], name: string): string | null {
	for (const p of params) {
		const eq = p.indexOf('=');
		if (eq > 0 && p.slice(0, eq).trim() === name) return p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
	}
	return null;
}

/** How PostgREST writes a plan media type (in Content-Type and in its 406 message). */
function planMime(format: string, forType: string, options: PlanOption[]): string {
	return `application/vnd.pgrst.plan+${format}; for="${forType}"${options.length ? `; options=${options.join('|')}` : ''}`;
}

const ARRAY: MediaChoice = { kind: 'array', stripNulls: false, contentType: 'application/json; charset=utf-8' };

export function negotiate(accept: string | undefined, planEnabled = false): MediaChoice {
	if (!accept || accept.trim() === '') return ARRAY;
	const offered = accept.split(',').map((s) => s.trim()).filter(Boolean);
	const names: string[] = [];
	for (const item of offered) {
		const [typeRaw, ...paramsRaw] = item.split(';');
		const type = typeRaw.trim().toLowerCase();
		const params = paramsRaw.map((p) => p.trim().toLowerCase());
		const stripNulls = params.includes('nulls=stripped');
		if (type === 'application/vnd.pgrst.plan' || type === 'application/vnd.pgrst.plan+text' || type === 'application/vnd.pgrst.plan+json') {
			const format = type.endsWith('+json') ? 'json' : 'text';
			const forType = paramValue(params, 'for') ?? 'application/json';
			const requested = (paramValue(params, 'options') ?? '').split('|');
			const options = PLAN_OPTIONS.filter((o) => requested.includes(o));
			const mime = planMime(format, forType, options);
			names.push(mime);
			// Off unless db_plan_enabled: then no plan type is producible (406), as in PostgREST.
			if (!planEnabled) continue;
			let inner: MediaChoice;
			try {
				inner = negotiate(forType);
			} catch {
				continue;
			}
			return { ...inner, plan: { format, options, contentType: `${mime}; charset=utf-8` } };
		}
		names.push(type);
		switch (type) {
			case '*/*':
			case 'application/*':
			case 'application/json':
				return ARRAY;
			case 'application/vnd.pgrst.array+json':
				return { kind: 'array', stripNulls, contentType: `application/vnd.pgrst.array+json${stripNulls ? ';nulls=stripped' : ''}; charset=utf-8` };
			case 'application/vnd.pgrst.object+json':
				return { kind: 'object', stripNulls, contentType: `application/vnd.pgrst.object+json${stripNulls ? ';nulls=stripped' : ''}; charset=utf-8` };
			case 'application/vnd.pgrst.object':
				return { kind: 'object', stripNulls, contentType: 'application/vnd.pgrst.object+json; charset=utf-8' };
			case 'text/csv':
			case 'text/*':
				return { kind: 'csv', stripNulls: false, contentType: 'text/csv; charset=utf-8' };
		}
	}
	throw new PgrstError(406, 'PGRST107', `None of these media types are available: ${names.join(', ')}`);
}
