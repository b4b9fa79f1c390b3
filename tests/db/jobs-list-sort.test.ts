// The global jobs page's sorting (20261128300000_jobs_list_sort.sql): every
// column the page shows sorts both ways, equal keys list newest first, pages
// by offset stay consistent with one sorted list, keyset paging works in both
// directions of created_at, a job id prefix is a search, and the bad cases
// are refused with a message a person can act on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, errorOf, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';
import { listTeamJobs, openJobsTeam, rewriteHistory, submitTeamJob, type JobsTeam } from './jobs-list-support.ts';

let team: JobsTeam;
let db: TestDatabase;
let alice: TestUser;
let bob: TestUser;
let outsider: TestUser;
let teamId: string;

interface Seeded {
	id: string;
	name: string;
	tool: string;
	toolName: string;
	by: TestUser;
	byName: string;
	status: string;
	credits: number;
	createdMinutesAgo: number;
	/** Seconds from start to finish; null when never started. */
	duration: number | null;
}
const jobs: Seeded[] = [];

// Names mixed in case: the sort is case-insensitive. Two share a name, so the tie-break shows.
const plan: Array<Omit<Seeded, 'id' | 'toolName' | 'by' | 'byName' | 'credits' | 'createdMinutesAgo'> & { byBob: boolean }> = [
	{ name: 'beta run', tool: 'protein-properties', status: 'completed', duration: 30, byBob: false },
	{ name: 'Alpha run', tool: 'molecule-properties', status: 'failed', duration: 5, byBob: true },
	{ name: 'gamma', tool: 'protein-properties', status: 'pending', duration: null, byBob: false },
	{ name: 'Delta', tool: 'molecule-properties', status: 'completed', duration: 120, byBob: false },
	{ name: 'alpha run', tool: 'protein-properties', status: 'cancelled', duration: null, byBob: true },
	{ name: 'epsilon', tool: 'molecule-properties', status: 'completed', duration: 2, byBob: true },
	{ name: 'Zeta', tool: 'protein-properties', status: 'failed', duration: 60, byBob: false },
	{ name: 'eta', tool: 'molecule-properties', status: 'queued', duration: null, byBob: false },
	{ name: 'beta run', tool: 'protein-properties', status: 'completed', duration: 7, byBob: true }
];

beforeAll(async () => {
	team = await openJobsTeam('alice');
	({ db, alice, bob, outsider, teamId } = team);
	for (const [i, p] of plan.entries()) {
		const by = p.byBob ? bob : alice;
		// Molecule properties costs one credit per molecule: a few molecules make distinct credit amounts.
		const molecules = 1 + (i % 3);
		const id = await submitTeamJob(db.pool, teamId, by, { tool: p.tool, name: p.name, status: p.status, molecules });
		jobs.push({
			...p,
			id,
			by,
			byName: p.byBob ? 'Bob' : 'alice',
			toolName: p.tool === 'protein-properties' ? 'Protein properties' : 'Molecule properties',
			credits: p.tool === 'protein-properties' ? 0 : molecules,
			createdMinutesAgo: 100 - i
		});
	}
	// Distinct creation times and exact durations, written as history (triggers off).
	await rewriteHistory(db.pool, async (client) => {
		for (const j of jobs) {
			await client.query(
				`update public.jobs set created_at = now() - make_interval(mins => $2),
				   started_at = case when $3::int is null then null else now() - make_interval(mins => $2) end,
				   finished_at = case when $3::int is null then null else now() - make_interval(mins => $2) + make_interval(secs => $3) end
				 where id = $1`,
				[j.id, j.createdMinutesAgo, j.duration]
			);
		}
	});
});
afterAll(async () => {
	await db?.close();
});

type Row = { id: string; name: string; total_count: string; submitter_name: string | null; duration_seconds: number | null };

const list = (user: TestUser, args: Record<string, unknown> = {}) => listTeamJobs<Row>(team, user, args);

const statusOrder = ['pending', 'queued', 'processing', 'retry', 'completed', 'failed', 'cancelled', 'timeout'];
const newestFirst = (a: Seeded, b: Seeded) => a.createdMinutesAgo - b.createdMinutesAgo;
const keys: Record<string, (j: Seeded) => string | number | null> = {
	name: (j) => j.name.toLowerCase(),
	status: (j) => statusOrder.indexOf(j.status),
	tool: (j) => j.toolName.toLowerCase(),
	submitter: (j) => j.byName.toLowerCase(),
	duration: (j) => j.duration,
	credits: (j) => j.credits
};

/** The order the page promises: by the key, nulls last either way, equal keys newest first. */
function expected(sortBy: string, dir: 'asc' | 'desc'): string[] {
	if (sortBy === 'created_at') {
		const sorted = [...jobs].sort(newestFirst);
		return (dir === 'desc' ? sorted : sorted.reverse()).map((j) => j.id);
	}
	const key = keys[sortBy];
	return [...jobs]
		.sort((a, b) => {
			const ka = key(a);
			const kb = key(b);
			if (ka === kb) return newestFirst(a, b);
			if (ka === null) return 1;
			if (kb === null) return -1;
			const cmp = ka < kb ? -1 : 1;
			return dir === 'asc' ? cmp : -cmp;
		})
		.map((j) => j.id);
}

