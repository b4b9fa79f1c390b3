// Accept header negotiation: JSON array (default), single object
// (vnd.pgrst.object+json, what .single() sends), CSV, and stripped nulls.
import { PgrstError } from './errors.ts';

export interface MediaChoice {
	kind: 'array' | 'object' | 'csv';
	stripNulls: boolean;
	contentType: string;
}

const ARRAY: MediaChoice = { kind: 'array', stripNulls: false, contentType: 'application/json; charset=utf-8' };

export function negotiate(accept: string | undefined): MediaChoice {
	if (!accept || accept.trim() === '') return ARRAY;
	const offered = accept.split(',').map((s) => s.trim()).filter(Boolean);
	for (const item of offered) {
		const [typeRaw, ...paramsRaw] = item.split(';');
		const type = typeRaw.trim().toLowerCase();
		const params = paramsRaw.map((p) => p.trim().toLowerCase());
		const stripNulls = params.includes('nulls=stripped');
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
	throw new PgrstError(406, 'PGRST107', `None of these media types are available: ${offered.map((o) => o.split(';')[0].trim()).join(', ')}`);
}
