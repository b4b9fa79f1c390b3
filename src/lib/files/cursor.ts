// Keyset paging over files from two tables (job_files and jobs, for inputs):
// a position is (created_at, id), newest first; ids break ties, and uuids
// compare the same way as text in Postgres and in JavaScript.
import { z } from 'zod';

export interface Position {
	createdAt: string;
	id: string;
}

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d(?::?\d\d)?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Microseconds since the epoch: Postgres keeps microseconds, and Date only
 * milliseconds, so two rows a few microseconds apart still sort apart.
 */
export function timestampMicros(iso: string): number {
	const m = ISO.exec(iso.replace(' ', 'T'));
	if (!m) throw new Error(`not a timestamp: ${iso}`);
	let zone = m[3] ?? 'Z';
	if (/^[+-]\d\d$/.test(zone)) zone += ':00';
	const seconds = Date.parse(`${m[1]}${zone}`);
	if (Number.isNaN(seconds)) throw new Error(`not a timestamp: ${iso}`);
	const fraction = Number((m[2] ?? '').padEnd(6, '0').slice(0, 6));
	return seconds * 1000 + fraction;
}

/** Negative when `a` comes first in newest-first order. */
export function compareNewestFirst(a: Position, b: Position): number {
	const ta = timestampMicros(a.createdAt);
	const tb = timestampMicros(b.createdAt);
	if (ta !== tb) return tb - ta;
	return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function encodeCursor(p: Position): string {
	return `${p.createdAt}_${p.id}`;
}

export const cursorSchema = z.string().transform((value, ctx): Position => {
	const cut = value.lastIndexOf('_');
	const createdAt = value.slice(0, cut);
	const id = value.slice(cut + 1).toLowerCase();
	if (cut < 0 || !UUID.test(id) || !ISO.test(createdAt)) {
		ctx.addIssue({ code: 'custom', message: 'not a page position' });
		return z.NEVER;
	}
	return { createdAt, id };
});

/**
 * A PostgREST `or` filter for rows after (`older`) or before (`newer`) the
 * position. Values are quoted: timestamps hold ':' and '+'.
 */
export function positionFilter(p: Position, direction: 'older' | 'newer'): string {
	const op = direction === 'older' ? 'lt' : 'gt';
	return `created_at.${op}."${p.createdAt}",and(created_at.eq."${p.createdAt}",id.${op}.${p.id})`;
}
