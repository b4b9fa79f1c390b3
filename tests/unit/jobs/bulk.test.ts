// The pure parts of bulk actions: shift-click ranges, the result summary
// ("12 retried, 3 refused: …"), the Compare link (2 to 4 jobs of one tool),
// the list's filter as the RPCs take it, and the selection's CSV (formulas
// escaped like every CSV the platform writes).
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { bulkFilter, selectionCompareLink, rangeIds, summariseBulkAnswer } from '../../../src/lib/jobs/bulk.ts';
import { selectionToCsv } from '../../../src/lib/jobs/export.ts';
import { DEFAULT_FILTERS } from '../../../src/lib/jobs/list.ts';

const ids = ['a', 'b', 'c', 'd', 'e'];

describe('rangeIds', () => {
	it('selects from the anchor to the row clicked, in either direction', () => {
		expect(rangeIds(ids, 'b', 'd')).toEqual(['b', 'c', 'd']);
		expect(rangeIds(ids, 'd', 'a')).toEqual(['a', 'b', 'c', 'd']);
	});
	it('selects just the row without an anchor on this page, and nothing for a row not on it', () => {
		expect(rangeIds(ids, null, 'c')).toEqual(['c']);
		expect(rangeIds(ids, 'z', 'c')).toEqual(['c']);
		expect(rangeIds(ids, 'a', 'z')).toEqual([]);
	});
});

describe('summariseBulkAnswer', () => {
	it('says what was done, and what was refused grouped by reason, most first', () => {
		const refused = (reason: string) => ({ job_id: crypto.randomUUID(), outcome: 'refused' as const, reason });
		expect(summariseBulkAnswer({ action: 'retry', done: 12, refused: 0, outcomes: [] })).toBe('12 retried');
		expect(
			summariseBulkAnswer({ action: 'cancel', done: 1, refused: 3, outcomes: [refused('not found'), refused('this job is already completed and cannot be cancelled'), refused('not found')] })
		).toBe('1 cancelled, 3 refused: not found (2); this job is already completed and cannot be cancelled (1)');
	});
});

describe('selectionCompareLink', () => {
	const job = (id: string, tool_id = 'protein-properties') => ({ id, tool_id });
	it('links 2 to 4 jobs of one tool', () => {
		expect(selectionCompareLink([job('a'), job('b')])).toBe('/app/compare?ids=a,b');
		expect(selectionCompareLink([job('a'), job('b'), job('c'), job('d')])).toBe('/app/compare?ids=a,b,c,d');
	});
	it('offers nothing for one job, five, or jobs of different tools', () => {
		expect(selectionCompareLink([job('a')])).toBeNull();
		expect(selectionCompareLink(ids.map((id) => job(id)))).toBeNull();
		expect(selectionCompareLink([job('a'), job('b', 'sequence-tools')])).toBeNull();
	});
});

describe('bulkFilter', () => {
	it('sends the list\'s filter as list_team_jobs takes it ("not finished" as its statuses)', () => {
		expect(bulkFilter({ ...DEFAULT_FILTERS, tool: 'sequence-tools', status: 'failed', q: 'kinase' })).toEqual({
			tool_id: 'sequence-tools',
			statuses: ['failed'],
			submitted_by: null,
			search: 'kinase'
		});
		expect(bulkFilter(DEFAULT_FILTERS)).toEqual({ tool_id: null, statuses: null, submitted_by: null, search: null });
		expect(bulkFilter({ ...DEFAULT_FILTERS, status: 'active' }).statuses).toEqual(['pending', 'queued', 'processing', 'retry']);
	});
});

describe('selectionToCsv', () => {
	it('lists each job\'s fields, with a name a spreadsheet would run escaped', () => {
		const csv = selectionToCsv([
			{ id: 'j1', name: '=HYPERLINK("x")', tool_name: 'Protein properties', status: 'failed', submitter_name: null, visibility: 'private', credits_charged: 2, credits_refunded: 2, created_at: '2026-12-07T10:00:00Z', finished_at: null }
		]);
		const rows = Papa.parse<string[]>(csv.trim()).data;
		expect(rows[0]).toEqual(['Job id', 'Name', 'Tool', 'Status', 'Submitted by', 'Visibility', 'Credits charged', 'Credits refunded', 'Created', 'Finished']);
		expect(rows[1][1]).toBe('\'=HYPERLINK("x")');
		expect(rows[1].slice(6)).toEqual(['2', '2', '2026-12-07T10:00:00Z', '']);
	});
});