describe('jobs list sorting', () => {
	for (const sortBy of ['created_at', 'name', 'status', 'tool', 'submitter', 'duration', 'credits']) {
		for (const dir of ['asc', 'desc'] as const) {
			it(`sorts by ${sortBy} ${dir}`, async () => {
				const rows = await list(alice, { sort_by: sortBy, sort_dir: dir });
				expect(rows.map((r) => r.id)).toEqual(expected(sortBy, dir));
				expect(rows.every((r) => Number(r.total_count) === jobs.length)).toBe(true);
			});
		}
	}

	it('keeps the old default: newest first', async () => {
		expect((await list(alice)).map((r) => r.id)).toEqual(expected('created_at', 'desc'));
	});

	it('pages a sorted list by offset without losing or repeating a job', async () => {
		const pages: string[] = [];
		for (let offset = 0; offset < jobs.length; offset += 4) {
			const rows = await list(alice, { sort_by: 'name', sort_dir: 'desc', page_size: 4, page_offset: offset });
			pages.push(...rows.map((r) => r.id));
		}
		expect(pages).toEqual(expected('name', 'desc'));
	});

	it('pages by keyset in either direction of created_at', async () => {
		for (const dir of ['asc', 'desc'] as const) {
			const first = await list(alice, { sort_dir: dir, page_size: 4 });
			const last = first.at(-1)!;
			// The cursor as clients send it: the exact timestamp text (a JS Date would drop the microseconds).
			const { rows } = await db.pool.query(`select created_at::text as at from public.jobs where id = $1`, [last.id]);
			const next = await list(alice, { sort_dir: dir, page_size: 4, before_created_at: rows[0].at, before_id: last.id });
			expect([...first, ...next].map((r) => r.id)).toEqual(expected('created_at', dir).slice(0, 8));
		}
	});

	it('sorts and filters together, counting only the matches', async () => {
		const rows = await list(alice, { statuses: ['completed'], sort_by: 'duration', sort_dir: 'asc' });
		const want = jobs.filter((j) => j.status === 'completed').sort((a, b) => (a.duration ?? 0) - (b.duration ?? 0));
		expect(rows.map((r) => r.id)).toEqual(want.map((j) => j.id));
		expect(rows.map((r) => r.duration_seconds)).toEqual(want.map((j) => j.duration));
		expect(rows.every((r) => Number(r.total_count) === want.length)).toBe(true);
	});

	it('finds a job by its full id, or by a prefix written with or without hyphens', async () => {
		const target = jobs[4];
		for (const search of [target.id, target.id.toUpperCase(), target.id.slice(0, 13), target.id.slice(0, 13).replace('-', '')]) {
			const rows = await list(alice, { search });
			expect(rows.map((r) => r.id), search).toContain(target.id);
			expect(rows.length, search).toBeLessThanOrEqual(2);
		}
	});

	it('sorts an outsider\'s view by submitter with the hidden names last', async () => {
		// Outside the team only jobs shared by email are listed (link-only for the rest).
		await db.pool.query(`update public.jobs set visibility = 'invited' where id = any ($1)`, [[jobs[0].id, jobs[1].id]]);
		await db.pool.query(
			`insert into public.job_shares (job_id, email, user_id, invited_by, accepted_at) select id, $2, $3, $4, now() from public.jobs where id = any ($1)`,
			[[jobs[0].id, jobs[1].id], outsider.email, outsider.id, alice.id]
		);
		const rows = await list(outsider, { sort_by: 'submitter' });
		expect(rows.map((r) => r.id).sort()).toEqual([jobs[0].id, jobs[1].id].sort());
		expect(rows.every((r) => r.submitter_name === null && Number(r.total_count) === 2)).toBe(true);
		await db.pool.query('delete from public.job_shares where job_id = any ($1)', [[jobs[0].id, jobs[1].id]]);
		await db.pool.query(`update public.jobs set visibility = 'private' where id = any ($1)`, [[jobs[0].id, jobs[1].id]]);
	});

	it('counts a team without the per-row policy check only for its members', async () => {
		const count = (user: TestUser) =>
			withActor(db.pool, asUser(user), async (c) => (await c.query(`select private.count_team_jobs_for_member($1, null, null, null, null, null, null) as n`, [teamId])).rows[0].n, true);
		expect(Number(await count(bob))).toBe(jobs.length);
		expect(await count(outsider)).toBeNull();
	});

	it('refuses an unknown sort, an unknown direction, and a keyset with another sort', async () => {
		const refused = (args: Record<string, unknown>) => list(alice, args).then(() => null, errorOf);
		expect(await refused({ sort_by: 'input' })).toEqual({
			code: '22023',
			message: 'sort_by must be one of created_at, name, status, tool, submitter, duration or credits, not "input"'
		});
		expect(await refused({ sort_by: null })).toMatchObject({ code: '22023', message: expect.stringMatching(/not nothing$/) });
		expect(await refused({ sort_dir: 'sideways' })).toEqual({ code: '22023', message: 'sort_dir must be asc or desc, not "sideways"' });
		expect(await refused({ sort_by: 'name', before_created_at: new Date(), before_id: jobs[0].id })).toEqual({
			code: '22023',
			message: 'before_created_at and before_id page through jobs sorted by created_at; with sort_by name use page_offset'
		});
		// SQL in the sort is data, never code.
		expect(await refused({ sort_by: 'name; drop table public.jobs' })).toMatchObject({ code: '22023' });
		expect(await refused({ sort_dir: 'desc; select 1' })).toMatchObject({ code: '22023' });
	});
});
