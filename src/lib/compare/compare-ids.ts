// The compare page's address: /app/compare?ids=<id>,<id>[,<id>,<id>], the
// jobs in the order given, the first being the baseline the others are
// measured against. Shared as it is: each viewer sees only the jobs they may open.
import { z } from 'zod';

export const MIN_COMPARED = 2;
export const MAX_COMPARED = 4;

export interface CompareIds {
	/** Well-formed ids, duplicates dropped, at most MAX_COMPARED. */
	ids: string[];
	/** Parts of the list that are not job ids (shown back so the sender can fix the link). */
	malformed: string[];
	/** More than MAX_COMPARED ids were given; the first ones are kept. */
	truncated: boolean;
}

const uuid = z.uuid();

export function parseCompareIds(param: string | null): CompareIds {
	const parts = (param ?? '')
		.split(',')
		.map((p) => p.trim().toLowerCase())
		.filter((p) => p !== '');
	const ids: string[] = [];
	const malformed: string[] = [];
	for (const part of parts) {
		if (!uuid.safeParse(part).success) malformed.push(part.slice(0, 60));
		else if (!ids.includes(part)) ids.push(part);
	}
	return { ids: ids.slice(0, MAX_COMPARED), malformed, truncated: ids.length > MAX_COMPARED };
}

export function compareLink(ids: readonly string[]): string {
	return ids.length ? `/app/compare?ids=${ids.join(',')}` : '/app/compare';
}
