// The archive round trip (#lib/archive/job-archive.server.ts): real jobs on
// the test stack (tests/helpers/archive-jobs.ts) archived as their team
// member reads them (get_job, the job-file-urls function, signed Storage
// URLs), the ZIP written to disk, then read back with Python's zipfile:
// every file's bytes and checksum, the results, the provenance, and
// ro-crate-metadata.json against each MUST of RO-Crate 1.1 and the Process
// Run Crate profile, its checksums matching the bytes beside it.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobArchive, jobsNotOpenable, parseArchiveIds } from '../../src/lib/archive/job-archive.server.ts';
import { checkProcessRunCrate } from '../helpers/process-run-crate.ts';
import { completedStructureJob, registerTestWorker, workerProvenance, type SeededJob } from '../helpers/archive-jobs.ts';
import { readZipWithPython, testZipWithUnzip, type UnzippedEntry } from '../helpers/unzip.ts';
import { adminForFile, COLD_START_MS, person, type Person } from './support.ts';

const admin = adminForFile();
let owner: Person;
let jobs: SeededJob[];
let dir: string;
let entries: UnzippedEntry[];

type Entity = Record<string, unknown> & { '@id': string };

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'foldwork-archive-'));
	owner = await person(admin, 'archivist');
	const workerId = await registerTestWorker(admin);
	jobs = [await completedStructureJob(admin, workerId, owner, 'Crambin, first run'), await completedStructureJob(admin, workerId, owner, 'Crambin, second run')];
	const ids = jobs.map((j) => j.id);
	expect(await jobsNotOpenable(owner.db, ids)).toEqual([]);
	const file = join(dir, 'jobs.zip');
	await pipeline(Readable.from(jobArchive(owner.db, ids, { now: new Date('2026-12-07T12:00:00Z') })), createWriteStream(file));
	expect(await testZipWithUnzip(file)).toMatch(/No errors detected/);
	entries = await readZipWithPython(file);
}, COLD_START_MS);

afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

const entry = (name: string) => entries.find((e) => e.name === name);

describe('an archive of jobs, read back independently', () => {
	it('holds each job\'s input, input and output files byte for byte, and its results', () => {
		for (const job of jobs) {
			const folder = `jobs/${job.id}/`;
			expect(JSON.parse(entry(`${folder}input.json`)!.text!)).toEqual({ structures: [{ name: '1ejg', format: 'pdb', content: { $file: '1ejg.pdb' } }] });
			for (const file of job.files) {
				const found = entry(`${folder}${file.kind === 'input' ? 'inputs' : 'outputs'}/${file.name}`);
				expect(found, file.name).toBeDefined();
				expect(found!.sha256).toBe(file.sha256);
				expect(found!.text).toBe(file.text);
			}
			expect(job.files.filter((f) => f.kind === 'output').map((f) => f.name).sort()).toEqual(['chains.fasta', 'residues.csv']);
			const results = JSON.parse(entry(`${folder}results.json`)!.text!);
			expect(results.results).toEqual(job.result);
			expect(results.job).toMatchObject({ id: job.id, name: job.name, tool: 'structure-analysis', settings: { secondaryStructure: true } });
			const csv = entry(`${folder}results.csv`)!.text!;
			expect(csv).toMatch(/^# Structure analysis \(Foldwork tool structure-analysis\)/);
			expect(csv).toMatch(/# Computed by: Structure analysis 1\.0\.0; mkdssp [\d.]+; Foldwork worker /);
		}
	});

	it('records what computed each job: the tool, mkdssp and the worker, as the worker found them', async () => {
		const provenance = await workerProvenance();
		expect(provenance.programs.mkdssp).toMatch(/^\d+\.\d+/);
		for (const job of jobs) expect(JSON.parse(entry(`jobs/${job.id}/results.json`)!.text!).job.provenance).toEqual(provenance);
	});

	it('has ro-crate-metadata.json meeting every MUST of RO-Crate 1.1 and the Process Run Crate profile', () => {
		const crate = JSON.parse(entry('ro-crate-metadata.json')!.text!);
		expect(checkProcessRunCrate(crate)).toEqual([]);
		const graph = crate['@graph'] as Entity[];
		const byId = new Map(graph.map((e) => [e['@id'], e]));
		// Every File entity is a file of the archive, with its real checksum and size; every archived file is described.
		const files = graph.filter((e) => e['@type'] === 'File');
		for (const f of files) {
			const zipped = entry(f['@id']);
			expect(zipped, f['@id']).toBeDefined();
			expect(f.sha256).toBe(zipped!.sha256);
			expect(Number(f.contentSize)).toBe(zipped!.size);
		}
		expect(files.map((f) => f['@id']).sort()).toEqual(entries.map((e) => e.name).filter((n) => n !== 'ro-crate-metadata.json').sort());
		// One CreateAction per job, its tool at the recorded version, its person by display name only.
		for (const job of jobs) {
			const action = byId.get(`#job-${job.id}`)!;
			expect(action).toMatchObject({ '@type': 'CreateAction', actionStatus: { '@id': 'http://schema.org/CompletedActionStatus' } });
			const tool = byId.get((action.instrument as { '@id': string })['@id'])!;
			expect(tool).toMatchObject({ '@type': 'SoftwareApplication', name: 'Structure analysis', softwareVersion: '1.0.0' });
			const settings = (action.object as Array<{ '@id': string }>).map((r) => byId.get(r['@id'])!).filter((e) => e['@type'] === 'PropertyValue');
			expect(settings.map((s) => [s.name, s.value])).toEqual([['secondaryStructure', true]]);
			expect(byId.get((action.agent as { '@id': string })['@id'])).toMatchObject({ '@type': 'Person', '@id': `#person-${owner.id}` });
		}
		expect(JSON.stringify(crate)).not.toContain(owner.email);
	});

	it('takes ids as the job menu and the bulk action send them, and says what is wrong with bad ones', () => {
		const [a, b] = jobs.map((j) => j.id);
		expect(parseArchiveIds(` ${a},${b},${a} `)).toEqual({ ok: true, ids: [a, b] });
		expect(parseArchiveIds('')).toEqual({ ok: false, message: 'Say which jobs to archive: ids=<job id>,<job id>,…' });
		expect(parseArchiveIds(null)).toMatchObject({ ok: false });
		expect(parseArchiveIds(`${a},not-a-job`)).toEqual({ ok: false, message: '"not-a-job" is not a job id' });
		const many = Array.from({ length: 1001 }, () => crypto.randomUUID()).join(',');
		expect(parseArchiveIds(many)).toEqual({ ok: false, message: 'An archive holds at most 1000 jobs; pick fewer.' });
	});
});
