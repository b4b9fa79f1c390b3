// Real jobs on the test stack for the archive tests: a structure-analysis
// job run by the real tool (mkdssp included), its input file and output
// files in the job-files bucket as the worker fleet writes them, finished
// through worker.worker_finish_jobs with the provenance a worker collects
// at start (worker/provenance.ts) — the worker's own path, without a worker
// process (one on the shared stack would take other files' jobs).
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { structureAnalysisTool } from '../../src/lib/tools/runners.server.ts';
import type { JobProvenance } from '../../src/lib/jobs/provenance.ts';
import { collectProvenance } from '../../worker/provenance.ts';
import { createLogger } from '../../worker/log.ts';
import { serviceClient } from './stack.ts';
import { root } from './worker-fleet.ts';

export const PDB_NAME = '1ejg.pdb';
export const PDB_TEXT = readFileSync(path.join(root, 'tests/fixtures/structures', PDB_NAME), 'utf8');
const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let provenance: Promise<JobProvenance> | null = null;
/** structure-analysis's provenance on this machine, as a worker collects it at start. */
export function workerProvenance(): Promise<JobProvenance> {
	provenance ??= collectProvenance(new Map([['structure-analysis', structureAnalysisTool]]), 20_000, createLogger('archive test')).then((m) => m.get('structure-analysis')!);
	return provenance;
}

export interface SeededFile {
	name: string;
	kind: 'input' | 'output';
	text: string;
	sha256: string;
}

export interface SeededJob {
	id: string;
	name: string;
	files: SeededFile[];
	result: unknown;
}

async function storeFile(admin: pg.Pool, teamId: string, jobId: string, file: { name: string; kind: 'input' | 'output'; mediaType: string; text: string }): Promise<SeededFile> {
	const storagePath = `${teamId}/${jobId}/${file.kind}/${file.name}`;
	const uploaded = await serviceClient().storage.from('job-files').upload(storagePath, file.text, { contentType: file.mediaType });
	if (uploaded.error) throw uploaded.error;
	const digest = sha256(file.text);
	await admin.query(
		`insert into public.job_files (job_id, kind, name, media_type, size_bytes, sha256, storage_path) values ($1, $2, $3, $4, $5, $6, $7)`,
		[jobId, file.kind, file.name, file.mediaType, Buffer.byteLength(file.text), digest, storagePath]
	);
	return { name: file.name, kind: file.kind, text: file.text, sha256: digest };
}

/** A registered worker with no process behind it, to finish jobs as. */
export async function registerTestWorker(admin: pg.Pool): Promise<string> {
	const { rows } = await admin.query(`insert into public.workers (compute_class, host, concurrency, tools) values ('cpu', $1, 4, '{structure-analysis}') returning id`, [`archive-test-${randomUUID().slice(0, 6)}`]);
	return rows[0].id;
}

/**
 * A completed structure-analysis job of `teamId` named `name`: input PDB as
 * an input file, the tool's real output files and result, and provenance.
 */
export async function completedStructureJob(admin: pg.Pool, workerId: string, owner: { id: string; teamId: string }, name: string, visibility = 'private'): Promise<SeededJob> {
	const settings = { secondaryStructure: true };
	const { rows } = await admin.query(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input, settings, visibility)
		 values ($1, 'structure-analysis', $2, $3, $4, $5, $6) returning id`,
		[owner.teamId, owner.id, name, { structures: [{ name: '1ejg', format: 'pdb', content: { $file: PDB_NAME } }] }, settings, visibility]
	);
	const id: string = rows[0].id;
	const files: SeededFile[] = [await storeFile(admin, owner.teamId, id, { name: PDB_NAME, kind: 'input', mediaType: 'chemical/x-pdb', text: PDB_TEXT })];
	await admin.query(`update public.jobs set status = 'queued' where id = $1`, [id]);
	await admin.query(`update public.jobs set status = 'processing', worker_id = $2, heartbeat_at = now() where id = $1`, [id, workerId]);
	const written: Array<{ name: string; mediaType: string; text: string }> = [];
	const result = await structureAnalysisTool.run({ structures: [{ name: '1ejg', format: 'pdb', content: PDB_TEXT }] }, settings, {
		signal: new AbortController().signal,
		progress: () => {},
		writeFile: async (fileName, mediaType, content) => {
			written.push({ name: fileName, mediaType, text: typeof content === 'string' ? content : new TextDecoder().decode(content) });
		}
	});
	for (const out of written) files.push(await storeFile(admin, owner.teamId, id, { ...out, kind: 'output' }));
	const outcome = [{ job_id: id, attempt: 1, status: 'completed', result, message: 'Finished', provenance: await workerProvenance() }];
	const { rows: recorded } = await admin.query('select * from worker.worker_finish_jobs($1, $2)', [workerId, JSON.stringify(outcome)]);
	if (recorded[0]?.outcome !== 'applied') throw new Error(`finishing the seeded job: ${JSON.stringify(recorded)}`);
	return { id, name, files, result };
}
