// The compare page's link (/app/compare?ids=…) names jobs by id, and anyone
// can edit it: an outsider who learnt (or guesses) the id of another team's
// private job puts it next to one of their own, and an anonymous visitor
// tries the same. The page loads each job as the job page does (get_job as
// the viewer), so the private job comes back only as "not available to
// you", never its name, input, settings or result; a public job, opened by
// its link, is compared like any other.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCompareSelection } from '#lib/compare/load.ts';
import { adminPool } from '../helpers/stack.ts';
import { person, visitor, type Person } from './link-only-support.ts';

const SECRET = `secret-${randomUUID().slice(0, 8)}`;

let admin: pg.Pool;
let alice: Person;
let eve: Person;
const ids = {} as Record<'alicePrivate' | 'alicePublic' | 'aliceOther' | 'eveOwn', string>;

/** A completed protein-properties job of `owner`'s team, named and keyed with `marker`. */
async function completedJob(owner: Person, marker: string, visibility: 'private' | 'public', pH: number): Promise<string> {
	const input = { sequences: [{ id: marker, sequence: 'MKTAYIAKQR' }] };
	const result = { table: { columns: [{ key: 'id', label: 'ID', type: 'string' }, { key: 'pi', label: 'pI', type: 'number' }], rows: [{ id: marker, pi: 9.1 }] } };
	const { rows } = await admin.query<{ id: string }>(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input, settings, visibility)
		 values ($1, 'protein-properties', $2, $3, $4, $5, $6) returning id`,
		[owner.teamId, owner.userId, `${marker} run`, input, { pH }, visibility]
	);
	const id = rows[0].id;
	for (const status of ['queued', 'processing']) await admin.query('update public.jobs set status = $2 where id = $1', [id, status]);
	await admin.query(`update public.jobs set status = 'completed', progress = 100, result = $2 where id = $1`, [id, result]);
	return id;
}

beforeAll(async () => {
	admin = adminPool(2);
	[alice, eve] = await Promise.all([person('Alice Researcher'), person('Eve Outsider')]);
	ids.alicePrivate = await completedJob(alice, SECRET, 'private', 5);
	ids.aliceOther = await completedJob(alice, 'alice-other', 'private', 7);
	ids.alicePublic = await completedJob(alice, 'alice-public', 'public', 6);
	ids.eveOwn = await completedJob(eve, 'eve-own', 'private', 7);
}, 120_000);

afterAll(async () => {
	await admin?.end();
});

describe('a compare link naming jobs the viewer may not open', () => {
	it('gives another team only "not available", never the private job', async () => {
		const selection = await loadCompareSelection(eve.client, `${ids.alicePrivate},${ids.eveOwn}`);
		expect(selection.jobs.map((v) => v.job.id)).toEqual([ids.eveOwn]);
		expect(selection.unavailable).toEqual([ids.alicePrivate]);
		expect(selection.problem).toBe('too-few');
		// Nothing of it (name, input's record id, settings) is anywhere in what the page gets.
		expect(JSON.stringify(selection)).not.toContain(SECRET);
		expect(JSON.stringify(selection)).not.toContain('"pH":5');
	});

	it('answers a made-up id exactly as a private one', async () => {
		const made = await loadCompareSelection(eve.client, `${randomUUID()},${ids.eveOwn}`);
		const hidden = await loadCompareSelection(eve.client, `${ids.alicePrivate},${ids.eveOwn}`);
		const shape = (s: typeof made) => ({ ...s, ids: s.ids.length, unavailable: s.unavailable.length });
		expect(shape(made)).toEqual(shape(hidden));
	});

	it('compares a public job of another team by its link, as the job page opens it', async () => {
		const selection = await loadCompareSelection(eve.client, `${ids.eveOwn},${ids.alicePublic},${ids.alicePrivate}`);
		expect(selection.jobs.map((v) => [v.job.id, v.access])).toEqual([
			[ids.eveOwn, 'team'],
			[ids.alicePublic, 'link']
		]);
		// Outside the team, the team's people stay hidden.
		expect(selection.jobs[1].submitterName).toBeNull();
		expect(selection.problem).toBeNull();
		expect(JSON.stringify(selection)).not.toContain(SECRET);
	});

	it('gives an anonymous visitor public jobs only', async () => {
		const selection = await loadCompareSelection(visitor(), `${ids.alicePrivate},${ids.aliceOther},${ids.alicePublic}`);
		expect(selection.jobs.map((v) => v.job.id)).toEqual([ids.alicePublic]);
		expect(selection.unavailable).toEqual([ids.alicePrivate, ids.aliceOther]);
		expect(JSON.stringify(selection)).not.toContain(SECRET);
		expect(JSON.stringify(selection)).not.toContain('alice-other');
	});

	it('lets the team compare its own jobs', async () => {
		const selection = await loadCompareSelection(alice.client, `${ids.alicePrivate},${ids.aliceOther}`);
		expect(selection.jobs.map((v) => v.job.id)).toEqual([ids.alicePrivate, ids.aliceOther]);
		expect(selection.problem).toBeNull();
	});
});
