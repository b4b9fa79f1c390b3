// Secondary structure from Debian's mkdssp (package `dssp`), run on the
// parsed first model written as a small mmCIF (dssp-input.ts); mkdssp writes
// its per-residue summary (_dssp_struct_summary) into an mmCIF, which has
// room for any number of chains (the classic format holds 26). When mkdssp is
// missing or fails, the caller reports the secondary structure as unavailable.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dsspInput } from './dssp-input.ts';
import { column, readCifCategories } from './mmcif.ts';
import type { Structure } from './model.ts';

export const MKDSSP = process.env.MKDSSP ?? 'mkdssp';

/**
 * mkdssp's time grows faster than the residue count (about 30 s of CPU for
 * 10,000 residues): past this it is stopped and DSSP reported unavailable,
 * so the job itself finishes within its time limit.
 */
export const DSSP_TIME_LIMIT_MS = 240_000;

export type DsspOutcome = { ok: true; assignments: Map<string, string> } | { ok: false; reason: string };

/**
 * mkdssp's _dssp_struct_summary: `${label_asym_id}|${label_seq_id}` -> one-letter
 * state ('-' for coil, which the file writes as '.').
 */
export function parseDsspSummary(cif: string): Map<string, string> {
	const summary = readCifCategories(cif, new Set(['_dssp_struct_summary'])).get('_dssp_struct_summary');
	if (!summary) throw new Error('no _dssp_struct_summary in the mkdssp output');
	const asym = column(summary.fields, 'label_asym_id'), seq = column(summary.fields, 'label_seq_id'), ss = column(summary.fields, 'secondary_structure');
	if (asym < 0 || seq < 0 || ss < 0) throw new Error('_dssp_struct_summary lacks label_asym_id, label_seq_id or secondary_structure');
	const out = new Map<string, string>();
	for (const r of summary.rows) out.set(`${r[asym]}|${r[seq]}`, r[ss] === '.' || r[ss] === '?' ? '-' : r[ss]);
	return out;
}

function mkdssp(program: string, args: string[], signal: AbortSignal, timeout: number): Promise<void> {
	return new Promise((resolve, reject) => {
		execFile(program, args, { signal, timeout, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
			if (err) reject(Object.assign(err, { stderr: String(stderr) }));
			else resolve();
		});
	});
}

/** DSSP states of the structure's amino acids, by residueKey. */
export async function runDssp(structure: Structure, signal: AbortSignal, program = MKDSSP, timeLimitMs = DSSP_TIME_LIMIT_MS): Promise<DsspOutcome> {
	const input = dsspInput(structure);
	if (!input.ok) return input;
	const dir = await mkdtemp(join(tmpdir(), 'foldwork-dssp-'));
	try {
		const inFile = join(dir, 'in.cif');
		const outFile = join(dir, 'out.cif');
		await writeFile(inFile, input.cif);
		try {
			// mkdssp 4.2 writes the summary only when asked; later versions always do, and no longer know the option.
			await mkdssp(program, ['--output-format', 'mmcif', '--write-experimental', inFile, outFile], signal, timeLimitMs);
		} catch (err) {
			if (!/write-experimental|unrecogni[sz]ed|unknown option/i.test((err as { stderr?: string }).stderr ?? '')) throw err;
			await mkdssp(program, ['--output-format', 'mmcif', inFile, outFile], signal, timeLimitMs);
		}
		const assignments = new Map<string, string>();
		for (const [key, state] of parseDsspSummary(await readFile(outFile, 'utf8'))) {
			const original = input.keys.get(key);
			if (original !== undefined) assignments.set(original, state);
		}
		return { ok: true, assignments };
	} catch (err) {
		if (signal.aborted) throw signal.reason ?? err;
		const e = err as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
		if (e.code === 'ENOENT') return { ok: false, reason: 'mkdssp is not installed' };
		if (e.killed) return { ok: false, reason: `mkdssp did not finish within ${timeLimitMs / 1000} s` };
		const detail = (e.stderr ?? '').trim().split('\n')[0] || e.message;
		return { ok: false, reason: `mkdssp failed: ${detail.slice(0, 200)}` };
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** mkdssp's version ("4.4.10"), or "not installed" (the tool then reports secondary structure as unavailable). */
export function mkdsspVersion(program = MKDSSP): Promise<string> {
	return new Promise((resolve) => {
		execFile(program, ['--version'], { timeout: 20_000 }, (err, stdout, stderr) => {
			if (err) resolve('not installed');
			else resolve(/\d+\.\d+(?:\.\d+)?/.exec(`${stdout}\n${stderr}`)?.[0] ?? 'unknown');
		});
	});
}
