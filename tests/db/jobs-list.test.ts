// The global jobs page's query: a team's jobs newest first with tool name,
// submitter, status, duration and credits; filters; keyset and range
// pagination with a total count; and only what the caller may see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, proteinInput, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';
import { listTeamJobs, openJobsTeam, rewriteHistory, submitTeamJob, type JobsTeam } from './jobs-list-support.ts';

let team: JobsTeam;
let db: TestDatabase;
let alice: TestUser;
let bob: TestUser;
let outsider: TestUser;
let teamId: string;
const created: { id: string; name: string; tool: string; by: string; status: string }[] = [];

beforeAll(async () => {
	team = await openJobsTeam('Alice');
	({ db, alice, bob, outsider, teamId } = team);
	const statuses = ['completed', 'failed', 'pending', 'processing', 'cancelled'];
	for (let i = 0; i < 25; i++) {
		const by = i % 3 === 0 ? bob : alice;
		const tool = i % 2 === 0 ? 'protein-properties' : 'molecule-properties';
		const name = i === 7 ? 'Kinase 100%_screen' : `run ${i}`;
		const id = await submitTeamJob(db.pool, teamId, by, { tool, name, status: statuses[i % statuses.length] });
		created.push({ id, name, tool, by: by.id, status: statuses[i % statuses.length] });
	}
	// Another team's jobs never show up.
	await withActor(db.pool, asUser(outsider), (c) => c.query(`select public.submit_job('protein-properties', 'elsewhere', $1)`, [proteinInput(1)]));
	// Newest first: created_at, then id. Jobs made in one transaction share created_at; give them distinct times.
	await rewriteHistory(db.pool, async (client) => {
		for (let i = 0; i < created.length; i++) {
			await client.query(`update public.jobs set created_at = now() - make_interval(mins => $2) where id = $1`, [created[i].id, 100 - i]);
		}
	});
});
afterAll(async () => {
	await db?.close();
});

type Row = { id: string; name: string; tool_name: string; submitter_name: string; status: string; total_count: string; duration_seconds: number | null; credits_charged: number; created_at: Date };

const list = (user: TestUser, args: Record<string, unknown> = {}) => listTeamJobs<Row>(team, user, args);

const newestFirst = () => [...created].reverse();

describe('jobs list', () => {
	it('returns the first page newest first, with names, submitter, duration, credits and the total count', async () => {
		const rows = await list(alice, { page_size: 10 });
		expect(rows.map((r) => r.id)).toEqual(newestFirst().slice(0, 10).map((j) => j.id));
		expect(rows.every((r) => Number(r.total_count) === 25)).toBe(true);
		const first = rows[0];
		const job = newestFirst()[0];
		expect(first.tool_name).toBe(job.tool === 'protein-properties' ? 'Protein properties' : 'Molecule properties');
		expect(first.submitter_name).toBe(job.by === bob.id ? 'Bob' : 'Alice');
		const completed = rows.find((r) => r.status === 'completed');
		expect(completed?.duration_seconds).toBeGreaterThanOrEqual(0);
		expect(rows.find((r) => r.status === 'pending')?.duration_seconds).toBeNull();
		expect(rows.find((r) => r.name.startsWith('run') && r.tool_name === 'Molecule properties')?.credits_charged).toBe(1);
	});

	it('pages by keyset and by range, consistently', async () => {
		const first = await list(alice, { page_size: 10 });
		const last = first.at(-1)!;
		const byKeyset = await list(alice, { page_size: 10, before_created_at: last.created_at, before_id: last.id });
		const byRange = await list(alice, { page_size: 10, page_offset: 10 });
		expect(byKeyset.map((r) => r.id)).toEqual(newestFirst().slice(10, 20).map((j) => j.id));
		expect(byRange.map((r) => r.id)).toEqual(byKeyset.map((r) => r.id));
		expect((await list(alice, { page_size: 10, page_offset: 20 })).length).toBe(5);
	});

	it('filters by tool, status, submitter and text', async () => {
		const ids = (rows: Row[]) => rows.map((r) => r.id).sort();
		const want = (f: (j: (typeof created)[number]) => boolean) => created.filter(f).map((j) => j.id).sort();
		expect(ids(await list(alice, { tool_id: 'molecule-properties' }))).toEqual(want((j) => j.tool === 'molecule-properties'));
		expect(ids(await list(alice, { statuses: ['failed', 'cancelled'] }))).toEqual(want((j) => j.status === 'failed' || j.status === 'cancelled'));
		expect(ids(await list(alice, { submitted_by: bob.id }))).toEqual(want((j) => j.by === bob.id));
		// Text: case-insensitive; % and _ are literal.
		expect(ids(await list(alice, { search: 'kinase 100%_' }))).toEqual(want((j) => j.name === 'Kinase 100%_screen'));
		expect(await list(alice, { search: '100%x' })).toEqual([]);
		// A job id prefix finds the job.
		expect(ids(await list(alice, { search: created[3].id.slice(0, 8) }))).toEqual([created[3].id]);
		const combined = await list(alice, { tool_id: 'protein-properties', submitted_by: bob.id, statuses: ['completed'] });
		expect(ids(combined)).toEqual(want((j) => j.tool === 'protein-properties' && j.by === bob.id && j.status === 'completed'));
		expect(combined.every((r) => Number(r.total_count) === combined.length)).toBe(true);
	});

	it('shows an outsider only the jobs shared with them by email, counted accordingly', async () => {
		expect(await list(outsider)).toEqual([]);
		// Link-only: jobs shared with everyone (signed in, or public) are opened by their id, never listed.
		await db.pool.query(`update public.jobs set visibility = 'authenticated' where id = $1`, [created[0].id]);
		await db.pool.query(`update public.jobs set visibility = 'public' where id = $1`, [created[1].id]);
		expect(await list(outsider)).toEqual([]);
		await db.pool.query(`update public.jobs set visibility = 'invited' where id = any ($1)`, [[created[0].id, created[1].id]]);
		await db.pool.query(
			`insert into public.job_shares (job_id, email, user_id, invited_by, accepted_at) select id, $2, $3, $4, now() from public.jobs where id = any ($1)`,
			[[created[0].id, created[1].id], outsider.email, outsider.id, alice.id]
		);
		const rows = await list(outsider);
		expect(rows.map((r) => r.id).sort()).toEqual([created[0].id, created[1].id].sort());
		expect(rows.every((r) => Number(r.total_count) === 2)).toBe(true);
		// Profiles of people outside one's teams stay hidden.
		expect(rows.every((r) => r.submitter_name === null)).toBe(true);
	});
});
