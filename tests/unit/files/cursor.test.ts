import { describe, expect, it } from 'vitest';
import { compareNewestFirst, cursorSchema, encodeCursor, positionFilter, timestampMicros } from '../../../src/lib/files/cursor.ts';

const a = '0a4f8c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b';
const b = 'f0e1d2c3-b4a5-4968-8776-655443322110';

describe('page positions', () => {
	it('keeps the microseconds Postgres gives, whatever the offset', () => {
		expect(timestampMicros('2026-11-28T10:00:00.000002+00:00') - timestampMicros('2026-11-28T10:00:00.000001+00:00')).toBe(1);
		expect(timestampMicros('2026-11-28T11:00:00.5+01:00')).toBe(timestampMicros('2026-11-28T10:00:00.500000Z'));
		expect(timestampMicros('2026-11-28 10:00:00+00')).toBe(timestampMicros('2026-11-28T10:00:00Z'));
	});

	it('orders newest first, then by id descending', () => {
		const rows = [
			{ createdAt: '2026-11-28T10:00:00.000001+00:00', id: a },
			{ createdAt: '2026-11-28T10:00:00.000002+00:00', id: a },
			{ createdAt: '2026-11-28T10:00:00.000001+00:00', id: b }
		];
		expect(rows.sort(compareNewestFirst).map((r) => [r.createdAt.slice(20, 26), r.id])).toEqual([
			['000002', a],
			['000001', b],
			['000001', a]
		]);
	});

	it('round-trips through the URL and refuses anything else', () => {
		const p = { createdAt: '2026-11-28T10:00:00.123456+00:00', id: a };
		const url = new URLSearchParams({ before: encodeCursor(p) });
		expect(cursorSchema.parse(new URLSearchParams(url.toString()).get('before'))).toEqual(p);
		expect(cursorSchema.safeParse('yesterday_' + a).success).toBe(false);
		expect(cursorSchema.safeParse('2026-11-28T10:00:00Z_not-a-uuid').success).toBe(false);
	});

	it('filters past the position as PostgREST logic with quoted timestamps', () => {
		expect(positionFilter({ createdAt: '2026-11-28T10:00:00+00:00', id: a }, 'older')).toBe(
			`created_at.lt."2026-11-28T10:00:00+00:00",and(created_at.eq."2026-11-28T10:00:00+00:00",id.lt.${a})`
		);
	});
});
