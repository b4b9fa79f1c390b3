// The jobs page's URL query (filters, search, sort, page) and how live
// changes from Realtime change the rows on screen.
import { describe, expect, it } from 'vitest';
import {
	applyJobChange,
	DEFAULT_FILTERS,
	jobListQuery,
	matchesFilters,
	parseJobListQuery,
	replayJobChanges,
	statusesFor,
	type ApplyContext,
	type JobListFilters,
	type JobListRow,
	type JobListState
} from '#lib/jobs/list.ts';

const TEAM = '11111111-1111-4111-8111-111111111111';
const ALICE = '22222222-2222-4222-8222-222222222222';
const BOB = '33333333-3333-4333-8333-333333333333';

function row(n: number, fields: Partial<JobListRow> = {}): JobListRow {
	return {
		id: `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`,
		team_id: TEAM,
		name: `run ${n}`,
		tool_id: 'protein-properties',
		tool_name: 'Protein properties',
		status: 'completed',
		progress: 100,
		progress_message: null,
		submitted_by: ALICE,
		submitter_name: 'Alice',
		visibility: 'private',
		credits_charged: 0,
		credits_refunded: 0,
		created_at: `2026-11-28T10:00:0${n}+00:00`,
		started_at: null,
		finished_at: null,
		...fields
	};
}

/** What Realtime sends for a new job: the table's columns, no joined names. */
function inserted(n: number, fields: Record<string, unknown> = {}) {
	const { tool_name: _t, submitter_name: _s, ...rest } = row(n, { status: 'pending', progress: 0 });
	return { ...rest, input: { sequences: [] }, settings: {}, result: null, ...fields };
}

const ctx = (filters: Partial<JobListFilters> = {}, pageSize = 3): ApplyContext => ({
	filters: { ...DEFAULT_FILTERS, ...filters },
	pageSize,
	submitterName: (id) => (id === ALICE ? 'Alice' : id === BOB ? 'Bob' : null)
});
const state = (rows: JobListRow[], total = rows.length): JobListState => ({ rows, total, unseen: 0 });

describe('the URL query', () => {
	it('reads filters, search, sort and page, and writes them back the same', () => {
		const filters = parseJobListQuery(new URLSearchParams(`tool=molecule-properties&status=failed&submitter=${BOB}&q=%20kinase%20&sort=name&dir=asc&page=3`));
		expect(filters).toEqual({ tool: 'molecule-properties', status: 'failed', submitter: BOB, q: 'kinase', sort: 'name', dir: 'asc', page: 3 });
		expect(parseJobListQuery(new URLSearchParams(jobListQuery(filters)))).toEqual(filters);
	});

	it('leaves defaults out, so the plain page has a plain URL', () => {
		expect(jobListQuery(DEFAULT_FILTERS)).toBe('');
		expect(jobListQuery({ ...DEFAULT_FILTERS, page: 2 })).toBe('?page=2');
		expect(jobListQuery({ ...DEFAULT_FILTERS, dir: 'asc' })).toBe('?sort=created_at&dir=asc');
	});

	it('falls back to the default for each part a hand-edited URL gets wrong', () => {
		const filters = parseJobListQuery(new URLSearchParams('tool=Bad Tool!&status=done&submitter=me&sort=input&dir=up&page=-4'));
		expect(filters).toEqual(DEFAULT_FILTERS);
		expect(parseJobListQuery(new URLSearchParams('page=2.5')).page).toBe(1);
		expect(parseJobListQuery(new URLSearchParams(`q=${'x'.repeat(500)}`)).q).toHaveLength(200);
	});

	it('maps "not finished" to every status still on its way', () => {
		expect(statusesFor('active')).toEqual(['pending', 'queued', 'processing', 'retry']);
		expect(statusesFor('failed')).toEqual(['failed']);
		expect(statusesFor(null)).toBeNull();
	});
});

describe('matchesFilters', () => {
	const job = row(1, { name: 'Kinase Screen', tool_id: 'molecule-properties', status: 'failed', submitted_by: BOB });
	const f = (filters: Partial<JobListFilters>) => ({ ...DEFAULT_FILTERS, ...filters });

	it('applies each filter as list_team_jobs does', () => {
		expect(matchesFilters(job, f({}))).toBe(true);
		expect(matchesFilters(job, f({ tool: 'molecule-properties', status: 'failed', submitter: BOB }))).toBe(true);
		expect(matchesFilters(job, f({ tool: 'protein-properties' }))).toBe(false);
		expect(matchesFilters(job, f({ status: 'active' }))).toBe(false);
		expect(matchesFilters(job, f({ submitter: ALICE }))).toBe(false);
	});

	it('searches names case-insensitively and ids by prefix', () => {
		expect(matchesFilters(job, f({ q: 'kinase s' }))).toBe(true);
		expect(matchesFilters(job, f({ q: 'kinases' }))).toBe(false);
		expect(matchesFilters(job, f({ q: job.id.slice(0, 13) }))).toBe(true);
		expect(matchesFilters(job, f({ q: job.id.slice(0, 13).replace('-', '').toUpperCase() }))).toBe(true);
		expect(matchesFilters(job, f({ q: 'bbbbbbbb' }))).toBe(false);
	});
});

