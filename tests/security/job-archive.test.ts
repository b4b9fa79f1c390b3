// Archives from the attacker's side (#lib/archive/job-archive.server.ts,
// behind /app/archive): another team asking for a private job by its id,
// an anonymous visitor with a guessed or real id, a real id slipped in
// among the attacker's own; the database (get_job) refuses each, and the
// archive is never built. A link viewer of a public job gets it, without
// the team's people: no submitter, no name, no email.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobArchive, jobsNotOpenable } from '../../src/lib/archive/job-archive.server.ts';
import { completedStructureJob, registerTestWorker, type SeededJob } from '../helpers/archive-jobs.ts';
import { anonClient } from '../helpers/stack.ts';
import { readZipWithPython } from '../helpers/unzip.ts';
import { adminForFile, COLD_START_MS, person, type Person } from '../functions/support.ts';

const admin = adminForFile();
let alice: Person;
let eve: Person;
let secret: SeededJob;
let published: SeededJob;
let evesOwn: SeededJob;
let dir: string;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'foldwork-archive-attack-'));
	alice = await person(admin, 'alice');
	eve = await person(admin, 'eve');
	const workerId = await registerTestWorker(admin);
	secret = await completedStructureJob(admin, workerId, alice, 'Unpublished target');
	published = await completedStructureJob(admin, workerId, alice, 'Published structure', 'public');
	evesOwn = await completedStructureJob(admin, workerId, eve, 'Eve\'s own job');
}, COLD_START_MS);

afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

async function drain(chunks: AsyncGenerator<Uint8Array>): Promise<void> {
	for await (const _ of chunks) void _;
}

describe('archives, attacked', () => {
	it('refuses another team\'s private job by its id, alone or among the attacker\'s own', async () => {
		expect(await jobsNotOpenable(eve.db, [secret.id])).toEqual([secret.id]);
		expect(await jobsNotOpenable(eve.db, [evesOwn.id, secret.id])).toEqual([secret.id]);
		// Even past the check, the archive stops at the job the database will not open: no byte of it.
		await expect(drain(jobArchive(eve.db, [secret.id]))).rejects.toThrow(/can no longer be opened/);
	});

	it('refuses an anonymous visitor, with a real id or a guessed one', async () => {
		const visitor = anonClient();
		expect(await jobsNotOpenable(visitor, [secret.id, randomUUID()])).toHaveLength(2);
		await expect(drain(jobArchive(visitor, [secret.id]))).rejects.toThrow(/can no longer be opened/);
	});

	it('gives a link viewer a public job without naming the team\'s people', async () => {
		expect(await jobsNotOpenable(eve.db, [published.id])).toEqual([]);
		const file = join(dir, 'public.zip');
		await pipeline(Readable.from(jobArchive(eve.db, [published.id])), createWriteStream(file));
		const entries = await readZipWithPython(file);
		const crateText = entries.find((e) => e.name === 'ro-crate-metadata.json')!.text!;
		const crate = JSON.parse(crateText);
		const action = crate['@graph'].find((e: { '@id': string }) => e['@id'] === `#job-${published.id}`);
		const agent = crate['@graph'].find((e: { '@id': string }) => e['@id'] === action.agent['@id']);
		expect(agent['@type']).toBe('Organization');
		for (const leak of [alice.id, alice.email]) expect(entries.some((e) => e.text?.includes(leak))).toBe(false);
		// Its outputs are there: the link viewer may see and export them.
		expect(entries.map((e) => e.name)).toContain(`jobs/${published.id}/outputs/chains.fasta`);
	});

	it('gives an anonymous visitor a public job, files included, and still nothing of a private one beside it', async () => {
		const visitor = anonClient();
		expect(await jobsNotOpenable(visitor, [published.id, secret.id])).toEqual([secret.id]);
		const file = join(dir, 'anonymous.zip');
		await pipeline(Readable.from(jobArchive(visitor, [published.id])), createWriteStream(file));
		const entries = await readZipWithPython(file);
		expect(entries.map((e) => e.name)).toContain(`jobs/${published.id}/outputs/chains.fasta`);
		for (const leak of [alice.id, alice.email]) expect(entries.some((e) => e.text?.includes(leak))).toBe(false);
	});
});