describe('applyJobChange', () => {
	it('puts a new matching job on top of the first page, named, and counts it', () => {
		const next = applyJobChange(state([row(2), row(1)], 2), { type: 'INSERT', record: inserted(3, { submitted_by: BOB }) }, ctx());
		expect(next.rows.map((r) => r.name)).toEqual(['run 3', 'run 2', 'run 1']);
		expect(next.rows[0]).toMatchObject({ status: 'pending', tool_name: 'Protein properties', submitter_name: 'Bob' });
		expect(next.total).toBe(3);
	});

	it('keeps the page at its size when a new job pushes one off', () => {
		const next = applyJobChange(state([row(3), row(2), row(1)], 10), { type: 'INSERT', record: inserted(4) }, ctx());
		expect(next.rows.map((r) => r.name)).toEqual(['run 4', 'run 3', 'run 2']);
		expect(next.total).toBe(11);
	});

	it('ignores a new job the filters leave out', () => {
		const before = state([row(1)]);
		expect(applyJobChange(before, { type: 'INSERT', record: inserted(2) }, ctx({ status: 'failed' }))).toBe(before);
		expect(applyJobChange(before, { type: 'INSERT', record: inserted(2) }, ctx({ q: 'kinase' }))).toBe(before);
	});

	it('counts a new job as unseen on another page or sort', () => {
		for (const filters of [{ page: 2 }, { sort: 'name' as const, dir: 'asc' as const }, { dir: 'asc' as const }]) {
			const next = applyJobChange(state([row(1)]), { type: 'INSERT', record: inserted(2) }, ctx(filters));
			expect(next.rows.map((r) => r.name)).toEqual(['run 1']);
			expect(next).toMatchObject({ total: 2, unseen: 1 });
		}
	});

	it('does not add a job twice (an echo of one already shown)', () => {
		const before = state([row(1)]);
		expect(applyJobChange(before, { type: 'INSERT', record: inserted(1) }, ctx())).toBe(before);
	});

	it('changes status, progress and name in place, keeping the rest', () => {
		const before = state([row(2), row(1, { status: 'processing', progress: 10 })]);
		const next = applyJobChange(before, { type: 'UPDATE', record: { ...inserted(1), status: 'processing', progress: 55, name: 'renamed' } }, ctx());
		expect(next.rows[1]).toMatchObject({ status: 'processing', progress: 55, name: 'renamed', tool_name: 'Protein properties', submitter_name: 'Alice' });
		expect(next.rows[0]).toBe(before.rows[0]);
	});

	it('shows a refund as it happens (a cancel before the job started)', () => {
		const before = state([row(1, { status: 'pending', credits_charged: 4 })]);
		const next = applyJobChange(before, { type: 'UPDATE', record: { ...inserted(1), credits_charged: 4, status: 'cancelled', credits_refunded: 4 } }, ctx());
		expect(next.rows[0]).toMatchObject({ status: 'cancelled', credits_charged: 4, credits_refunded: 4 });
	});

	it('keeps what an oversized change left out', () => {
		const before = state([row(1, { name: 'kept' })]);
		const next = applyJobChange(before, { type: 'UPDATE', record: { id: row(1).id, status: 'failed' } }, ctx());
		expect(next.rows[0]).toMatchObject({ name: 'kept', status: 'failed' });
	});

	it('ignores updates of jobs not on the page, and malformed changes', () => {
		const before = state([row(1)]);
		expect(applyJobChange(before, { type: 'UPDATE', record: inserted(9) }, ctx())).toBe(before);
		expect(applyJobChange(before, { type: 'UPDATE', record: { id: 'nope' } }, ctx())).toBe(before);
		expect(applyJobChange(before, { type: 'UPDATE', record: { id: row(1).id, status: 'exploded' } }, ctx())).toBe(before);
		expect(applyJobChange(before, { type: 'DELETE', old: {} }, ctx())).toBe(before);
	});

	it('takes a deleted job out and counts one less', () => {
		const next = applyJobChange(state([row(2), row(1)], 5), { type: 'DELETE', old: { id: row(2).id } }, ctx());
		expect(next.rows.map((r) => r.name)).toEqual(['run 1']);
		expect(next.total).toBe(4);
		const other = state([row(1)], 5);
		expect(applyJobChange(other, { type: 'DELETE', old: { id: row(7).id } }, ctx())).toBe(other);
	});
});

describe('replayJobChanges', () => {
	const created = { type: 'INSERT' as const, record: inserted(3) };
	const finished = { type: 'UPDATE' as const, record: { ...inserted(3), status: 'completed', progress: 100 } };
	const removed = { type: 'DELETE' as const, old: { id: row(1).id } };

	it('lays changes that arrived while a page loaded over a page that predates them', () => {
		const next = replayJobChanges(state([row(2), row(1)], 2), [created, finished, removed], ctx());
		expect(next.rows.map((r) => [r.name, r.status])).toEqual([['run 3', 'completed'], ['run 2', 'completed']]);
		expect(next.total).toBe(2);
	});

	it('changes nothing on a page that already has them', () => {
		const fresh = state([{ ...row(3), status: 'completed' }, row(2)], 2);
		expect(replayJobChanges(fresh, [created, finished, removed], ctx())).toEqual(fresh);
	});

	it('does not count a new job again where the page counts it itself (another sort)', () => {
		const loaded = state([row(1), row(2), row(3)], 3);
		expect(replayJobChanges(loaded, [created, finished], ctx({ sort: 'name', dir: 'asc' }))).toEqual(loaded);
	});
});
